"""The complaints pages' filters: the register (shared by the list and its
export: same parameters) and the figures page."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from crm_site.accounts.models import ServiceUnit
from crm_site.accounts.scope import units_for
from crm_site.core import batch, months
from crm_site.core.exports import json_safe
from crm_site.core.filters import ListFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm
from customers.models import Outlet
from customers.waybills.numbers import normalise

from .models import Channel, Complaint, ComplaintCategory, Severity, Status

OPEN = "open"
# TS-<year>-<six digits> (complaints.services.lifecycle): the sequence part.
SEQUENCE_DIGITS = 6
MONTH_FORMATS = ["%Y-%m"]
STATUS_CHOICES = [(OPEN, _("All open")), *Status.choices]


def _day_start(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _named_by_waybill(value: str):
    """The ids of the complaints that name `value` as a waybill number."""
    number = normalise(value)
    return Complaint.waybills.through.objects.filter(waybill__number=number).values("complaint_id")


class ComplaintFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Number, customer, complainant or phone"),
                "type": "search",
                "class": "form-control form-control-sm",
            }
        ),
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("Status"), empty_label=_("All")
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label=_("Severity"), empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=ComplaintCategory.objects.all(), label=_("Category"), empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, label=_("Channel"), empty_label=_("All")
    )
    unit = unit_filter(label=_("Unit"), empty_label=_("All"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=_("Mine only"), widget=forms.CheckboxInput
    )
    received_from = django_filters.DateFilter(
        method="filter_from",
        label=_("Received from"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )
    received_to = django_filters.DateFilter(
        method="filter_to",
        label=_("Received to"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )
    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    responsible_outlet = django_filters.ModelChoiceFilter(
        queryset=Outlet.objects.none(), label=_("Responsible outlet"), empty_label=_("All")
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("received_at", "received"),
            ("deadline", "deadline"),
            ("number", "number"),
            ("status", "status"),
            ("severity", "severity"),
            ("customer__name", "customer"),
        ),
        label=_("Sort by"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Complaint
        form = CleanInputForm
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        units = ServiceUnit.objects.all() if user is None else units_for(user, "history")
        self.filters["unit"].queryset = units
        outlets = Outlet.objects.all() if user is None else Outlet.objects.visible_to(user)
        self.filters["responsible_outlet"].queryset = outlets.order_by("code")
        for name in ("status", "severity", "category", "channel", "unit", "responsible_outlet"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def choices_pending(self) -> batch.Pending:
        """The reads of the select boxes' choices (categories, units, outlets), to
        go in one round trip with the page's rows (crm_site.core.batch); once
        read they are the select widgets' choices, so the form renders without a query.
        Validation still checks a value against the field's queryset."""
        fields = self.form.fields
        english = (get_language() or "").startswith("en")
        reads = {
            "category": fields["category"].queryset.values("pk", "name", "name_en"),
            "unit": fields["unit"].queryset.values("pk", "name"),
            "responsible_outlet": fields["responsible_outlet"].queryset.values(
                "pk", "code", "name"
            ),
        }
        labels = {
            "category": lambda r: (english and r["name_en"]) or r["name"],
            "unit": lambda r: r["name"],
            "responsible_outlet": lambda r: f"{r['code']} {r['name']}",
        }

        def build(rows: dict) -> None:
            for name, label in labels.items():
                field = fields[name]
                options = [("", field.empty_label), *((r["pk"], label(r)) for r in rows[name])]
                field.widget.choices = options

        return batch.Pending(reads, build)

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        by_code_or_waybill = Q(customer__code__istartswith=value) | Q(
            pk__in=_named_by_waybill(value)
        )
        if value.isdigit() and len(value) <= SEQUENCE_DIGITS:
            # A few digits are the end of a complaint number as people read it
            # out ("the one ending 26"): the sequence part's trailing digits, not
            # any digits (every TS-2026-… holds "26"), nor phone fragments.
            return queryset.filter(Q(number__endswith=value) | by_code_or_waybill)
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(complainant__icontains=value)
            | Q(contact_phone__contains=value)
            | by_code_or_waybill
        )

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.mine(self.user) if value and self.user is not None else queryset

    # Ranges on the column itself (not __date) so the received_at indexes apply.
    def filter_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=_day_start(value + timedelta(days=1)))

    def apply(self, queryset):
        """`queryset` under the valid filters (an invalid one is left out, its
        message on the form), in the chosen order or newest first."""
        return _ordered(super().apply(queryset), sorted_by_user=bool(self.active_sort()))

    def cleaned_filters(self) -> dict:
        """The valid filters in use, JSON-safe (what `filtered` takes; an export job keeps them)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {
            name: json_safe(value)
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }

    def filtered(self, filters: dict):
        """The rows under `filters` (cleaned_filters), each value checked again by its
        form field (a unit must still be one of the user's), ordered as `qs` orders."""
        queryset = self.queryset.all()
        sort: list[str] = []
        for name, value in filters.items():
            try:
                value = self.form.fields[name].clean(value)
            except (KeyError, ValidationError):
                continue
            queryset = self.filters[name].filter(queryset, value)
            if name == "sort":
                sort = value or []
        return _ordered(queryset, sorted_by_user=bool(sort))


def _ordered(queryset, *, sorted_by_user: bool):
    if sorted_by_user:
        # A unique tiebreaker keeps pages stable when many rows share a value.
        return queryset.order_by(*queryset.query.order_by, "-pk")
    return queryset.order_by("-received_at", "-pk")


def register_filter(*, user, data=None) -> ComplaintFilter:
    """The register's filters over the complaints `user` may see (list and export)."""
    queryset = Complaint.objects.visible_to(user).select_related(
        "customer", "category", "unit", "handler", "received_by"
    )
    return ComplaintFilter(data or None, queryset=queryset, user=user)


def register_queryset(request):
    """The user's complaints filtered by the request's parameters (the list page)."""
    return register_filter(user=request.user, data=request.GET)


def _month_start(day: date) -> date:
    return day.replace(day=1)


class StatsFilterForm(CleanInputForm):
    """The figures' period the right way round."""

    def clean(self):
        data = super().clean()
        start, end = data.get("month_from"), data.get("month_to")
        if start and end and start > end:
            self.add_error("month_to", _("The last month must not be before the first."))
        return data


def _month_widget() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"
    )


