"""The KPI page: figures per unit and month, with the data for its charts."""

from datetime import date, timedelta

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from crm_site.accounts.models import ServiceUnit
from crm_site.accounts.scope import units_for

from .models import Complaint
from .services import figures

ROWS_PER_PAGE = 50
MONTH_FORMATS = ["%Y-%m"]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class StatsFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(),
        required=False,
        label=gettext_lazy("Unit"),
        empty_label=gettext_lazy("All my units"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    month_from = forms.DateField(
        required=False,
        label=gettext_lazy("From month"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"
        ),
    )
    month_to = forms.DateField(
        required=False,
        label=gettext_lazy("To month"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, "history")
        # Show the default period in the month pickers.
        first, last = self._default_period()
        self.fields["month_from"].initial = first
        self.fields["month_to"].initial = last

    def clean(self):
        data = super().clean()
        start, end = data.get("month_from"), data.get("month_to")
        if start and end and start > end:
            self.add_error("month_to", _("The last month must not be before the first."))
        return data

    @staticmethod
    def _default_period() -> tuple[date, date]:
        last = _month_start(timezone.localdate())
        return _add_months(last, -11), last

    def period(self) -> tuple[date, date]:
        """First day of the first month, last day of the last month (12 months by default)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        default_first, default_last = self._default_period()
        last = _month_start(data.get("month_to") or default_last)
        first = _month_start(data.get("month_from") or _add_months(last, -11))
        return first, _add_months(last, 1) - timedelta(days=1)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _chart_data(monthly: list[dict], categories: list[dict], first: date, last: date) -> dict:
    """Series for static/js/complaints-stats.js; months without complaints show as 0."""
    by_month = {
        timezone.localtime(r["month"]).date() if hasattr(r["month"], "hour") else r["month"]: r
        for r in monthly
    }
    months = _months(first, last)
    rows = [by_month.get(m, {}) for m in months]
    return {
        "months": [m.strftime("%Y-%m") for m in months],
        "received": [r.get("received", 0) for r in rows],
        "resolved": [r.get("resolved", 0) for r in rows],
        "resolution_rate": [r.get("resolution_rate") for r in rows],
        "on_time_rate": [r.get("on_time_rate") for r in rows],
        "satisfaction_rate": [r.get("satisfaction_rate") for r in rows],
        "categories": [{"name": c["name"], "value": c["count"]} for c in categories],
        "labels": {
            "received": pgettext("count", "Received"),
            "resolved": pgettext("count", "Resolved"),
            "resolution_rate": _("Resolution rate %"),
            "on_time_rate": _("On-time rate %"),
            "satisfaction_rate": _("Satisfaction rate %"),
            "count": _("Number of complaints"),
            "rate": _("Rate %"),
        },
    }


def stats_context(request) -> dict:
    form = StatsFilterForm(request.GET or None, user=request.user)
    first, last = form.period()
    queryset = Complaint.objects.visible_to(request.user)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("unit"):
        queryset = queryset.filter(unit=form.cleaned_data["unit"])
    queryset = figures.received_between(queryset, first, last)
    now = timezone.now()
    rows = figures.by_unit_and_month(queryset, now)
    for row in rows:
        row["month"] = (
            timezone.localtime(row["month"]) if hasattr(row["month"], "hour") else row["month"]
        )
    categories = figures.by_category(queryset)
    total = figures.totals(queryset, now)
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "form": form,
        "first": first,
        "last": last,
        "total": total,
        "page_obj": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "query_string": params.urlencode(),
        "categories": categories,
        "chart": _chart_data(figures.by_month(queryset, now), categories, first, last),
    }
