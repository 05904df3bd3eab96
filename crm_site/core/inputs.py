"""Input rules every form shares (hostile input, tests/security/test_hostile_input.py).

- Text may not carry invisible text-direction controls (RLO, RLM, isolates):
  they make a name display as something else ("exe.png" that is "gnp.exe")
  and no Chinese business text needs them. Every form of the project opts in
  with CleanInputMixin (CleanInputForm, CleanInputModelForm; FilterSets with
  `form = CleanInputForm` in Meta, the admin through crm_site.core.admin), which
  adds the check to each of its text fields.
- Numbers are typed with half-width ASCII digits. Python reads "１２３",
  "١٢٣" and "𝟙𝟚𝟛" all as 123; we refuse them with a clear message instead
  of guessing (HalfWidthDecimalField, HalfWidthIntegerField, ascii_number()).
"""

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
    built on it) refuses direction controls. Added at validation time, so fields
    a form's __init__ adds after the base class's are covered too."""

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and (
                refuse_direction_controls not in field.validators
            ):
                field.validators.insert(0, refuse_direction_controls)
        super().full_clean()


class CleanInputForm(CleanInputMixin, forms.Form):
    pass


class CleanInputModelForm(CleanInputMixin, forms.ModelForm):
    pass


# Django's own message, worded better by our catalogue (which takes precedence).
gettext_noop("Null characters are not allowed.")
