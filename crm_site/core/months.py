"""Month arithmetic shared by the apps (pure: no ORM, no settings).

A month is represented by its first day (a date).
"""

from calendar import monthrange
from datetime import date


def first_of(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


def shift(month: date, delta: int) -> date:
    """The first day of the month `delta` months after `month`'s."""
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def parse(value: str | None) -> date | None:
    """'YYYY-MM' → the month's first day; None for anything else."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def closed_months(today: date, count: int) -> list[date]:
    """The `count` months before `today`'s month, most recent first."""
    current = first_of(today)
    return [shift(current, -n) for n in range(1, count + 1)]


def trailing(month: date, count: int) -> list[date]:
    """`count` months ending with `month`, oldest first (the trend chart's axis)."""
    return [shift(month, -n) for n in range(count - 1, -1, -1)]
