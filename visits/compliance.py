"""Cadence compliance for a month, in the database.

The one implementation behind the compliance page, the supervisors' home
panel and the monthly patrol summary (reports/rollup.py): the rules are
visits/cadence.py's (visits per calendar month, calls per ISO week counted in
the month of its Thursday, done capped at what the grade requires per
customer and period, in the month in progress only the weeks begun), applied
set-based:

- `requirements()` turns the grades' cadences and the work calendar into what
  each grade asks for in the month (a few numbers, computed in Python once);
- `customer_figures()` annotates a customer QuerySet with required, done and
  counted visits and calls: ONE left join of the customers' contacts in the
  month's window, grouped per customer (no query per customer);
- `compliance_rows()` sums those per visiting person and grade (or per unit,
  person and grade) in one grouped statement over that query.

Only the contacts made by the customer's visiting person count, whichever
unit recorded them ("Done" in visits/cadence.py): a regional salesperson's
call or a colleague's visit leaves the customer due. The join's condition
says so, so the page, the home panel and the monthly summary agree.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Least

from crm_site.core.services import work_calendar
from customers.models import GradingRule

from . import cadence as cad
from .models import Kind
from .queries import span

# Per customer and per group, in this order.
FIGURE_KEYS = (
    "visits_required",
    "visits_counted",
    "visits_done",
    "calls_required",
    "calls_counted",
    "calls_done",
    "calls_in_month",
)


@dataclass(frozen=True)
class Requirements:
    """What each grade asks for in one month, seen on one day."""

    month: date  # the month's first day
    as_of: date  # the last day that counts: the month's end, or today in the month in progress
    weeks: tuple[tuple[date, date], ...]  # ISO weeks counted (begun by as_of)
    visits: dict[str, int]  # grade -> visits required in the month
    calls: tuple[dict[str, int], ...]  # per counted week: grade -> calls required


def as_of(month: date, today: date) -> date:
    """The last day that counts: the month's end for a past month, today for this one."""
    return min(today, cad.month_bounds(month)[1])


def requirements(month: date, *, today: date, cadences: dict | None = None) -> Requirements:
    """The month's requirements per grade (visits/cadence.py: month_requirement)."""
    month = month.replace(day=1)
    cadences = GradingRule.objects.current().cadence() if cadences is None else cadences
    last = as_of(month, today)
    month_end = cad.month_bounds(month)[1]
    all_weeks = cad.weeks_of_month(month.year, month.month)
    calendar = work_calendar(
        min([month, *(monday for monday, _sunday in all_weeks)]), month_end + timedelta(7)
    )
    needs = {
        code: cad.month_requirement(rule, month.year, month.month, calendar, as_of=last)
        for code, rule in cadences.items()
    }
    weeks = tuple(week for week in all_weeks if week[0] <= last)
    return Requirements(
        month=month,
        as_of=last,
        weeks=weeks,
        visits={code: need.visits for code, need in needs.items()},
        calls=tuple(
            {code: need.weeks[i][2] for code, need in needs.items()} for i in range(len(weeks))
        ),
    )


