"""Forms of the outlet register: the admin's edit form (versioned) and the
form each import row is checked with (the same fields and validators)."""

from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, ServiceUnit
from crm_site.core.inputs import CleanInputModelForm
from crm_site.core.versioning import VersionedFormMixin
from customers.forms import ImportUploadForm

from .models import Outlet
from .services import OUTLET_FIELDS

ERROR_MESSAGES = {
    "code": {
        "required": _("The outlet code is required."),
        "unique": _("An outlet with this code already exists."),
    },
    "name": {"required": _("The outlet name is required.")},
    "kind": {"required": _("Choose the outlet's kind.")},
    "unit": {"required": _("The service unit is required.")},
}


class OutletFieldsForm(CleanInputModelForm):
    """What an outlet holds, with the model's validators."""

    class Meta:
        model = Outlet
        fields = list(OUTLET_FIELDS)
        error_messages = ERROR_MESSAGES

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()


class OutletForm(VersionedFormMixin, OutletFieldsForm):
    class Meta(OutletFieldsForm.Meta):
        help_texts = {
            "code": _("Unique; letters, digits, '-', '_' or '.'."),
            "is_active": _(
                "An inactive outlet stays on its customers and complaints but is no "
                "longer offered for new ones."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = ServiceUnit.objects.order_by("code")
        self.fields["region"].queryset = Region.objects.order_by("code")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in OUTLET_FIELDS}


class OutletImportForm(ImportUploadForm):
    """The upload of a register file (an .xlsx within the customer import's
    limits). Applied in the request, all or nothing: a resent file finds every
    row unchanged, so the form token is not needed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.token_field].required = False
