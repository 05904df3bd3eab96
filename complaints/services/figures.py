"""Complaint figures (KPIs), computed by aggregation in the database.

The cohort is the complaints *received* in a period; the figures say what has
become of them so far:

- received: how many were received;
- resolved: how many of them are resolved (resolved, notified or closed);
- resolved_on_time: resolved no later than their deadline;
- resolution_rate = resolved / received; on_time_rate = resolved_on_time / resolved;
- median time to resolve: from received to resolved, calendar hours;
- satisfaction_rate = satisfied / return visits (the latest visit's answer).
"""

from datetime import date, datetime, time, timedelta

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from .. import rules
from ..models import OPEN_STATUSES, Complaint, Severity


class Median(Aggregate):
    """The median of a duration, NULLs ignored.

    PostgreSQL: percentile_cont(0.5) WITHIN GROUP; SQLite: the aggregate
    complaints_median registered on each connection (complaints.apps).
    """

    function = "complaints_median"
    name = "Median"
    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="PERCENTILE_CONT",
            template="%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )


TIME_TO_RESOLVE = ExpressionWrapper(
    F("resolved_at") - F("received_at"), output_field=DurationField()
)


def kpi_aggregates(now: datetime | None = None) -> dict:
    """Aggregate expressions for .aggregate() or .values(...).annotate()."""
    now = now or timezone.now()
    resolved = Q(resolved_at__isnull=False)
    return {
        "received": Count("pk"),
        "resolved": Count("pk", filter=resolved),
        "resolved_on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("deadline"))),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count(
            "pk",
            filter=Q(status__in=OPEN_STATUSES, deadline__lt=now, paused_since__isnull=True),
        ),
        "major": Count("pk", filter=Q(severity=Severity.MAJOR)),
        "return_visits": Count("pk", filter=Q(satisfied__isnull=False)),
        "satisfied": Count("pk", filter=Q(satisfied=True)),
        "median_to_resolve": Median(TIME_TO_RESOLVE),
    }


def with_rates(row: dict) -> dict:
    """Add the rates (percentages) and the median in hours to a row of counts."""
    median = row.pop("median_to_resolve", None)
    row["median_hours_to_resolve"] = (
        round(median.total_seconds() / 3600, 1) if isinstance(median, timedelta) else None
    )
    row["resolution_rate"] = rules.rate(row["resolved"], row["received"])
    row["on_time_rate"] = rules.rate(row["resolved_on_time"], row["resolved"])
    row["satisfaction_rate"] = rules.rate(row["satisfied"], row["return_visits"])
    return row


