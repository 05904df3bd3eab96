"""Filters of a list of monthly turnover: a customer (by id or code), a range
of months and the customer's unit."""

import django_filters
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import units_for
from crm_site.core.filters import ListFilterSet, MonthFilter, unit_filter
from crm_site.core.inputs import CleanInputForm

from .models import MonthlyTurnover


class TurnoverFilter(ListFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))
    customer_code = django_filters.CharFilter(
        field_name="customer__code", lookup_expr="iexact", label=_("Customer code")
    )
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To month"))
    unit = unit_filter(
        field_name="customer__unit",
        label=_("Service unit"),
        error_messages={"invalid_choice": _("Pick one of your service units.")},
    )

    class Meta:
        model = MonthlyTurnover
        form = CleanInputForm
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units_for(user, "history")
