"""What counts as a waybill number, typed or pasted."""

import pytest
from django.core.exceptions import ValidationError

from customers.waybills.numbers import is_waybill, normalise, parse_list


def test_normalise_folds_case_and_full_width():
    assert normalise("  sf1234567890 ") == "SF1234567890"
    assert normalise("ＹＴ９８７６５４３２１０") == "YT9876543210"


@pytest.mark.parametrize(
    "text, ok",
    [
        ("SF1234567890", True),
        ("123456", True),
        ("12345", False),
        ("A" * 33, False),
        ("SF-123456", False),
    ],
)
def test_is_waybill(text, ok):
    assert is_waybill(text) is ok


def test_parse_list_splits_on_any_separator_and_drops_repeats():
    text = "sf1234567890, YT9876543210；JD0001112223\nsf1234567890、 ７７７７７７"
    assert parse_list(text) == ["SF1234567890", "YT9876543210", "JD0001112223", "777777"]


def test_parse_list_names_bad_numbers_and_accepts_none_of_them():
    with pytest.raises(ValidationError) as caught:
        parse_list("SF1234567890 bad! 12")
    assert "BAD!" in caught.value.messages[0] and "12" in caught.value.messages[0]


def test_parse_list_refuses_a_huge_paste():
    with pytest.raises(ValidationError) as caught:
        parse_list("\n".join(f"SF{n:010d}" for n in range(10_000)))
    assert caught.value.code == "too_many"


def test_empty_is_no_numbers():
    assert parse_list("  \n ") == []
