"""The figures page (/complaints/stats/): the numbers of the complaints the user
may see in a period, and the series static/js/complaints-stats.js draws."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm_site.core import months

from . import selectors
from .services import figures as figures_of


def _local_month(month):
    return timezone.localtime(month) if hasattr(month, "hour") else month


def month_of(row_month) -> date:
    """A month of `by_month` as a local date."""
    month = _local_month(row_month)
    return month.date() if hasattr(month, "hour") else month


def complaint_stats(*, user, filters, now=None) -> dict:
    """The figures page's numbers for the complaints the user may see under
    `filters` (a complaints.filters.ComplaintStatsFilter), received in its period:

    - first, last: the period's first and last day;
    - rows: per unit and month (months as local dates);
    - by_month, categories, total: per month, per category, and overall;
    - regulatory: the share closed within the regulatory limit per unit,
      responsible outlet and month, and overall (figures.regulatory_share).
    """
    now = now or timezone.now()
    first, last = filters.period()
    complaints = selectors.complaint_figures_base(user=user, filters=filters)
    complaints = figures_of.received_between(complaints, first, last)
    rows = figures_of.by_unit_and_month(complaints, now)
    for row in rows:
        row["month"] = _local_month(row["month"])
    regulatory = figures_of.regulatory_share(complaints, now)
    for row in regulatory["by_month"]:
        row["month"] = _local_month(row["month"])
    return {
        "first": first,
        "last": last,
        "rows": rows,
        "categories": figures_of.by_category(complaints),
        "total": figures_of.totals(complaints, now),
        "by_month": figures_of.by_month(complaints, now),
        "regulatory": regulatory,
    }


def _months(first: date, last: date) -> list[date]:
    series, month = [], first
    while month <= last:
        series.append(month)
        month = months.shift(month, 1)
    return series


def chart_data(monthly: list[dict], categories: list[dict], first: date, last: date) -> dict:
    """Series for static/js/complaints-stats.js; months without complaints show as 0."""
    by_month = {month_of(r["month"]): r for r in monthly}
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


def regulatory_tables(regulatory: dict) -> list[dict]:
    """The three tables of the share within the regulatory limit, as the page
    shows them: by unit, by responsible outlet (none named: "no outlet"), by month."""
    no_outlet = _("No outlet named")
    tables = [
        (
            "unit",
            _("By unit"),
            _("Unit"),
            [(r["unit__code"], r["unit__name"], r) for r in regulatory["by_unit"]],
        ),
        (
            "outlet",
            _("By responsible outlet"),
            _("Outlet"),
            [
                (
                    r["responsible_outlet__code"] or "-",
                    r["responsible_outlet__name"] or no_outlet,
                    r,
                )
                for r in regulatory["by_outlet"]
            ],
        ),
        (
            "month",
            _("By month"),
            _("Month"),
            [
                (month_of(r["month"]).strftime("%Y-%m"), month_of(r["month"]).strftime("%Y-%m"), r)
                for r in regulatory["by_month"]
            ],
        ),
    ]
    return [
        {
            "key": key,
            "title": title,
            "label": label,
            "region": f"regulatory-{key}-title",
            "rows": [{"key": k, "name": name, **row} for k, name, row in rows],
        }
        for key, title, label, rows in tables
    ]