class ComplaintStatsFilter(ListFilterSet):
    """The figures page (/complaints/stats/): a unit of the user's and a period of
    months (the last twelve by default). The period is not a row filter: the
    selector counts complaints received in `period()`."""

    unit = unit_filter(
        label=_("Unit"),
        empty_label=_("All my units"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    month_from = django_filters.DateFilter(
        label=_("From month"),
        input_formats=MONTH_FORMATS,
        widget=_month_widget(),
        method="filter_nothing",
    )
    month_to = django_filters.DateFilter(
        label=_("To month"),
        input_formats=MONTH_FORMATS,
        widget=_month_widget(),
        method="filter_nothing",
    )

    class Meta:
        model = Complaint
        fields: list[str] = []
        form = StatsFilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units_for(user, "history")
        # Show the default period in the month pickers.
        first, last = self._default_period()
        self.form.fields["month_from"].initial = first
        self.form.fields["month_to"].initial = last

    def filter_nothing(self, queryset, name, value):
        return queryset  # the period is read by period()

    @staticmethod
    def _default_period() -> tuple[date, date]:
        last = _month_start(timezone.localdate())
        return months.shift(last, -11), last

    def period(self) -> tuple[date, date]:
        """First day of the first month, last day of the last month (12 months by default)."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        default_first, default_last = self._default_period()
        last = _month_start(data.get("month_to") or default_last)
        first = _month_start(data.get("month_from") or months.shift(last, -11))
        return first, months.shift(last, 1) - timedelta(days=1)
