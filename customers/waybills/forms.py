"""The one form field for waybill numbers, typed or pasted as a list; the
complaint, daily-report entry and urgent-report forms all use it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .numbers import MAX_PER_LIST, parse_list

# A paste longer than this is refused before it is split: no list of
# MAX_PER_LIST numbers (32 characters and a separator each) comes near it.
MAX_PASTE_CHARS = 5000


class WaybillListField(forms.Field):
    """A textarea of waybill numbers, separated by new lines, spaces, commas or
    semicolons (full-width too); cleans to the distinct normalised numbers."""

    widget = forms.Textarea(
        attrs={
            "rows": 2,
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "form-control waybill-list",
        }
    )
    default_error_messages = {
        "too_long": _(
            "This paste is too long: give at most %(limit)d waybill numbers. Nothing was saved."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Waybill numbers"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "One or more numbers, 6 to 32 letters and digits each (e.g. SF1234567890); "
                "separate them by new lines, spaces or commas."
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, (list, tuple)):
            value = "\n".join(str(v) for v in value)
        value = str(value)
        if len(value) > MAX_PASTE_CHARS:
            raise forms.ValidationError(
                self.error_messages["too_long"], code="too_long", params={"limit": MAX_PER_LIST}
            )
        return parse_list(value)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        return value

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True
