"""Revenue reads, each scoped by `visible_to(user)`: turnover lists, one
customer's figures, and the gap analysis (actual against target)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Min, Q, Sum
from django.shortcuts import get_object_or_404

from crm_site.accounts.models import ServiceUnit
from crm_site.core import months

from ..models import Customer, GradeChange, RegradeRun
from . import rules
from .models import MonthlyTurnover, RevenueTarget

ZERO = Decimal(0)


def turnover_list(*, user, filters: dict | None = None):
    """Turnover rows the user may see, newest month first."""
    filters = filters or {}
    rows = MonthlyTurnover.objects.visible_to(user).select_related("customer", "customer__unit")
    if filters.get("unit"):
        rows = rows.filter(customer__unit=filters["unit"])
    if filters.get("month"):
        rows = rows.filter(month=filters["month"])
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(Q(customer__code__icontains=q) | Q(customer__name__icontains=q))
    return rows.order_by("-month", "customer__code")


def turnover_get(*, user, pk: int) -> MonthlyTurnover:
    """One turnover row in scope (404 outside it), with its customer."""
    return get_object_or_404(
        MonthlyTurnover.objects.visible_to(user).select_related("customer"), pk=pk
    )


def turnover_rows(*, user, keys) -> list[MonthlyTurnover]:
    """The stored rows of (customer id, month) `keys` the user may see, in the
    keys' order (a key without a visible row is left out)."""
    keys = list(keys)
    found: dict = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        rows = (
            MonthlyTurnover.objects.visible_to(user)
            .select_related("customer")
            .filter(customer_id__in={pk for pk, _m in chunk}, month__in={m for _pk, m in chunk})
        )
        found.update({(row.customer_id, row.month): row for row in rows})
    return [found[key] for key in keys if key in found]


def customer_get(*, user, pk: int) -> Customer:
    """A customer in the user's scope (404 outside it)."""
    return get_object_or_404(Customer.objects.visible_to(user), pk=pk)


def regrade_run_get(*, pk: int) -> RegradeRun:
    """A regrade run (404 if none); what it moved is read by `regrade_moves`."""
    return get_object_or_404(RegradeRun.objects.select_related("rule"), pk=pk)


def regrade_moves(*, user, run: RegradeRun):
    """The grade changes a regrade run made to customers the user may see,
    by customer code: old and new grade, and what moved the points."""
    return (
        GradeChange.objects.filter(run=run, customer__in=Customer.objects.visible_to(user))
        .select_related("customer", "customer__unit")
        .order_by("customer__code", "pk")
    )


def target_list(*, user):
    """Turnover targets of the user's units, newest month first."""
    return (
        RevenueTarget.objects.visible_to(user)
        .select_related("unit", "person")
        .order_by("-month", "unit__name", "person__username", "grade")
    )


@dataclass
class CustomerRevenue:
    months: list[tuple[date, Decimal]]  # the last 24 months, oldest first
    figures: rules.TrendFigures | None


def customer_revenue(*, user, customer: Customer, as_of: date | None = None) -> CustomerRevenue:
    """A customer's last 24 months of turnover and the figures computed from them."""
    rows = MonthlyTurnover.objects.visible_to(user).filter(customer=customer)
    as_of = as_of or rows.order_by("-month").values_list("month", flat=True).first()
    if as_of is None:
        return CustomerRevenue(months=[], figures=None)
    window = months.trailing(as_of, 24)
    found = dict(rows.filter(month__gte=window[0], month__lte=as_of).values_list("month", "amount"))
    series = [(m, found.get(m, ZERO)) for m in window]
    amounts = [a for _m, a in series]
    return CustomerRevenue(months=series, figures=rules.trend_figures(amounts[12:], amounts[:12]))


@dataclass
class GapLine:
    label: str
    actual: Decimal = ZERO
    target: Decimal | None = None

    @property
    def gap(self) -> Decimal | None:
        return None if self.target is None else self.actual - self.target

    @property
    def attainment(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.actual / self.target * 100).quantize(Decimal("0.1"))


@dataclass
class NewCustomers:
    """Customers new in each month of a unit's year, by visiting person (a
    customer is new in the first month it ever has turnover above 0)."""

    months: list[date]
    by_person: list[tuple[str, list[int], int]]  # name, count per month, total
    by_month: list[int]
    total: int


