"""Read side of visits: what is due, compliance by person and grade.

Everything here is set-based: one query annotates a page of customers with
their contact counts, and compliance is a grouped aggregate over correlated
counts (no query per customer). The arithmetic comes from visits/cadence.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from crm_site.core.services import work_calendar
from crm_site.core.workcal import WorkCalendar
from customers.models import Customer, GradingRule

from . import cadence as cad
from .models import Kind, Visit


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def span(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware [start 00:00, the day after end 00:00) for filtering occurred_at."""
    return day_start(start), day_start(end + timedelta(days=1))


def calendar_for(day: date) -> WorkCalendar:
    """The work calendar around `day`: its month and ISO week."""
    month_start, month_end = cad.month_bounds(day)
    week_start, week_end = cad.iso_week_bounds(day)
    return work_calendar(min(month_start, week_start), max(month_end, week_end))


def current_cadences() -> dict:
    return GradingRule.objects.current().cadence()


# --- what is due -------------------------------------------------------------


def with_contact_counts(customers: QuerySet, day: date) -> QuerySet:
    """Annotate visits this month, calls this ISO week (up to any time) and the last contact."""
    month = span(*cad.month_bounds(day))
    week = span(*cad.iso_week_bounds(day))
    return customers.annotate(
        visits_this_month=Count(
            "visits",
            filter=Q(
                visits__kind=Kind.VISIT,
                visits__occurred_at__gte=month[0],
                visits__occurred_at__lt=month[1],
            ),
        ),
        calls_this_week=Count(
            "visits",
            filter=Q(
                visits__kind=Kind.CALL,
                visits__occurred_at__gte=week[0],
                visits__occurred_at__lt=week[1],
            ),
        ),
        last_contact_at=Max("visits__occurred_at"),
    )


@dataclass(frozen=True)
class DueRow:
    customer: Customer
    status: cad.CadenceStatus


def cadence_rows(customers: QuerySet, day: date, *, cadences=None, calendar=None) -> list[DueRow]:
    """Every customer with its cadence status on `day`, most urgent first."""
    cadences = current_cadences() if cadences is None else cadences
    calendar = calendar_for(day) if calendar is None else calendar
    rows = []
    for customer in with_contact_counts(customers, day):
        rule = cadences.get(customer.grade)
        if rule is None:
            continue  # ungraded: nothing is required
        status = cad.cadence_status(
            rule,
            day,
            visits_done=customer.visits_this_month,
            calls_done=customer.calls_this_week,
            calendar=calendar,
        )
        rows.append(DueRow(customer=customer, status=status))
    rows.sort(key=lambda r: (r.status.urgency, r.customer.code))
    return rows


def due_rows(customers: QuerySet, day: date, **kwargs) -> tuple[list[DueRow], int]:
    """Customers with something still due (most urgent first), and how many are up to date."""
    rows = cadence_rows(customers, day, **kwargs)
    due = [r for r in rows if r.status.due]
    return due, len(rows) - len(due)


def due_row_for(customer, day: date) -> DueRow | None:
    rows = cadence_rows(type(customer).objects.filter(pk=customer.pk), day)
    return rows[0] if rows else None


# --- compliance for a month --------------------------------------------------


def _count_in(kind: str, start: datetime, end: datetime):
    contacts = (
        Visit.objects.filter(
            customer=OuterRef("pk"), kind=kind, occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(contacts, output_field=IntegerField()), Value(0))


def _per_grade(values: dict[str, int]):
    return Case(
        *[When(grade=code, then=Value(n)) for code, n in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def compliance_expressions(year: int, month: int, as_of: date, *, cadences=None) -> dict:
    """SQL expressions per customer: required and counted visits and calls in the month.

    Counted = done, capped at required per period (cadence.PeriodStatus.counted).
    """
    cadences = current_cadences() if cadences is None else cadences
    month_start, month_end = cad.month_bounds(date(year, month, 1))
    weeks = cad.weeks_of_month(year, month)
    calendar = work_calendar(min([month_start, *(w[0] for w in weeks)]), month_end + timedelta(7))
    needs = {
        code: cad.month_requirement(rule, year, month, calendar, as_of=as_of)
        for code, rule in cadences.items()
    }
    visits_required = _per_grade({code: need.visits for code, need in needs.items()})
    visits_done = _count_in(Kind.VISIT, *span(month_start, month_end))
    calls_counted: Expression
    calls_required, calls_done, calls_counted = Value(0), Value(0), Value(0)
    for i, (monday, sunday) in enumerate(weeks):
        if monday > as_of:
            break
        week_required = _per_grade({code: need.weeks[i][2] for code, need in needs.items()})
        week_done = _count_in(Kind.CALL, *span(monday, sunday))
        calls_required = calls_required + week_required
        calls_done = calls_done + week_done
        calls_counted = calls_counted + Least(week_done, week_required)
    return {
        "visits_required": visits_required,
        "visits_done": visits_done,
        "visits_counted": Least(visits_done, visits_required),
        "calls_required": calls_required,
        "calls_done": calls_done,
        "calls_counted": calls_counted,
    }


def _as_of(year: int, month: int, today: date) -> date:
    """The last day that counts: the month's end for a past month, today for this one."""
    month_end = cad.month_bounds(date(year, month, 1))[1]
    return min(today, month_end)


def month_expressions(year: int, month: int, *, today: date, cadences=None) -> dict:
    """compliance_expressions for a month seen on `today` (a past month counts in full)."""
    return compliance_expressions(year, month, _as_of(year, month, today), cadences=cadences)


def compliance_by_person_and_grade(customers: QuerySet, expressions: dict) -> list[dict]:
    """One aggregate query: per visiting person and grade, customers, required and counted."""
    e = expressions
    return list(
        customers.order_by()
        .values("visiting_person", "grade")
        .annotate(
            customers=Count("pk"),
            visits_required=Sum(e["visits_required"]),
            visits_counted=Sum(e["visits_counted"]),
            calls_required=Sum(e["calls_required"]),
            calls_counted=Sum(e["calls_counted"]),
        )
        .order_by("visiting_person", "grade")
    )


def customers_behind(customers: QuerySet, expressions: dict) -> QuerySet:
    """Customers not visited or called as required in the month (annotated with the numbers)."""
    return (
        customers.annotate(**expressions)
        .filter(
            Q(visits_counted__lt=F("visits_required")) | Q(calls_counted__lt=F("calls_required"))
        )
        .select_related("visiting_person")
        .order_by("visiting_person__username", "grade", "code")
    )


def totals(rows: list[dict]) -> dict:
    """Sum compliance rows and add percentages."""
    keys = ("customers", "visits_required", "visits_counted", "calls_required", "calls_counted")
    total = {k: sum(r[k] or 0 for r in rows) for k in keys}
    return with_percentages(total)


def with_percentages(row: dict) -> dict:
    row = dict(row)
    row["visits_percent"] = cad.percent(row["visits_counted"] or 0, row["visits_required"] or 0)
    row["calls_percent"] = cad.percent(row["calls_counted"] or 0, row["calls_required"] or 0)
    row["percent"] = cad.percent(
        (row["visits_counted"] or 0) + (row["calls_counted"] or 0),
        (row["visits_required"] or 0) + (row["calls_required"] or 0),
    )
    return row
