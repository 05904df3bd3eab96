"""Forms of the urgent-report pages: raise, the queue's filters, and the
detail page's actions (acknowledge, comment, reassign, resolve)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import ServiceUnit
from crm_site.accounts.scope import units_for
from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import CleanInputForm
from customers.fields import CustomerField
from customers.models import Customer
from customers.waybills.forms import WaybillListField
from visits.models import DailyReportEntry, UrgentReport


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class UrgentReportForm(IdempotentFormMixin, CleanInputForm):
    """巡访紧急报告: what the supervisor reports to the manager."""

    unit = forms.ModelChoiceField(queryset=ServiceUnit.objects.none(), label=_("Unit"))
    category = forms.ChoiceField(
        label=pgettext_lazy("urgent report", "Category"),
        choices=[("", _("Choose the kind of matter"))] + UrgentReport.Category.choices,
    )
    customer = CustomerField(queryset=Customer.objects.none(), label=_("Customer"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    waybills = WaybillListField()
    details = forms.CharField(
        label=_("Details of the matter"), max_length=10_000, widget=_textarea(8)
    )
    proposal = forms.CharField(
        label=_("What you propose"), max_length=5000, required=False, widget=_textarea(3)
    )
    source_entry = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = units_for(user, "raise")
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
            self.fields["unit"].widget = forms.HiddenInput()
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["customer"].help_text = _("Optional: the customer the matter concerns.")

    @property
    def unit_is_fixed(self) -> bool:
        return isinstance(self.fields["unit"].widget, forms.HiddenInput)

    def clean_source_entry(self):
        entry_id = self.cleaned_data.get("source_entry")
        if not entry_id:
            return None
        entry = (
            DailyReportEntry.objects.visible_to(self.user)
            .select_related("report")
            .filter(pk=entry_id)
            .first()
        )
        if entry is None:
            raise forms.ValidationError(_("This daily report entry is not available to you."))
        return entry

    def clean(self):
        data = super().clean()
        unit, customer = data.get("unit"), data.get("customer")
        if unit and customer and customer.unit_id != unit.pk:
            self.add_error("customer", _("This customer belongs to another unit than the report."))
        entry = data.get("source_entry")
        if unit and entry and entry.report.unit_id != unit.pk:
            self.add_error("unit", _("The daily report entry belongs to another unit."))
        return data


class AcknowledgeForm(CleanInputForm):
    comment = forms.CharField(
        label=_("Note (optional)"), max_length=2000, required=False, widget=_textarea(2)
    )


class CommentForm(IdempotentFormMixin, CleanInputForm):
    token_field = "token"

    comment = forms.CharField(
        label=pgettext_lazy("urgent report", "Comment"), max_length=5000, widget=_textarea(3)
    )


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if getattr(obj, "in_unit", False):
            return _("%(name)s (manager of this unit)") % {"name": obj.get_full_name()}
        return obj.get_full_name()


class ReassignForm(CleanInputForm):
    to = ManagerChoiceField(
        label=_("New manager"), queryset=ServiceUnit.objects.none(), empty_label=_("Choose")
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(2))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates


class ResolveForm(CleanInputForm):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=10_000,
        widget=_textarea(4),
        help_text=_("How the matter was settled; the supervisor who raised it reads this."),
    )
