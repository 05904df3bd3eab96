"""Input rules every form shares (hostile input, tests/security/test_hostile_input.py).

- Text may not carry invisible text-direction controls (RLO, RLM, isolates):
  they make a name display as something else ("exe.png" that is "gnp.exe")
  and no Chinese business text needs them. Every form of the project opts in
  with CleanInputMixin (CleanInputForm, CleanInputModelForm; FilterSets with
  `form = CleanInputForm` in Meta, the admin through crm_site.core.admin), which
  adds the check to each of its text fields.
- Text is at most TEXT_MAX_LENGTH characters: a model's TextField says so with
  max_length, which its ModelForm and the import's row form enforce; a form's
  own text field without a limit gets it from the mixin.
- Zero-width characters and the byte-order mark (U+200B, U+200C, U+2060,
  U+FEFF; U+200D outside emoji) are dropped: invisible, they make two equal
  names differ. Other control characters (BEL, ESC, ...; tab and line breaks
  aside) are refused: no business text holds them, and terminals and
  spreadsheets act on them.
- Dates, times and months lie between 1970-01-01 and 2100-12-31: year 1 or
  9999 is a typing slip, and one day before or after it no longer fits a
  date (an OverflowError when a list computes "up to the day after"). The
  mixin adds the check to each date and datetime field; MonthField carries it.
- Numbers are typed with half-width ASCII digits. Python reads "１２３",
  "١٢٣" and "𝟙𝟚𝟛" all as 123; we refuse them with a clear message instead
  of guessing (HalfWidthDecimalField, HalfWidthIntegerField, ascii_number()).
"""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

DIRECTION_CONTROLS = frozenset(
    "\u200e\u200f\u061c"  # LRM, RLM, ALM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
DIRECTION_MESSAGE = _(
    "Remove the invisible text-direction marks (such as RLO or RLM, often copied from "
    "web pages or chat apps), then save again."
)
NUMBER_MESSAGE = _(
    "Type the number with half-width digits 0-9, e.g. 1250.50 (not full-width digits or "
    "digits of another script)."
)
# The longest text one field takes: a customer's notes, a complaint, a report's
# findings (about five printed pages of Chinese).
TEXT_MAX_LENGTH = 10_000

# Zero-width space and non-joiner, word joiner, byte-order mark; the zero-width
# joiner too, except between two emoji (where it makes one: 👨‍👩‍👧).
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
INVISIBLE = re.compile(
    rf"[\u200b\u200c\u2060\ufeff]|\u200d(?![{_EMOJI}])|(?<![{_EMOJI}\ufe0f])\u200d"
)
# C0 controls and DEL but tab, line feed and carriage return (a textarea sends
# CRLF); NUL has Django's own check.
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _(
    "Remove the control characters (such as BEL or ESC, often pasted from a terminal or "
    "an old system), then save again."
)

EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_MESSAGE = _("Enter a date between %(earliest)s and %(latest)s.")
MONTH_MESSAGE = _("Enter a month as YYYY-MM.")


def has_direction_controls(text) -> bool:
    return isinstance(text, str) and not DIRECTION_CONTROLS.isdisjoint(text)


def refuse_direction_controls(value) -> None:
    """Validator of every text field."""
    if has_direction_controls(value):
        raise ValidationError(DIRECTION_MESSAGE, code="direction_controls")


def without_invisible_characters(text: str) -> str:
    return INVISIBLE.sub("", text)


def refuse_control_characters(value) -> None:
    """Validator of every text field."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


class TextLengthValidator(MaxLengthValidator):
    """The length limit of a text field that sets none (only text is measured)."""

    def __call__(self, value):
        if isinstance(value, str):
            super().__call__(value)


TEXT_LENGTH = TextLengthValidator(TEXT_MAX_LENGTH)


def has_foreign_digits(text) -> bool:
    """Digits other than ASCII 0-9: full-width "１", Arabic-Indic "١", "𝟙"..."""
    return isinstance(text, str) and any(ch.isdigit() and not ch.isascii() for ch in text)


def ascii_number(value) -> None:
    """Refuse a typed number written with other digits (before Python reads it as 123)."""
    if has_foreign_digits(value):
        raise ValidationError(NUMBER_MESSAGE, code="non_ascii_number")


def refuse_dates_out_of_range(value) -> None:
    """Validator of every date, datetime and month field."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


class MonthField(forms.CharField):
    """'YYYY-MM' (the browser's month picker) → the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "class": "form-control"})
    default_error_messages = {"invalid": MONTH_MESSAGE}
    default_validators = [refuse_dates_out_of_range]

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", value.strip())
        try:
            if match:
                return date(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class HalfWidthDecimalField(forms.DecimalField):
    def to_python(self, value):
        ascii_number(value)
        return super().to_python(value)


class HalfWidthIntegerField(forms.IntegerField):
    def to_python(self, value):
        ascii_number(value)
        return super().to_python(value)


class CleanInputMixin:
    """Put first in a form's bases: the submitted text loses its zero-width
    characters; each text field (forms.CharField and the fields built on it)
    refuses direction and control characters and, without a limit of its own,
    text over TEXT_MAX_LENGTH; each date and datetime field refuses a day
    outside the window. Added at validation time, so fields a form's __init__
    adds after the base class's are covered too."""

    def full_clean(self):
        if self.is_bound:
            self.data = _without_invisible_characters(self.data)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                _add_validator(field, refuse_control_characters)
                _add_validator(field, refuse_direction_controls)
                if field.max_length is None:
                    _add_validator(field, TEXT_LENGTH)
            if isinstance(field, (forms.DateField, forms.DateTimeField)):
                _add_validator(field, refuse_dates_out_of_range)
        super().full_clean()


def _without_invisible_characters(data):
    """`data` (a QueryDict, a MultiValueDict or a dict), its text without the
    zero-width characters; `data` itself when it holds none."""
    if not any(isinstance(v, str) and INVISIBLE.search(v) for v in _values(data)):
        return data
    if isinstance(data, MultiValueDict):
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, [_clean_text(v) for v in values])
        return cleaned
    return {key: _clean_text(value) for key, value in data.items()}


def _values(data):
    if isinstance(data, MultiValueDict):
        return [v for _key, values in data.lists() for v in values]
    return [v for value in data.values() for v in (value if isinstance(value, list) else [value])]


def _clean_text(value):
    if isinstance(value, list):
        return [_clean_text(v) for v in value]
    return without_invisible_characters(value) if isinstance(value, str) else value


def _add_validator(field: forms.Field, validator) -> None:
    if validator not in field.validators:
        field.validators.insert(0, validator)


class CleanInputForm(CleanInputMixin, forms.Form):
    pass


class CleanInputModelForm(CleanInputMixin, forms.ModelForm):
    pass


# Django's own message, worded better by our catalogue (which takes precedence).
gettext_noop("Null characters are not allowed.")
