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
    weighted = sum((i * y for i, y in enumerate(amounts)), Decimal(0))
    return slope_from_sums(len(amounts), sum(amounts, Decimal(0)), weighted)


def slope_from_sums(n: int, total: Decimal, weighted: Decimal) -> Decimal:
    """The least-squares slope of n amounts from their total and the sum of
    i × amount over i = 0 .. n-1: (Σ i·y - mean(i)·Σ y) / Σ (i - mean(i))²,
    exact until the final rounding to the cent (so a database may add up the
    two sums)."""
    if n < 2:
        return Decimal(0)
    num = weighted - Decimal(n - 1) / 2 * total
    den = Decimal(n * (n * n - 1)) / 12
    return (num / den).quantize(CENT)


def trend_figures(
    last12: Sequence[Decimal], prior12: Sequence[Decimal], threshold: Decimal = TREND_THRESHOLD
) -> TrendFigures:
    """Annual revenue and trend from two 12-month runs of turnover, oldest first
    (a month without turnover counts as 0)."""
    weighted = sum((i * y for i, y in enumerate(last12)), Decimal(0))
    return trend_from_sums(
        total=sum(last12, Decimal(0)),
        before=sum(prior12, Decimal(0)),
        weighted=weighted,
        months=len(last12),
        threshold=threshold,
    )


def trend_from_sums(
    *,
    total: Decimal,
    before: Decimal,
    weighted: Decimal,
    months: int = 12,
    threshold: Decimal = TREND_THRESHOLD,
) -> TrendFigures:
    """trend_figures from sums over the two runs: the last `months` months'
    total and Σ i × amount (i = 0 for the oldest), and the total of the
    `months` before them."""
    fitted = slope_from_sums(months, total, weighted)
    change = ((total - before) / before).quantize(Decimal("0.0001")) if before > 0 else None
    mean = total / months if months else Decimal(0)
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