@dataclass
class GapAnalysis:
    unit: ServiceUnit
    year: int
    month: date
    by_month: list[tuple[date, GapLine]] = field(default_factory=list)
    year_to_date: GapLine = field(default_factory=lambda: GapLine(label=""))
    by_person: list[GapLine] = field(default_factory=list)
    by_grade: list[GapLine] = field(default_factory=list)
    drops: list[dict] = field(default_factory=list)
    rises: list[dict] = field(default_factory=list)
    retention: dict = field(default_factory=dict)
    newcomers: NewCustomers | None = None


class CustomerFigures(NamedTuple):
    """One customer's figures for a gap analysis (_customer_figures)."""

    pk: int
    grade: str
    person: int | None
    now: Decimal | None  # January to the last month; None without rows
    before: Decimal | None  # the same months a year before; None without rows
    base: int  # rows above 0 in the month a year before the last month
    kept: int  # rows above 0 in the last month
    first: date | None  # the first month above 0, up to the last month


def _unit_turnover(user, unit: ServiceUnit, end: date):
    """The unit's turnover the user may see, up to `end`."""
    return MonthlyTurnover.objects.visible_to(user).filter(customer__unit=unit, month__lte=end)


def _customer_figures(user, unit: ServiceUnit, end: date) -> list[CustomerFigures]:
    """One pass over the unit's turnover the user may see, up to `end`, grouped
    by customer alone (so the database can aggregate in parallel): per customer
    its grade and visiting person, its turnover from January to `end` and in
    the same months a year before, whether it traded in the month a year
    before `end` and in `end`, and its first month above 0 (the rows up to
    `end` tell whether that month falls in the year)."""
    start, year_before = date(end.year, 1, 1), months.shift(end, -12)
    rows = (
        _unit_turnover(user, unit, end)
        .values_list("customer")
        .annotate(
            grade=Min("customer__grade"),
            person=Min("customer__visiting_person"),
            now=Sum("amount", filter=Q(month__gte=start)),
            before=Sum(
                "amount", filter=Q(month__gte=months.shift(start, -12), month__lte=year_before)
            ),
            base=Count("pk", filter=Q(month=year_before, amount__gt=0)),
            kept=Count("pk", filter=Q(month=end, amount__gt=0)),
            first=Min("month", filter=Q(amount__gt=0)),
        )
        .order_by()
    )
    return [CustomerFigures._make(row) for row in rows]


def _person_names(pks) -> dict[int | None, str]:
    """Visiting people's names (full name, else username) by id; None is "-"."""
    from crm_site.accounts.models import User

    names: dict[int | None, str] = {None: "-"}
    for pk, full_name, username in User.objects.filter(pk__in=[p for p in pks if p]).values_list(
        "pk", "full_name", "username"
    ):
        names[pk] = full_name or username or "-"
    return names