def _per_grade(values: dict[str, int]):
    return Case(
        *[When(grade=code, then=Value(n)) for code, n in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _sum(expressions: list):
    total = Value(0, output_field=IntegerField())
    for expression in expressions:
        total = total + expression
    return total


def customer_figures(customers: QuerySet, need: Requirements) -> QuerySet:
    """`customers` annotated with FIGURE_KEYS for the month of `need`.

    Required comes from the customer's grade (0 when ungraded), done counts
    the contacts of a kind in the period made by the customer's visiting
    person (a customer without one has none), counted is done capped at required
    per period (cadence.PeriodStatus.counted); calls_in_month are the calls of
    the calendar month, whatever weeks count.
    """
    month_start, month_end = span(*cad.month_bounds(need.month))
    weeks = [span(monday, sunday) for monday, sunday in need.weeks]
    low = min([month_start, *(start for start, _end in weeks)])
    high = max([month_end, *(end for _start, end in weeks)])

    def done(kind: str, start, end):
        return Count(
            "month_contacts",
            filter=Q(
                month_contacts__kind=kind,
                month_contacts__occurred_at__gte=start,
                month_contacts__occurred_at__lt=end,
            ),
        )

    per_week = {}
    for i, (start, end) in enumerate(weeks):
        per_week[f"week_{i}_required"] = _per_grade(need.calls[i])
        per_week[f"week_{i}_done"] = done(Kind.CALL, start, end)
    return (
        customers.alias(
            month_contacts=FilteredRelation(
                "visits",
                condition=Q(
                    visits__occurred_at__gte=low,
                    visits__occurred_at__lt=high,
                    visits__user_id=F("visiting_person_id"),
                ),
            ),
            **per_week,
        )
        .annotate(
            visits_required=_per_grade(need.visits),
            visits_done=done(Kind.VISIT, month_start, month_end),
            calls_in_month=done(Kind.CALL, month_start, month_end),
            calls_required=_per_grade(
                {code: sum(week.get(code, 0) for week in need.calls) for code in need.visits}
            ),
            calls_done=_sum([F(f"week_{i}_done") for i in range(len(weeks))]),
        )
        .annotate(
            visits_counted=Least(F("visits_done"), F("visits_required")),
            calls_counted=_sum(
                [Least(F(f"week_{i}_done"), F(f"week_{i}_required")) for i in range(len(weeks))]
            ),
        )
    )


# The customers not visited or called as required: behind() for a QuerySet,
# BEHIND_SQL over the columns of figures_sql() (as "f").
BEHIND_SQL = "f.visits_counted < f.visits_required OR f.calls_counted < f.calls_required"


def behind(figures: QuerySet) -> QuerySet:
    """Of customer_figures(), the customers not visited or called as required."""
    return figures.filter(
        Q(visits_counted__lt=F("visits_required")) | Q(calls_counted__lt=F("calls_required"))
    )


def figures_sql(customers: QuerySet, need: Requirements, columns: tuple[str, ...]):
    """customer_figures() as SQL and parameters, for statements that group or list
    the customers: the customer `columns` (as c_<column>) and FIGURE_KEYS."""
    named = {f"c_{column}": F(column) for column in columns}
    figures = customer_figures(customers.order_by(), need).annotate(**named)
    return figures.values(*named, *FIGURE_KEYS).query.sql_with_params()


def grouped_sql(source: str, by: tuple[str, ...]) -> str:
    """Per group of the columns `by` of figures_sql() (read from `source`): the
    columns, the number of customers and the sums of FIGURE_KEYS."""
    quote = connection.ops.quote_name
    keys = ", ".join(f"f.{quote('c_' + column)}" for column in by)
    sums = ", ".join(f"SUM(f.{quote(key)})" for key in FIGURE_KEYS)
    return f"SELECT {keys}, COUNT(*), {sums} FROM {source} f GROUP BY {keys}"


def grouped_row(row, by: tuple[str, ...]) -> dict:
    """One row of grouped_sql() as a dict: `by`, customers and FIGURE_KEYS."""
    n = len(by)
    return (
        dict(zip(by, row[:n], strict=True))
        | {"customers": int(row[n])}
        | {key: int(value or 0) for key, value in zip(FIGURE_KEYS, row[n + 1 :], strict=True)}
    )


def compliance_rows(
    *, customers: QuerySet, need: Requirements, by: tuple[str, ...] = ("visiting_person", "grade")
) -> list[dict]:
    """Per group of `by` (customer columns): customers and the sums of FIGURE_KEYS,
    in one grouped statement over customer_figures()."""
    inner, params = figures_sql(customers, need, by)
    with connection.cursor() as cursor:
        cursor.execute(
            grouped_sql(f"({inner})", by)
            + " ORDER BY "
            + ", ".join(str(i + 1) for i in range(len(by))),
            params,
        )
        return [grouped_row(row, by) for row in cursor.fetchall()]


def with_percentages(row: dict) -> dict:
    """The row with visits_percent, calls_percent and percent (both kinds together)."""
    row = dict(row)
    row["visits_percent"] = cad.percent(row["visits_counted"] or 0, row["visits_required"] or 0)
    row["calls_percent"] = cad.percent(row["calls_counted"] or 0, row["calls_required"] or 0)
    row["percent"] = cad.percent(
        (row["visits_counted"] or 0) + (row["calls_counted"] or 0),
        (row["visits_required"] or 0) + (row["calls_required"] or 0),
    )
    return row


def totals(rows: list[dict]) -> dict:
    """Sum compliance rows and add percentages."""
    keys = ("customers", *FIGURE_KEYS)
    return with_percentages({k: sum(r.get(k) or 0 for r in rows) for k in keys})
