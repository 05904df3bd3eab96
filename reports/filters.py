"""The reports pages' filters: the monthly summaries list (unit, month, status)
and the customer analysis (unit, region, status)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.core.filters import ListFilterSet, MonthFilter, UnitRegionFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm
from customers.models import Customer, LogisticsService, Status

from .models import MonthlyPatrolSummary


class SummaryFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    unit = unit_filter(
        label=_("Service unit"),
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-autosubmit"}),
    )
    month = MonthFilter(
        field_name="month",
        label=_("Month"),
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )
    status = django_filters.ChoiceFilter(
        choices=MonthlyPatrolSummary.Status.choices,
        label=_("Status"),
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-autosubmit"}),
    )

    class Meta:
        model = MonthlyPatrolSummary
        form = CleanInputForm
        fields = ["unit", "month", "status"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units if units is not None else ServiceUnit.objects.none()


class CustomerAnalysisFilter(UnitRegionFilterSet):
    """The customer analysis (客户分析表): a unit of the user's, a region, and a
    status (all but the lost customers unless asked otherwise)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("all", _("All")), *Status.choices],
        empty_label=_("All but lost"),
        method="filter_status",
    )
    # The year and the product category of the 客户销售分析表 and the 客户资料卡
    # summary: they choose what those tables show and filter no customer.
    year = django_filters.NumberFilter(
        label=_("Year"),
        method="filter_nothing",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    category = django_filters.ChoiceFilter(
        label=_("Product category"),
        choices=LogisticsService.Category.choices,
        empty_label=None,
        method="filter_nothing",
    )

    class Meta:
        form = CleanInputForm
        model = Customer
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, units=None, **kwargs):
        super().__init__(data, queryset, units=units, **kwargs)
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select")

    @property
    def invalid(self) -> bool:
        return self.is_bound and not self.form.is_valid()

    def cleaned(self) -> dict:
        """The valid filters given (none on a page opened without any)."""
        return self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = self.unfiltered(queryset)
        return queryset

    def unfiltered(self, queryset):
        return queryset.exclude(status=Status.LOST)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    def describe(self) -> dict:
        """The filters as the audit log keeps them (codes, no personal data)."""
        d = self.cleaned()
        return {
            "unit": d["unit"].code if d.get("unit") else "",
            "region": d["region"].code if d.get("region") else "",
            "status": d.get("status") or "",
            "year": int(d["year"]) if d.get("year") else "",
            "category": d.get("category") or "",
        }