def received_between(queryset, start: date, end: date):
    """Complaints received from `start` to `end`, both dates included (local time)."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return queryset.filter(received_at__gte=since, received_at__lt=until)


def by_category(queryset, per: str | None = None) -> list:
    """Counts per category, largest first: a list of {code, name, count}; with
    `per` (a field), (that field's value, {code, name, count}) pairs by it."""
    keys = (per,) if per else ()
    rows = (
        queryset.values(*keys, "category__code", "category__name", "category__name_en")
        .annotate(count=Count("pk"))
        .order_by(*keys, "-count", "category__code")
    )
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    items = [
        (
            r[per] if per else None,
            {
                "code": r["category__code"],
                "name": (r["category__name_en"] if english and r["category__name_en"] else None)
                or r["category__name"],
                "count": r["count"],
            },
        )
        for r in rows
    ]
    return items if per else [item for _key, item in items]


def by_unit_and_month(queryset, now: datetime | None = None) -> list[dict]:
    """One row of figures per unit and month of receipt (one grouped query)."""
    rows = (
        queryset.annotate(month=TruncMonth("received_at"))
        .values("unit_id", "unit__code", "unit__name", "month")
        .annotate(**kpi_aggregates(now))
        .order_by("-month", "unit__code")
    )
    return [with_rates(dict(r)) for r in rows]


def by_month(queryset, now: datetime | None = None) -> list[dict]:
    rows = (
        queryset.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(**kpi_aggregates(now))
        .order_by("month")
    )
    return [with_rates(dict(r)) for r in rows]


def totals(queryset, now: datetime | None = None) -> dict:
    return with_rates(queryset.aggregate(**kpi_aggregates(now)))


def complaint_figures(*, unit_id: int, start: date, end: date) -> dict:
    """Figures of a unit's complaints received from `start` to `end` (dates, both included).

    For the monthly patrol summary: pass the first and the last day of the
    month. Returns received, resolved, resolved_on_time, open, overdue,
    major, return_visits, satisfied, resolution_rate, on_time_rate,
    satisfaction_rate (percentages or None), median_hours_to_resolve (or None)
    and by_category (a list of {code, name, count}, largest first).
    """
    return complaint_figures_by_unit(unit_ids=[unit_id], start=start, end=end)[unit_id]


def complaint_figures_by_unit(*, unit_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """complaint_figures for each unit, in two grouped queries for all of them."""
    queryset = received_between(Complaint.objects.filter(unit_id__in=unit_ids), start, end)
    aggregates = kpi_aggregates()
    # What .aggregate() gives over no rows: counts 0, no median.
    empty = dict.fromkeys(aggregates, 0) | {"median_to_resolve": None}
    rows = {
        row.pop("unit_id"): row
        for row in queryset.order_by().values("unit_id").annotate(**aggregates)
    }
    categories: dict[int, list] = {unit_id: [] for unit_id in unit_ids}
    for unit_id, item in by_category(queryset, per="unit_id"):
        categories[unit_id].append(item)
    result = {}
    for unit_id in unit_ids:
        figures = with_rates(dict(rows.get(unit_id, empty)))
        figures["by_category"] = categories[unit_id]
        result[unit_id] = figures
    return result


# --- the regulatory limit -------------------------------------------------------


def regulatory_aggregates(now: datetime | None = None) -> dict:
    """Met: the customer was first told the result (regulatory_answered_on)
    no later than the day of the regulatory due date (local). Missed: told
    later, or not yet told and the due date has passed. Complaints still
    within the limit and not yet answered count in neither."""
    now = now or timezone.now()
    due_day = TruncDate("regulatory_due", tzinfo=timezone.get_current_timezone())
    has_due = Q(regulatory_due__isnull=False)
    met = has_due & Q(regulatory_answered_on__isnull=False, regulatory_answered_on__lte=due_day)
    missed = has_due & (
        Q(regulatory_answered_on__gt=due_day)
        | Q(regulatory_answered_on__isnull=True, regulatory_due__lt=now)
    )
    return {
        "regulatory_met": Count("pk", filter=met),
        "regulatory_missed": Count("pk", filter=missed),
    }


def _with_share(row: dict) -> dict:
    row["regulatory_decided"] = row["regulatory_met"] + row["regulatory_missed"]
    row["regulatory_share"] = rules.rate(row["regulatory_met"], row["regulatory_decided"])
    return row


def regulatory_share(queryset, now: datetime | None = None) -> dict:
    """The share closed within the regulatory limit, per unit, per responsible
    outlet and per month of receipt (three grouped queries), and overall."""
    aggregates = regulatory_aggregates(now)
    units = (
        queryset.values("unit_id", "unit__code", "unit__name")
        .annotate(**aggregates)
        .order_by("unit__code")
    )
    outlets = (
        queryset.values(
            "responsible_outlet_id", "responsible_outlet__code", "responsible_outlet__name"
        )
        .annotate(**aggregates)
        .order_by("responsible_outlet__code")
    )
    months = (
        queryset.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    return {
        "by_unit": [_with_share(dict(r)) for r in units],
        "by_outlet": [_with_share(dict(r)) for r in outlets],
        "by_month": [_with_share(dict(r)) for r in months],
        "total": _with_share(queryset.aggregate(**aggregates)),
    }
