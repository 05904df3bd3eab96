"""The complaint register: filters, overdue highlighting, sorting, pages."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintCategory
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def numbers_on(response) -> list[str]:
    return re.findall(r'class="fw-semibold">(TS-\d{4}-\d{6})</a>', response.content.decode())


@pytest.fixture
def book(customer_a, customer_a2, staff_a, supervisor_a):
    """Five complaints of unit A with different attributes."""
    now = timezone.now()
    return {
        "phone_delay": f.make_complaint(
            customer_a, by=staff_a, received_at=now - timedelta(days=1)
        ),
        "letter_damage": f.make_complaint(
            customer_a,
            by=staff_a,
            channel="letter",
            category="damage",
            complainant="李女士",
            contact_phone="13912345678",
            received_at=datetime(2026, 3, 10, 9, tzinfo=SHANGHAI),
            deadline=now + timedelta(days=5),  # extended by hand: not overdue
        ),
        "major_loss": f.make_complaint(
            customer_a2, by=supervisor_a, severity="major", category="loss", channel="in_person"
        ),
        "overdue": f.make_complaint(
            customer_a, by=staff_a, deadline=now - timedelta(hours=2), channel="online"
        ),
        "closed": f.make_complaint(customer_a2, by=supervisor_a, status="closed"),
    }


def get(client, user, **params):
    client.force_login(user)
    return client.get(reverse("complaints:list"), params)


def test_the_register_lists_newest_first(client, book, supervisor_a):
    shown = numbers_on(get(client, supervisor_a))
    expected = list(
        Complaint.objects.order_by("-received_at", "-pk").values_list("number", flat=True)
    )
    assert shown == expected


@pytest.mark.parametrize(
    "params, keys",
    [
        ({"status": "closed"}, {"closed"}),
        ({"status": "open"}, {"phone_delay", "letter_damage", "major_loss", "overdue"}),
        ({"severity": "major"}, {"major_loss"}),
        ({"channel": "letter"}, {"letter_damage"}),
        ({"channel": "online"}, {"overdue"}),
        ({"overdue": "on"}, {"overdue"}),
        ({"q": "李女士"}, {"letter_damage"}),
        ({"q": "13912345678"}, {"letter_damage"}),
        ({"q": "上海乙"}, {"major_loss", "closed"}),
        ({"received_from": "2026-03-10", "received_to": "2026-03-10"}, {"letter_damage"}),
        ({"received_to": "2026-03-09"}, set()),
    ],
)
def test_each_filter_narrows_the_register(client, book, supervisor_a, params, keys):
    shown = set(numbers_on(get(client, supervisor_a, **params)))
    assert shown == {book[k].number for k in keys}


def test_the_category_filter(client, book, supervisor_a):
    loss = ComplaintCategory.objects.get(code="loss")
    assert numbers_on(get(client, supervisor_a, category=loss.pk)) == [book["major_loss"].number]


def test_a_full_complaint_number_opens_the_complaint(client, book, supervisor_a):
    complaint = book["closed"]
    for typed in (complaint.number, f" {complaint.number.lower()} "):
        response = get(client, supervisor_a, q=typed)
        assert response.status_code == 302
        assert response["Location"] == complaint.get_absolute_url()


def test_a_full_number_outside_the_scope_opens_nothing(client, complaint_b, staff_a):
    response = get(client, staff_a, q=complaint_b.number)
    assert response.status_code == 200
    assert numbers_on(response) == []


def test_the_jump_is_not_remembered_as_the_registers_filter(client, book, supervisor_a):
    get(client, supervisor_a, q=book["closed"].number, status="closed")
    reopened = client.get(reverse("complaints:list"))
    assert reopened.status_code == 302
    assert "q=" not in reopened["Location"] and "status=closed" in reopened["Location"]


def _numbered(customer, by, seq: int):
    from complaints.models import ComplaintSequence

    year = timezone.localdate().year
    ComplaintSequence.objects.update_or_create(year=year, defaults={"last": seq - 1})
    complaint = f.make_complaint(customer, by=by, contact_phone="0512-26262626")
    assert complaint.number == f"TS-{year}-{seq:06d}"
    return complaint


def test_a_few_digits_match_the_end_of_the_complaint_number(
    client, customer_a, staff_a, supervisor_a
):
    twenty_six = _numbered(customer_a, staff_a, 26)
    hundred_twenty_three = _numbered(customer_a, staff_a, 123)
    hundred_twenty_six = _numbered(customer_a, staff_a, 126)
    assert set(numbers_on(get(client, supervisor_a, q="26"))) == {
        twenty_six.number,
        hundred_twenty_six.number,
    }
    assert numbers_on(get(client, supervisor_a, q="000026")) == [twenty_six.number]
    assert numbers_on(get(client, supervisor_a, q="123")) == [hundred_twenty_three.number]
    # The year is not the end of any number (every number holds it).
    assert numbers_on(get(client, supervisor_a, q=str(timezone.localdate().year))) == []


def test_mine_shows_what_the_user_logged_or_handles(client, book, staff_a):
    shown = set(numbers_on(get(client, staff_a, mine="on")))
    assert shown == {book[k].number for k in ("phone_delay", "letter_damage", "overdue")}


def test_the_unit_filter(client, book, complaint_b, admin_user, unit_b):
    assert numbers_on(get(client, admin_user, unit=unit_b.pk)) == [complaint_b.number]


def test_overdue_complaints_are_highlighted(client, book, supervisor_a):
    html = get(client, supervisor_a).content.decode()
    rows = re.findall(
        r'<tr class="([^"]*)">\s*<td class="text-nowrap"><a href="[^"]+" class="fw-semibold">(TS-[\d-]+)</a>',
        html,
    )
    highlighted = {number for classes, number in rows if "complaint-overdue" in classes}
    assert highlighted == {book["overdue"].number}
    assert "已逾期" in html


def test_sorting_by_deadline_both_ways(client, book, supervisor_a):
    by_deadline = list(
        Complaint.objects.order_by("deadline", "-pk").values_list("number", flat=True)
    )
    assert numbers_on(get(client, supervisor_a, sort="deadline")) == by_deadline
    descending = numbers_on(get(client, supervisor_a, sort="-deadline"))
    assert descending == list(
        Complaint.objects.order_by("-deadline", "-pk").values_list("number", flat=True)
    )


def test_the_sort_links_keep_the_filters(client, book, supervisor_a):
    html = get(client, supervisor_a, status="open", sort="deadline").content.decode()
    assert "?status=open&amp;sort=-deadline" in html


def test_the_register_is_paginated_with_filters_kept(client, customer_a, staff_a, supervisor_a):
    for _ in range(27):
        f.make_complaint(customer_a, by=staff_a)
    first = get(client, supervisor_a, severity="normal")
    assert len(numbers_on(first)) == 25
    assert "severity=normal&amp;page=2" in first.content.decode()
    second = get(client, supervisor_a, severity="normal", page=2)
    assert len(numbers_on(second)) == 2
    assert not set(numbers_on(first)) & set(numbers_on(second))


def test_the_register_runs_a_fixed_number_of_queries(
    client, customer_a, staff_a, supervisor_a, django_assert_max_num_queries
):
    for _ in range(30):
        f.make_complaint(customer_a, by=staff_a)
    client.force_login(supervisor_a)
    # 14, and one for the navigation's open-urgent-reports badge (issue 6).
    with django_assert_max_num_queries(15):
        client.get(reverse("complaints:list"), {"status": "open"})


def test_the_register_links_to_the_export_with_the_same_filters(client, book, supervisor_a):
    html = get(client, supervisor_a, severity="major", overdue="on").content.decode()
    assert reverse("complaints:export") + "?severity=major&amp;overdue=on" in html
