"""Pure market rules: market shares and the cost-to-turnover ratios with their
warning against the months before. No ORM, no settings.

Shares and ratios are percentages to two decimals.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

HUNDREDTH = Decimal("0.01")
# How far (in percentage points) a cost ratio may move from its average over
# the months before before the page warns; admins change it (MarketingPolicy).
DEFAULT_WARNING_POINTS = Decimal("2.00")
# The months before a month whose ratios make up its average.
AVERAGE_MONTHS = 6


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`; None without a whole above 0."""
    if not whole or whole <= 0:
        return None
    return (part / whole * 100).quantize(HUNDREDTH)


@dataclass(frozen=True)
class RatioCell:
    ratio: Decimal | None  # cost / turnover, %
    average: Decimal | None  # mean ratio of the months before that have one
    warn: bool

    @property
    def moved(self) -> Decimal | None:
        if self.ratio is None or self.average is None:
            return None
        return self.ratio - self.average


def ratio_cells(
    ratios: Sequence[Decimal | None],
    points: Decimal = DEFAULT_WARNING_POINTS,
    window: int = AVERAGE_MONTHS,
) -> list[RatioCell]:
    """For each month of `ratios` (oldest first, None where there is no ratio),
    the ratio, the mean of the ratios of the `window` months before it (those
    that have one) and whether the ratio moved more than `points` from it."""
    cells = []
    for i, ratio in enumerate(ratios):
        before = [r for r in ratios[max(0, i - window) : i] if r is not None]
        average = (sum(before, Decimal(0)) / len(before)).quantize(HUNDREDTH) if before else None
        warn = ratio is not None and average is not None and abs(ratio - average) > points
        cells.append(RatioCell(ratio=ratio, average=average, warn=warn))
    return cells
