"""Market reads, each scoped: the estimates and costs a user may see, the
market shares of the regions in scope and a unit's cost-to-turnover ratios."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from crm_site.accounts.models import Region, Role, ServiceUnit
from crm_site.accounts.scope import active_role, units_for
from crm_site.core import months

from ...models import Customer
from ..models import MonthlyTurnover
from . import rules
from .models import COST_HEADS, MarketEstimate, MarketingCost, MarketingPolicy

ZERO = Decimal(0)


def regions_for(*, user):
    """The regions a user may enter or read estimates for: those of the
    customers in the user's scope (admins: every region)."""
    if active_role(user) == Role.ADMIN:
        return Region.objects.order_by("code")
    if active_role(user) is None:
        return Region.objects.none()
    in_scope = Customer.objects.visible_to(user).exclude(region=None).values("region")
    return Region.objects.filter(pk__in=in_scope).order_by("code")


def estimate_list(*, user, year: int | None = None):
    rows = MarketEstimate.objects.visible_to(user).select_related("region", "set_by")
    if year:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "region__code")


def cost_list(*, user, unit: ServiceUnit | None = None):
    rows = MarketingCost.objects.visible_to(user).select_related("unit", "set_by")
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("-month", "unit__name")


def warning_points() -> Decimal:
    """The admins' setting, or the default before one is saved."""
    policy = MarketingPolicy.objects.order_by("pk").first()
    return policy.warning_points if policy else rules.DEFAULT_WARNING_POINTS


@dataclass
class ShareLine:
    estimate: MarketEstimate
    ours: Decimal
    months: int  # months of the year with turnover counted

    @property
    def overall(self) -> Decimal | None:  # 总体市场占有率
        return rules.percent(self.ours, self.estimate.market_size)

    @property
    def relative(self) -> Decimal | None:  # 相对市场占有率
        return rules.percent(self.ours, self.estimate.competitor_turnover)


def market_shares(*, user, year: int | None = None) -> list[ShareLine]:
    """Each estimate in scope with our turnover in its region and year: the
    monthly turnover of the region's customers in the user's units (admins:
    every unit), in one grouped query."""
    estimates = list(estimate_list(user=user, year=year))
    if not estimates:
        return []
    rows = (
        MonthlyTurnover.objects.visible_to(user)
        .filter(
            customer__region__in={e.region_id for e in estimates},
            month__gte=date(min(e.year for e in estimates), 1, 1),
            month__lte=date(max(e.year for e in estimates), 12, 1),
        )
        .annotate(year=ExtractYear("month"))
        .values("customer__region", "year")
        .annotate(s=Sum("amount"), n=Count("month", distinct=True))
        .order_by()
    )
    ours = {(r["customer__region"], r["year"]): (r["s"], r["n"]) for r in rows}
    return [ShareLine(e, *ours.get((e.region_id, e.year), (ZERO, 0))) for e in estimates]


def share_years(*, user) -> list[int]:
    return list(
        MarketEstimate.objects.visible_to(user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass
class RatioLine:
    month: date
    turnover: Decimal
    costs: dict  # head -> amount, empty without costs entered
    cells: dict = field(default_factory=dict)  # head -> rules.RatioCell

    @property
    def warned(self) -> bool:
        return any(cell.warn for cell in self.cells.values())

    @property
    def columns(self) -> list[tuple[Decimal | None, rules.RatioCell]]:
        """(cost, its ratio cell) per head, in the page's order."""
        return [(self.costs.get(head), self.cells[head]) for head in COST_HEADS]


def cost_ratios(*, user, unit: ServiceUnit, month: date, count: int = 12) -> list[RatioLine]:
    """The unit's five cost-to-turnover ratios for the `count` months up to
    `month`, each against the mean ratio of the six months before it; a ratio
    that moved more than the admins' setting is warned. Turnover is the
    monthly turnover of the unit's customers the user may see."""
    window = months.trailing(months.first_of(month), count + rules.AVERAGE_MONTHS)
    start, end = window[0], window[-1]
    turnover = dict(
        MonthlyTurnover.objects.visible_to(user)
        .filter(customer__unit=unit, month__gte=start, month__lte=end)
        .values_list("month")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    costs = {
        c.month: c.amounts()
        for c in MarketingCost.objects.visible_to(user).filter(
            unit=unit, month__gte=start, month__lte=end
        )
    }
    lines = [
        RatioLine(month=m, turnover=turnover.get(m, ZERO), costs=costs.get(m, {})) for m in window
    ]
    points = warning_points()
    for head in COST_HEADS:
        ratios = [
            rules.percent(line.costs[head], line.turnover) if line.costs else None for line in lines
        ]
        for line, cell in zip(lines, rules.ratio_cells(ratios, points), strict=True):
            line.cells[head] = cell
    return lines[rules.AVERAGE_MONTHS :]


def ratio_units(*, user):
    """The units whose ratios the user may read."""
    return units_for(user, "review")


def latest_cost_month(*, user, unit: ServiceUnit | None = None) -> date | None:
    return cost_list(user=user, unit=unit).values_list("month", flat=True).first()
