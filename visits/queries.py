"""Read side of visits: what is due on a day, and the local-day bounds the rest use.

One query annotates the customers with their contact counts; the arithmetic
comes from visits/cadence.py. A month's compliance is visits/compliance.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from crm_site.core.services import work_calendar_days, work_calendar_from
from crm_site.core.workcal import WorkCalendar
from customers.models import Customer, GradingRule

from . import cadence as cad
from .models import Kind


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def span(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware [start 00:00, the day after end 00:00) for filtering occurred_at."""
    return day_start(start), day_start(end + timedelta(days=1))


def calendar_for(day: date) -> WorkCalendar:
    """The work calendar around `day`: its month and ISO week."""
    return work_calendar_from(calendar_days_for(day))


def calendar_days_for(day: date) -> QuerySet:
    """calendar_for's overrides as `.values()` rows (crm_site.core.batch)."""
    return work_calendar_days(*calendar_bounds(day))


def calendar_bounds(day: date) -> tuple[date, date]:
    """The days calendar_for covers: the month of `day` and its ISO week."""
    month_start, month_end = cad.month_bounds(day)
    week_start, week_end = cad.iso_week_bounds(day)
    return min(month_start, week_start), max(month_end, week_end)


def current_cadences() -> dict:
    return GradingRule.objects.current().cadence()


# --- what is due -------------------------------------------------------------


def with_contact_counts(customers: QuerySet, day: date) -> QuerySet:
    """Annotate visits this month, calls this ISO week (up to any time; the
    visiting person's, as visits/cadence.py counts) and the last contact (anybody's)."""
    visits, calls = _contact_counts(day)
    return customers.annotate(
        visits_this_month=visits,
        calls_this_week=calls,
        last_contact_at=Max("visits__occurred_at"),
    )


def contact_counts_for(month: tuple[datetime, datetime], week: tuple[datetime, datetime]) -> dict:
    """with_contact_counts' visits this month and calls this ISO week (over the
    bounds as given), as aggregates over a query of one customer's visits."""
    return {
        "visits_this_month": _count_of(Kind.VISIT, month, via=""),
        "calls_this_week": _count_of(Kind.CALL, week, via=""),
    }


def _contact_counts(day: date, *, via: str = "visits") -> tuple[Count, Count]:
    """Count expressions of a customer's visits in the month of `day` and its
    calls in the ISO week of `day` (the periods of visits/cadence.py)."""
    return (
        _count_of(Kind.VISIT, span(*cad.month_bounds(day)), via=via),
        _count_of(Kind.CALL, span(*cad.iso_week_bounds(day)), via=via),
    )


def _count_of(kind: str, bounds: tuple[datetime, datetime], *, via: str) -> Count:
    """Contacts of `kind` within `bounds` made by the customer's visiting person
    (the only ones that count, visits/cadence.py): through the customers' `via`
    relation, or over a query of visits themselves when `via` is empty."""
    path = f"{via}__" if via else ""
    person = F("visiting_person_id") if via else F("customer__visiting_person_id")
    return Count(
        via or "pk",
        filter=Q(
            **{
                f"{path}kind": kind,
                f"{path}occurred_at__gte": bounds[0],
                f"{path}occurred_at__lt": bounds[1],
                f"{path}user_id": person,
            }
        ),
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


def overdue_on(customers: QuerySet, day: date, *, cadences, calendar) -> QuerySet:
    """Of `customers`, those overdue on `day` for visits or calls, filtered in the
    database: the same test as cadence.PeriodStatus.overdue (still due > working
    days remaining, that is done < required - remaining), with required and
    remaining per grade from visits/cadence.py. Ungraded customers are never overdue."""
    visits, calls = {}, {}
    for code, rule in cadences.items():
        status = cad.cadence_status(rule, day, visits_done=0, calls_done=0, calendar=calendar)
        visits[code] = status.visits.required - status.visits.remaining_days
        calls[code] = status.calls.required - status.calls.remaining_days
    visits_done, calls_done = _contact_counts(day)
    return customers.alias(overdue_visits_done=visits_done, overdue_calls_done=calls_done).filter(
        Q(overdue_visits_done__lt=_per_grade(visits)) | Q(overdue_calls_done__lt=_per_grade(calls))
    )


def _per_grade(values: dict[str, int]):
    return Case(
        *[When(grade=code, then=Value(n)) for code, n in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def due_rows(customers: QuerySet, day: date, **kwargs) -> tuple[list[DueRow], int]:
    """Customers with something still due (most urgent first), and how many are up to date."""
    rows = cadence_rows(customers, day, **kwargs)
    due = [r for r in rows if r.status.due]
    return due, len(rows) - len(due)


def due_row_for(customer, day: date) -> DueRow | None:
    rows = cadence_rows(type(customer).objects.filter(pk=customer.pk), day)
    return rows[0] if rows else None
