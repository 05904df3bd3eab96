"""The figures page's charts: the series static/js/complaints-stats.js draws."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .filters import add_months
from .selectors import month_of


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


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
