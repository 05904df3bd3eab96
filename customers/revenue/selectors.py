"""Revenue reads, each scoped by `visible_to(user)`: turnover lists, one
customer's figures, and the gap analysis (actual against target)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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


def _targets(unit, start, end, **extra):
    return RevenueTarget.objects.filter(unit=unit, month__gte=start, month__lte=end, **extra)


def gap_analysis(*, user, unit: ServiceUnit, month: date, top: int = 10) -> GapAnalysis:
    """Actual turnover against target for one unit, January to `month` of its year.

    By month (the unit-wide target), and year to date by visiting person and by
    grade (their own targets); the individual analysis lists the customers whose
    turnover this year to date fell or rose most against the same months a
    year before. Only turnover the user may see is counted.
    """
    start, end = date(month.year, 1, 1), months.first_of(month)
    rows = MonthlyTurnover.objects.visible_to(user).filter(customer__unit=unit)
    this_year = rows.between(start, end)
    result = GapAnalysis(unit=unit, year=month.year, month=end)
    actual = dict(this_year.values_list("month").annotate(s=Sum("amount")).order_by())
    unit_targets = dict(
        _targets(unit, start, end, person=None, grade="").values_list("month", "amount")
    )
    for m in months.trailing(end, end.month):
        result.by_month.append(
            (m, GapLine(label=f"{m:%Y-%m}", actual=actual.get(m, ZERO), target=unit_targets.get(m)))
        )
    result.year_to_date = GapLine(
        label=str(month.year),
        actual=sum(actual.values(), ZERO),
        target=sum(unit_targets.values(), ZERO) if unit_targets else None,
    )
    result.by_person = _by_person(this_year, _targets(unit, start, end, grade=""))
    result.by_grade = _by_grade(this_year, _targets(unit, start, end, person=None))
    result.drops, result.rises = _movers(rows, start, end, top)
    result.retention = _retention(rows, end)
    return result


def _retention(rows, month: date) -> dict:
    """Customers with turnover in the month a year before `month`, and how many
    of them still have turnover in `month` (客户保持率)."""
    year_before = months.shift(month, -12)
    counts = rows.filter(month=year_before, amount__gt=0).aggregate(
        base=Count("customer", distinct=True),
        kept=Count(
            "customer",
            distinct=True,
            filter=Q(customer__turnovers__month=month, customer__turnovers__amount__gt=0),
        ),
    )
    base, kept = counts["base"], counts["kept"]
    share = (Decimal(kept) / base * 100).quantize(Decimal("0.1")) if base else None
    return {"base": base, "kept": kept, "share": share, "since": year_before}


def _by_person(rows, targets) -> list[GapLine]:
    actual = {
        r["customer__visiting_person"]: r
        for r in rows.values(
            "customer__visiting_person",
            "customer__visiting_person__full_name",
            "customer__visiting_person__username",
        )
        .annotate(s=Sum("amount"))
        .order_by()
    }
    target = {
        r["person"]: r
        for r in targets.exclude(person=None)
        .values("person", "person__full_name", "person__username")
        .annotate(s=Sum("amount"))
        .order_by()
    }
    lines = []
    for pk in set(actual) | set(target):
        row = actual.get(pk) or {}
        goal = target.get(pk)
        name = (
            row.get("customer__visiting_person__full_name")
            or row.get("customer__visiting_person__username")
            or (goal or {}).get("person__full_name")
            or (goal or {}).get("person__username")
            or "-"
        )
        lines.append(
            GapLine(label=name, actual=row.get("s") or ZERO, target=goal["s"] if goal else None)
        )
    return sorted(lines, key=lambda line: (-line.actual, line.label))


def _by_grade(rows, targets) -> list[GapLine]:
    actual = dict(rows.values_list("customer__grade").annotate(s=Sum("amount")).order_by())
    target = dict(
        targets.exclude(grade="").values_list("grade").annotate(s=Sum("amount")).order_by()
    )
    return [
        GapLine(label=grade or "-", actual=actual.get(grade, ZERO), target=target.get(grade))
        for grade in sorted(set(actual) | set(target))
    ]


def _movers(rows, start, end, top) -> tuple[list[dict], list[dict]]:
    before_start, before_end = months.shift(start, -12), months.shift(end, -12)
    per_customer = (
        rows.filter(
            Q(month__gte=start, month__lte=end) | Q(month__gte=before_start, month__lte=before_end)
        )
        .values("customer", "customer__code", "customer__name")
        .annotate(
            now=Sum("amount", filter=Q(month__gte=start)),
            before=Sum("amount", filter=Q(month__lte=before_end)),
        )
        .order_by()
    )
    changes = [
        {
            "pk": r["customer"],
            "code": r["customer__code"],
            "name": r["customer__name"],
            "now": r["now"] or ZERO,
            "before": r["before"] or ZERO,
            "change": (r["now"] or ZERO) - (r["before"] or ZERO),
        }
        for r in per_customer
    ]
    drops = sorted((c for c in changes if c["change"] < 0), key=lambda c: c["change"])[:top]
    rises = sorted((c for c in changes if c["change"] > 0), key=lambda c: -c["change"])[:top]
    return drops, rises


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


@dataclass
class NewCustomers:
    """Customers new in each month of a unit's year, by visiting person (a
    customer is new in the first month it ever has turnover above 0)."""

    months: list[date]
    by_person: list[tuple[str, list[int], int]]  # name, count per month, total
    by_month: list[int]
    total: int


def new_customers(*, user, unit: ServiceUnit, month: date) -> NewCustomers:
    """New customers of `unit` per visiting person and month, January to
    `month` of its year; only the turnover the user may see counts."""
    start, end = date(month.year, 1, 1), months.first_of(month)
    axis = months.trailing(end, end.month)
    firsts = (
        MonthlyTurnover.objects.visible_to(user)
        .filter(customer__unit=unit, amount__gt=0)
        .values(
            "customer",
            "customer__visiting_person__full_name",
            "customer__visiting_person__username",
        )
        .annotate(first=Min("month"))
        .filter(first__gte=start, first__lte=end)
        .order_by()
    )
    counts: dict[str, dict[date, int]] = {}
    for row in firsts:
        name = (
            row["customer__visiting_person__full_name"]
            or row["customer__visiting_person__username"]
            or "-"
        )
        per_month = counts.setdefault(name, {})
        per_month[row["first"]] = per_month.get(row["first"], 0) + 1
    by_person = [
        (name, [counts[name].get(m, 0) for m in axis], sum(counts[name].values()))
        for name in sorted(counts, key=lambda n: (-sum(counts[n].values()), n))
    ]
    by_month = [sum(c.get(m, 0) for c in counts.values()) for m in axis]
    return NewCustomers(months=axis, by_person=by_person, by_month=by_month, total=sum(by_month))
