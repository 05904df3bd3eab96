"""Pure revenue rules: rolling annual revenue, the trend from monthly turnover,
the early-warning test. No ORM, no settings.

Amounts are CNY; the grading rule reads annual revenue in 万元 (CNY 10k).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")
# The share by which the last 12 months must differ from the 12 before (and
# the fitted line must point the same way) for a customer to count as growing
# or declining; without a previous year, the fitted line's change over the
# year against the monthly mean decides alone.
TREND_THRESHOLD = Decimal("0.05")
# A customer whose turnover falls by more than this share two months running
# raises a watch item (流失 warning).
FALL_SHARE = Decimal("0.20")


@dataclass(frozen=True)
class TrendFigures:
    annual_wan: Decimal  # the last 12 months, in 万元
    slope: Decimal  # CNY per month, least squares over the last 12 months
    change: Decimal | None  # against the 12 months before; None without them
    trend: str  # "growing", "stable" or "declining"


def slope(amounts: Sequence[Decimal]) -> Decimal:
    """Least-squares slope of `amounts` (oldest first) per step; 0 for fewer than two."""
    n = len(amounts)
    if n < 2:
        return Decimal(0)
    mean_x = Decimal(n - 1) / 2
    mean_y = sum(amounts, Decimal(0)) / n
    num = sum(((Decimal(i) - mean_x) * (y - mean_y) for i, y in enumerate(amounts)), Decimal(0))
    den = sum(((Decimal(i) - mean_x) ** 2 for i in range(n)), Decimal(0))
    return (num / den).quantize(CENT)


def trend_figures(
    last12: Sequence[Decimal], prior12: Sequence[Decimal], threshold: Decimal = TREND_THRESHOLD
) -> TrendFigures:
    """Annual revenue and trend from two 12-month runs of turnover, oldest first
    (a month without turnover counts as 0)."""
    total = sum(last12, Decimal(0))
    before = sum(prior12, Decimal(0))
    fitted = slope(last12)
    change = ((total - before) / before).quantize(Decimal("0.0001")) if before > 0 else None
    mean = total / len(last12) if last12 else Decimal(0)
    relative = fitted * 12 / mean if mean > 0 else Decimal(0)
    if change is None:
        up, down = relative >= threshold, relative <= -threshold
    else:
        up = change >= threshold and fitted > 0
        down = change <= -threshold and fitted < 0
    trend = "growing" if up else "declining" if down else "stable"
    return TrendFigures(
        annual_wan=(total / TEN_THOUSAND).quantize(CENT), slope=fitted, change=change, trend=trend
    )


def falling_twice(amounts: Sequence[Decimal], share: Decimal) -> bool:
    """Whether the last two of `amounts` (oldest first, at least three) each fell
    by more than `share` from the month before."""
    if len(amounts) < 3:
        return False
    a, b, c = amounts[-3:]
    return a > 0 and b < a * (1 - share) and c < b * (1 - share)
