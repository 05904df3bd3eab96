from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.core.inputs import CleanInputForm

from .services import MAX_KEY_DAYS


class ApiKeyForm(CleanInputForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        help_text=_("What uses the key, e.g. “call centre” or “TMS”."),
    )
    read_only = forms.BooleanField(label=_("Read-only"), required=False)
    expires = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=MAX_KEY_DAYS,
        help_text=_("Empty: never expires (it can still be revoked)."),
    )
