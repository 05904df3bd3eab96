"""Input rules every form shares (hostile input, tests/security/test_hostile_input.py).

- Text may not carry invisible text-direction controls (RLO, RLM, isolates):
  they make a name display as something else ("exe.png" that is "gnp.exe")
  and no Chinese business text needs them. Every form of the project opts in
  with CleanInputMixin (CleanInputForm, CleanInputModelForm; FilterSets with
  `form = CleanInputForm` in Meta, the admin through crm_site.core.admin), which
  adds the check to each of its text fields.
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
    """Put first in a form's bases: each text field (forms.CharField and the fields
    built on it) refuses direction controls, each date and datetime field a day
    outside the window. Added at validation time, so fields a form's __init__
    adds after the base class's are covered too."""

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                _add_validator(field, refuse_direction_controls)
            if isinstance(field, (forms.DateField, forms.DateTimeField)):
                _add_validator(field, refuse_dates_out_of_range)
        super().full_clean()


def _add_validator(field: forms.Field, validator) -> None:
    if validator not in field.validators:
        field.validators.insert(0, validator)


class CleanInputForm(CleanInputMixin, forms.Form):
    pass


class CleanInputModelForm(CleanInputMixin, forms.ModelForm):
    pass


# Django's own message, worded better by our catalogue (which takes precedence).
gettext_noop("Null characters are not allowed.")
