"""Care dates (客户关怀, 客户维护管理): pure date arithmetic, no ORM.

A contact's care date is a birthday or an anniversary stored with its year;
what matters is its next occurrence. A 29 February falls on 28 February in a
year that has none. The major festivals' greetings (below) are the other
care dates: one implementation for the planner and the care page.
"""

import calendar
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from crm_site.core.workcal import WorkCalendar

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


# --- festivals (节日关怀) -------------------------------------------------------
#
# The major festivals whose greetings go to every customer's contacts: 春节,
# 端午, 中秋 and 国庆, named as the holiday calendar (the chinesecalendar
# package) names them. The greeting is due on the last working day before the
# festival's first day off: the official arrangement where the package has the
# year; after its last year, the festival itself from the lunar calendar below
# (除夕 and 初一 for the Spring Festival, 1 October for National Day). The
# nightly planner (visits.plans.services) puts the greeting on the visiting
# person's calendar and the care page lists the coming festivals, both from
# festival_greetings().

SPRING_FESTIVAL = "Spring Festival"
DRAGON_BOAT = "Dragon Boat Festival"
MID_AUTUMN = "Mid-autumn Festival"
NATIONAL_DAY = "National Day"
FESTIVALS = (SPRING_FESTIVAL, DRAGON_BOAT, MID_AUTUMN, NATIONAL_DAY)

FESTIVAL_LABELS = {
    SPRING_FESTIVAL: _("Spring Festival (春节)"),
    DRAGON_BOAT: _("Dragon Boat Festival (端午)"),
    MID_AUTUMN: _("Mid-autumn Festival (中秋)"),
    NATIONAL_DAY: _("National Day (国庆)"),
}

# 正月初一, 五月初五 and 八月十五 of the lunar calendar (农历), for the years after
# the holiday calendar's data; each is the first, fifth and fifteenth day of a
# lunar month counted from the new moon in Beijing time (leap months: 2028 闰五月,
# 2031 闰三月, 2033 闰十一月, 2036 闰六月).
LUNAR_FESTIVALS: dict[int, tuple[date, date, date]] = {
    2027: (date(2027, 2, 6), date(2027, 6, 9), date(2027, 9, 15)),
    2028: (date(2028, 1, 26), date(2028, 5, 28), date(2028, 10, 3)),
    2029: (date(2029, 2, 13), date(2029, 6, 16), date(2029, 9, 22)),
    2030: (date(2030, 2, 3), date(2030, 6, 5), date(2030, 9, 12)),
    2031: (date(2031, 1, 23), date(2031, 6, 24), date(2031, 10, 1)),
    2032: (date(2032, 2, 11), date(2032, 6, 12), date(2032, 9, 19)),
    2033: (date(2033, 1, 31), date(2033, 6, 1), date(2033, 9, 8)),
    2034: (date(2034, 2, 19), date(2034, 6, 20), date(2034, 9, 27)),
    2035: (date(2035, 2, 8), date(2035, 6, 10), date(2035, 9, 16)),
    2036: (date(2036, 1, 28), date(2036, 5, 30), date(2036, 10, 4)),
}


def _official_holidays() -> dict[date, str]:
    import chinese_calendar

    return chinese_calendar.holidays


def festival_days_off(start: date, end: date, official: dict[date, str] | None = None) -> dict:
    """{day: festival} for the major festivals' days off from `start` to `end`:
    the official holidays for the years the holiday calendar has (`official`,
    by default the chinesecalendar package's), else the festival days."""
    official = _official_holidays() if official is None else official
    covered = {day.year for day, name in official.items() if name in FESTIVALS}
    days: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        if year in covered:
            days.update(
                (day, name)
                for day, name in official.items()
                if day.year == year and name in FESTIVALS
            )
        elif year in LUNAR_FESTIVALS:
            spring, dragon_boat, mid_autumn = LUNAR_FESTIVALS[year]
            days[spring - timedelta(days=1)] = SPRING_FESTIVAL  # 除夕
            days[spring] = SPRING_FESTIVAL
            days[dragon_boat] = DRAGON_BOAT
            days[mid_autumn] = MID_AUTUMN
            days[date(year, 10, 1)] = NATIONAL_DAY
        else:
            days[date(year, 10, 1)] = NATIONAL_DAY
    return {day: name for day, name in days.items() if start <= day <= end}


def greeting_days(holidays: dict[date, str], working_days: list[date]) -> dict[date, str]:
    """{greeting day: festival}: the last working day before the first day off
    of each festival (`holidays`: day -> festival name; `working_days` sorted)."""
    out: dict[date, str] = {}
    for day in sorted(holidays):
        name = holidays[day]
        if name not in FESTIVALS or holidays.get(day - timedelta(days=1)) == name:
            continue
        before = [d for d in working_days if d < day]
        if before:
            out[before[-1]] = name
    return out


# A greeting day comes at most this many days before its festival's first day
# off (a long run of days off just before it would be longer than a week).
GREETING_LOOKAHEAD = 10


def festival_greetings(
    start: date, end: date, calendar: WorkCalendar, official: dict[date, str] | None = None
) -> dict[date, str]:
    """{greeting day: festival} for the greeting days from `start` to `end` on
    the work `calendar` (its overrides loaded from GREETING_LOOKAHEAD days
    before `start` to as many after `end`: a greeting near `end` belongs to a
    festival after it)."""
    last = end + timedelta(days=GREETING_LOOKAHEAD)
    days_off = festival_days_off(start, last, official)
    working = calendar.working_days(start - timedelta(days=GREETING_LOOKAHEAD), last)
    return {
        day: name for day, name in greeting_days(days_off, working).items() if start <= day <= end
    }


def festival_day(greeting: date, festival: str, official: dict[date, str] | None = None) -> date:
    """The festival's first day off after its greeting day."""
    days_off = festival_days_off(greeting, greeting + timedelta(days=GREETING_LOOKAHEAD), official)
    return min(
        (day for day, name in days_off.items() if name == festival and day > greeting),
        default=greeting + timedelta(days=1),
    )
