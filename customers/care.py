"""Care dates (客户关怀, 客户维护管理): pure date arithmetic, no ORM.

A contact's care date is a birthday or an anniversary stored with its year;
what matters is its next occurrence. A 29 February falls on 28 February in a
year that has none.
"""

import calendar
from datetime import date, timedelta

# The visiting person is reminded this many days before the date.
REMIND_DAYS_AHEAD = 7


def occurrence_in(care_date: date, year: int) -> date:
    """The care date's anniversary in `year` (29 Feb -> 28 Feb in a common year)."""
    if care_date.month == 2 and care_date.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return care_date.replace(year=year)


def next_occurrence(care_date: date, today: date) -> date:
    """The first anniversary of `care_date` on or after `today`."""
    this_year = occurrence_in(care_date, today.year)
    return this_year if this_year >= today else occurrence_in(care_date, today.year + 1)


def month_days(start: date, days: int) -> set[tuple[int, int]]:
    """(month, day) pairs of the stored care dates whose anniversary falls in
    start .. start + days (inclusive): what a query filters on. 29 February is
    included when 28 February of a common year is in the window."""
    pairs = set()
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        pairs.add((day.month, day.day))
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            pairs.add((2, 29))
    return pairs


def years_since(care_date: date, occurrence: date) -> int:
    """Age on a birthday, or years married / in business on an anniversary."""
    return occurrence.year - care_date.year