def gap_analysis(*, user, unit: ServiceUnit, month: date, top: int = 10) -> GapAnalysis:
    """Actual turnover against target for one unit, January to `month` of its year.

    By month (the unit-wide target), and year to date by visiting person and by
    grade (their own targets); the individual analysis lists the customers whose
    turnover this year to date fell or rose most against the same months a
    year before; the retention and the new customers of the year. Only turnover
    the user may see is counted. One query grouped by customer over the unit's
    turnover gives the per-customer figures and one grouped by month the
    months' totals; the targets and the names are small reads.
    """
    start, end = date(month.year, 1, 1), months.first_of(month)
    axis = months.trailing(end, end.month)
    result = GapAnalysis(unit=unit, year=month.year, month=end)
    figures = _customer_figures(user, unit, end)
    # The months' totals: a second, narrow read of the year's rows costs less
    # than a column per month in every customer's line.
    actual = dict(
        _unit_turnover(user, unit, end)
        .filter(month__gte=start)
        .values_list("month")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    by_person: dict[int | None, Decimal] = {}
    by_grade: dict[str, Decimal] = {}
    changes = []
    for row in figures:
        if row.now is not None:
            by_person[row.person] = by_person.get(row.person, ZERO) + row.now
            by_grade[row.grade] = by_grade.get(row.grade, ZERO) + row.now
        if row.now is not None or row.before is not None:
            now, before = row.now or ZERO, row.before or ZERO
            changes.append((row.pk, now, before, now - before))
    targets = _year_targets(unit, start, end)
    for m in axis:
        line = GapLine(
            label=f"{m:%Y-%m}", actual=actual.get(m, ZERO), target=targets["unit"].get(m)
        )
        result.by_month.append((m, line))
    unit_targets = targets["unit"]
    result.year_to_date = GapLine(
        label=str(month.year),
        actual=sum(actual.values(), ZERO),
        target=sum(unit_targets.values(), ZERO) if unit_targets else None,
    )
    names = _person_names(set(by_person) | set(targets["person"]))
    result.by_person = sorted(
        (
            GapLine(
                label=names.get(pk, "-"),
                actual=by_person.get(pk, ZERO),
                target=targets["person"].get(pk),
            )
            for pk in set(by_person) | set(targets["person"])
        ),
        key=lambda line: (-line.actual, line.label),
    )
    result.by_grade = [
        GapLine(
            label=grade or "-", actual=by_grade.get(grade, ZERO), target=targets["grade"].get(grade)
        )
        for grade in sorted(set(by_grade) | set(targets["grade"]))
    ]
    result.drops, result.rises = _movers(changes, top)
    result.retention = _retention(figures, end)
    result.newcomers = _newcomers(figures, axis, names)
    return result


def _year_targets(unit, start, end) -> dict:
    """The unit's targets of the months: unit-wide by month, and summed over
    the months per person and per grade."""
    found: dict[str, dict] = {"unit": {}, "person": {}, "grade": {}}
    for month, person, grade, amount in RevenueTarget.objects.filter(
        unit=unit, month__gte=start, month__lte=end
    ).values_list("month", "person", "grade", "amount"):
        if person is None and not grade:
            found["unit"][month] = amount
        elif not grade:
            found["person"][person] = found["person"].get(person, ZERO) + amount
        elif person is None:
            found["grade"][grade] = found["grade"].get(grade, ZERO) + amount
    return found


def _retention(figures: list[CustomerFigures], month: date) -> dict:
    """Customers with turnover in the month a year before `month`, and how many
    of them still have turnover in `month` (客户保持率)."""
    base = sum(1 for row in figures if row.base)
    kept = sum(1 for row in figures if row.base and row.kept)
    share = (Decimal(kept) / base * 100).quantize(Decimal("0.1")) if base else None
    return {"base": base, "kept": kept, "share": share, "since": months.shift(month, -12)}


def _movers(changes, top) -> tuple[list[dict], list[dict]]:
    """The `top` largest drops and rises of (customer, now, before, change), with codes and names."""
    drops = sorted((c for c in changes if c[3] < 0), key=lambda c: c[3])[:top]
    rises = sorted((c for c in changes if c[3] > 0), key=lambda c: -c[3])[:top]
    named = {
        pk: (code, name)
        for pk, code, name in Customer.objects.filter(
            pk__in=[c[0] for c in drops + rises]
        ).values_list("pk", "code", "name")
    }

    def line(c) -> dict:
        code, name = named[c[0]]
        return {"pk": c[0], "code": code, "name": name, "now": c[1], "before": c[2], "change": c[3]}

    return [line(c) for c in drops], [line(c) for c in rises]


def _newcomers(figures: list[CustomerFigures], axis: list[date], names=None) -> NewCustomers:
    """The customers whose first month above 0 falls on `axis`, by visiting
    person's name (`names`, else read) and month."""
    counts: dict[int | None, dict[date, int]] = {}
    for row in figures:
        if row.first is not None and axis[0] <= row.first <= axis[-1]:
            per_month = counts.setdefault(row.person, {})
            per_month[row.first] = per_month.get(row.first, 0) + 1
    names = names if names is not None else _person_names(counts)
    by_name: dict[str, dict[date, int]] = {}
    for pk, per_month in counts.items():
        merged = by_name.setdefault(names.get(pk, "-"), {})
        for m, n in per_month.items():
            merged[m] = merged.get(m, 0) + n
    by_person = [
        (name, [by_name[name].get(m, 0) for m in axis], sum(by_name[name].values()))
        for name in sorted(by_name, key=lambda n: (-sum(by_name[n].values()), n))
    ]
    by_month = [sum(c.get(m, 0) for c in by_name.values()) for m in axis]
    return NewCustomers(months=axis, by_person=by_person, by_month=by_month, total=sum(by_month))


def gap_units(*, user):
    """The units whose gap analysis the user may open."""
    from crm_site.accounts.scope import units_for

    return units_for(user, "review")


def latest_turnover_month(*, user) -> date | None:
    """The newest month of turnover the user may see."""
    return (
        MonthlyTurnover.objects.visible_to(user)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def new_customers(*, user, unit: ServiceUnit, month: date) -> NewCustomers:
    """New customers of `unit` per visiting person and month, January to
    `month` of its year; only the turnover the user may see counts."""
    end = months.first_of(month)
    return _newcomers(_customer_figures(user, unit, end), months.trailing(end, end.month))
