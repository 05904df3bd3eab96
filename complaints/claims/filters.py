"""The claims register's filters (shared by the list, its export and the payout figures)."""

from datetime import datetime, time

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import units_for
from crm_site.core.filters import ListFilterSet, MonthFilter, unit_filter
from crm_site.core.inputs import CleanInputForm, HalfWidthDecimalField
from customers.models import Outlet

from . import rules
from .models import ROW_RELATED, Claim, ClaimKind, ClaimState

OPEN = "open"
STATE_CHOICES = [(OPEN, _("All open")), *ClaimState.choices]


class AmountFilter(django_filters.NumberFilter):
    field_class = HalfWidthDecimalField


def _next_month(day):
    return (
        day.replace(year=day.year + 1, month=1)
        if day.month == 12
        else day.replace(month=day.month + 1)
    )


def _local_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class ClaimFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Complaint number or customer"), "type": "search"}
        ),
    )
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="filter_state", label=_("State"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        choices=ClaimKind.choices, label=_("Claim type"), empty_label=_("All")
    )
    unit = unit_filter(label=_("Unit"), empty_label=_("All"))
    outlet = django_filters.ModelChoiceFilter(
        queryset=Outlet.objects.none(),
        field_name="complaint__responsible_outlet",
        label=_("Responsible outlet"),
        empty_label=_("All"),
    )
    month = MonthFilter(method="filter_month", label=_("Month filed"))
    paid_month = MonthFilter(method="filter_paid_month", label=_("Month paid"))
    amount_min = AmountFilter(
        field_name="amount_claimed", lookup_expr="gte", label=_("Amount claimed from")
    )
    amount_max = AmountFilter(
        field_name="amount_claimed", lookup_expr="lte", label=_("Amount claimed to")
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("created_at", "filed"),
            ("amount_claimed", "claimed"),
            ("assessed_amount", "assessed"),
            ("paid_amount", "paid"),
            ("state", "state"),
        ),
        label=_("Sort by"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Claim
        form = CleanInputForm
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user
        self.filters["unit"].queryset = units_for(user, "history")
        self.filters["outlet"].queryset = Outlet.objects.visible_to(user).order_by("code")
        self.style_fields(select="form-select form-select-sm", other="form-control form-control-sm")
        self.form.fields["month"].widget.attrs.update({"type": "month"})
        self.form.fields["paid_month"].widget.attrs.update({"type": "month"})

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(complaint__number__icontains=value)
            | Q(complaint__customer__code__istartswith=value)
            | Q(complaint__customer__name__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=rules.OPEN)
        return queryset.filter(state=value)

    def filter_month(self, queryset, name, value):
        return queryset.filter(
            created_at__gte=_local_start(value), created_at__lt=_local_start(_next_month(value))
        )

    def filter_paid_month(self, queryset, name, value):
        return queryset.filter(paid_on__gte=value, paid_on__lt=_next_month(value))

    def apply(self, queryset):
        """`queryset` under the valid filters, in the chosen order or newest first."""
        rows = super().apply(queryset)
        if self.active_sort():
            # A unique tiebreaker keeps pages stable when many rows share a value.
            return rows.order_by(*rows.query.order_by, "-pk")
        return rows.order_by("-created_at", "-pk")


def register_filter(*, user, data=None) -> ClaimFilter:
    """The register's filters over the claims `user` may see (list, export, payouts)."""
    queryset = Claim.objects.visible_to(user).select_related(*ROW_RELATED)
    return ClaimFilter(data or None, queryset=queryset, user=user)
