"""How a stored summary reads on the page and in the export (labels, charts).

A fixed number of queries per summary, whatever its size: the figures are
already stored; only labels, the trend and what changed are looked up (by
reports/selectors.py).
"""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from visits.models import Kind, UrgentReport

from . import selectors
from .models import MonthlyPatrolSummary
from .rollup import BEHIND_COLUMNS, TEXT_COLUMNS

TREND_MONTHS = 12


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def kind_label(kind: str) -> str:
    return _label(Kind, kind)


def _url(name: str, pk: int) -> str | None:
    # The urgent-report pages arrive with their own issue; until then no link.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def urgent_rows(summary: MonthlyPatrolSummary) -> list[dict]:
    return [
        row
        | {
            "category_label": _label(UrgentReport.Category, row["category"]),
            "status_label": _label(UrgentReport.Status, row["status"]),
            "url": _url("visits:urgent_detail", row["id"]),
        }
        for row in summary.urgent.get("list", [])
    ]


def complaint_categories(summary: MonthlyPatrolSummary) -> list[dict]:
    """The month's complaints by category, named in the reader's language."""
    stored = summary.complaints.get("by_category", [])
    names = selectors.complaint_category_names(codes=[r["code"] for r in stored])
    return [
        row | {"name": names.get(row["code"], row.get("name") or row["code"])} for row in stored
    ]


def behind_rows(summary: MonthlyPatrolSummary) -> list[dict]:
    """The stored customers behind as dicts (rollup.BEHIND_COLUMNS)."""
    return [_as_dict(BEHIND_COLUMNS, row) for row in summary.behind]


def entry_rows(rows: list[list]) -> list[dict]:
    """The stored opinion / market arrays as dicts (rollup.TEXT_COLUMNS) with labels."""
    labels = {kind: kind_label(kind) for kind in Kind.values}
    dicts = [_as_dict(TEXT_COLUMNS, row) for row in rows]
    return [row | {"kind_label": labels.get(row["kind"], row["kind"])} for row in dicts]


def _as_dict(columns: tuple, row) -> dict:
    # Rows are stored as arrays; a dict (an early build's format) reads as is.
    return row if isinstance(row, dict) else dict(zip(columns, row, strict=True))


def chart_data(summary: MonthlyPatrolSummary) -> dict:
    """What static/js/reports-monthly.js draws (json_script)."""
    by_grade = summary.compliance.get("by_grade", [])
    points = selectors.summary_trend(summary=summary, months_back=TREND_MONTHS)
    return {
        "labels": {
            "visits_percent": _("On-site visits %"),
            "calls_percent": _("Phone calls %"),
            "compliance_percent": _("Overall compliance %"),
            "visits_done": _("On-site visits"),
            "calls_done": _("Phone calls"),
            "count": _("Contacts made"),
            "percent": _("Compliance %"),
        },
        "grades": [row.get("name") or row["grade"] or "—" for row in by_grade],
        "grade_visits_percent": [row["visits_percent"] for row in by_grade],
        "grade_calls_percent": [row["calls_percent"] for row in by_grade],
        "months": [f"{p['month']:%Y-%m}" for p in points],
        "visits_done": [p.get("visits_done") for p in points],
        "calls_done": [p.get("calls_done") for p in points],
        "visits_percent": [p.get("visits_percent") for p in points],
        "calls_percent": [p.get("calls_percent") for p in points],
        "compliance_percent": [p.get("compliance_percent") for p in points],
    }


def stale_latest(summary: MonthlyPatrolSummary):
    """When the month's data last changed (local time), for the stale notice."""
    latest = (summary.stale_changes or {}).get("latest")
    value = parse_datetime(latest) if latest else None
    return timezone.localtime(value) if value else None


def change_rows(summary: MonthlyPatrolSummary) -> list[dict]:
    """The stale flag's counts as "label: before → after" rows."""
    labels = {
        "reports": _("Daily reports"),
        "entries": _("Report entries"),
        "contacts": _("Visits and calls"),
    }
    counts = (summary.stale_changes or {}).get("counts", {})
    return [
        {"label": labels[key], "before": before, "after": after}
        for key, (before, after) in counts.items()
        if key in labels
    ]
