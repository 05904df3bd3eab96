"""The urgent-report queue's filters (/visits/urgent/)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import Role
from crm_site.core.filters import CheckboxFilter, ListFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm
from visits.models import UrgentReport

STATUS_FILTERS = [
    ("open", pgettext_lazy("urgent reports", "Open")),
    ("pending", UrgentReport.Status.PENDING.label),
    ("routed", UrgentReport.Status.ROUTED.label),
    ("acknowledged", UrgentReport.Status.ACKNOWLEDGED.label),
    ("resolved", UrgentReport.Status.RESOLVED.label),
    ("all", _("All")),
]


class UrgentFilter(ListFilterSet):
    """Status (open ones unless asked otherwise), category, unit, and "mine":
    a manager's own queue is what is assigned to them, a supervisor's what they
    raised."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_FILTERS, empty_label=None, method="filter_status"
    )
    category = django_filters.ChoiceFilter(
        label=pgettext_lazy("urgent report", "Category"),
        choices=UrgentReport.Category.choices,
        empty_label=_("All categories"),
    )
    unit = unit_filter(label=_("Unit"), empty_label=_("All units"))
    mine = CheckboxFilter(label=_("Mine"), method="filter_mine")

    class Meta:
        form = CleanInputForm
        model = UrgentReport
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, units, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user
        self.filters["unit"].queryset = units
        self.filters["mine"].label = (
            _("Assigned to me") if user.is_at_least(Role.MANAGER) else _("Raised by me")
        )
        self.form.fields["mine"].widget.attrs["class"] = "form-check-input"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.open()
        return queryset

    def unfiltered(self, queryset):
        return queryset.open()

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        if self.user.is_at_least(Role.MANAGER):
            return queryset.filter(assignee=self.user)
        return queryset.filter(raised_by=self.user)
