"""The list's filters: unit, month and status."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.core.inputs import CleanInputForm

from . import months
from .models import MonthlyPatrolSummary


class SummaryFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=ServiceUnit.objects.none(),
        label=_("Service unit"),
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-autosubmit"}),
    )
    month = django_filters.CharFilter(
        method="filter_month",
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

    def filter_month(self, queryset, name, value):
        month = months.parse(value)
        return queryset.filter(month=month) if month else queryset
