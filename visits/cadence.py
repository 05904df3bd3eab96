"""Visit cadence arithmetic (pure: no ORM, no settings).

A customer's grade carries a cadence (customers.grading.Cadence): on-site
visits per calendar month and phone calls per ISO week. Given that cadence, a
day, the contacts done so far in the period containing that day and the work
calendar, this module says what is required, done, still due and overdue.

Semantics (README, "Visits and daily reports"):

- Periods. Visits count per calendar month; calls per ISO week (Monday to
  Sunday), whatever months the week's days fall in.
- Required. The grade's number, but never more than the working days of the
  period: one contact of a kind per customer per working day is the most we
  ask. A week of public holidays asks for no calls.
- Done. Contacts of that kind in the period made by the customer's visiting
  person. Another person's contact (a regional salesperson's call, a
  colleague standing in) is on record but does not count: the cadence is
  the visiting person's duty. visits/queries.py (the due list, the card) and
  visits/compliance.py (the compliance page, the monthly summary) count so.
- Due. Required minus done, never below zero.
- Remaining. Working days from the day itself (inclusive) to the period's
  end; zero once the period is over.
- Overdue. More contacts still due than working days remaining: even one
  contact every remaining working day can no longer meet the requirement in
  time. On the last working day one call still due is due, two are overdue;
  after the period ends anything still due is overdue (missed).
- Slack. Remaining minus due; negative when overdue. The due list puts the
  smallest slack first (most urgent).

For a month's compliance (supervisors' page, monthly summary) each ISO week
belongs to the month that holds its Thursday (as ISO years do), so every week
is counted in exactly one month.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from crm_site.core.workcal import WorkCalendar


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of the calendar month of `day`."""
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def iso_week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week of `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of_week(monday: date) -> tuple[int, int]:
    """(year, month) an ISO week is counted in: the month of its Thursday."""
    thursday = monday + timedelta(days=3)
    return thursday.year, thursday.month


def weeks_of_month(year: int, month: int) -> list[tuple[date, date]]:
    """(Monday, Sunday) of the ISO weeks whose Thursday falls in the month."""
    first = date(year, month, 1)
    monday, _sunday = iso_week_bounds(first)
    if month_of_week(monday) != (year, month):
        monday += timedelta(days=7)
    weeks = []
    while month_of_week(monday) == (year, month):
        weeks.append((monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class PeriodStatus:
    """One kind of contact in one period (a month of visits or a week of calls)."""

    start: date
    end: date
    required: int
    done: int
    remaining_days: int

    @property
    def due(self) -> int:
        return max(0, self.required - self.done)

    @property
    def counted(self) -> int:
        """Done, but no more than required: extra contacts do not make up for other periods."""
        return min(self.done, self.required)

    @property
    def overdue(self) -> bool:
        return self.due > self.remaining_days

    @property
    def slack(self) -> int:
        return self.remaining_days - self.due

    @property
    def met(self) -> bool:
        return self.due == 0


def period_status(
    *, per_period: int, start: date, end: date, day: date, done: int, calendar: WorkCalendar
) -> PeriodStatus:
    """Status of a period from `start` to `end` as seen on `day` (see module doc)."""
    required = min(max(per_period, 0), calendar.count_working_days(start, end))
    remaining = calendar.count_working_days(max(day, start), end) if day <= end else 0
    return PeriodStatus(
        start=start, end=end, required=required, done=max(done, 0), remaining_days=remaining
    )


def _status_within(
    bounds: tuple[date, date], per_period: int, day: date, done: int, calendar: WorkCalendar
) -> PeriodStatus:
    start, end = bounds
    return period_status(
        per_period=per_period, start=start, end=end, day=day, done=done, calendar=calendar
    )


def visit_status(cadence, day: date, visits_done: int, calendar: WorkCalendar) -> PeriodStatus:
    """On-site visits in the calendar month of `day`."""
    return _status_within(month_bounds(day), cadence.visits_per_month, day, visits_done, calendar)


def call_status(cadence, day: date, calls_done: int, calendar: WorkCalendar) -> PeriodStatus:
    """Phone calls in the ISO week of `day`."""
    return _status_within(iso_week_bounds(day), cadence.calls_per_week, day, calls_done, calendar)


@dataclass(frozen=True)
class CadenceStatus:
    """A customer's visits this month and calls this week."""

    visits: PeriodStatus
    calls: PeriodStatus

    @property
    def due(self) -> bool:
        return not (self.visits.met and self.calls.met)

    @property
    def overdue(self) -> bool:
        return self.visits.overdue or self.calls.overdue

    @property
    def urgency(self) -> tuple[int, int]:
        """Sort key, most urgent first: smallest slack, then most contacts still due."""
        slacks = [p.slack for p in (self.visits, self.calls) if not p.met]
        return (min(slacks) if slacks else 10**6, -(self.visits.due + self.calls.due))


def cadence_status(
    cadence, day: date, *, visits_done: int, calls_done: int, calendar: WorkCalendar
) -> CadenceStatus:
    return CadenceStatus(
        visits=visit_status(cadence, day, visits_done, calendar),
        calls=call_status(cadence, day, calls_done, calendar),
    )


@dataclass(frozen=True)
class MonthRequirement:
    """What one grade asks for in a month, for compliance."""

    visits: int
    weeks: tuple[tuple[date, date, int], ...]  # (Monday, Sunday, calls required)

    @property
    def calls(self) -> int:
        return sum(required for _start, _end, required in self.weeks)


def month_requirement(
    cadence, year: int, month: int, calendar: WorkCalendar, as_of: date | None = None
) -> MonthRequirement:
    """Visits required in the month and calls per counted week.

    With `as_of` inside the month (the month in progress), weeks that have not
    started yet are left out: nobody can be behind on them. Visits are a
    monthly requirement and count in full.
    """
    start, end = month_bounds(date(year, month, 1))
    visits = min(max(cadence.visits_per_month, 0), calendar.count_working_days(start, end))
    weeks = tuple(
        (
            monday,
            sunday,
            min(max(cadence.calls_per_week, 0), calendar.count_working_days(monday, sunday)),
        )
        for monday, sunday in weeks_of_month(year, month)
        if as_of is None or monday <= as_of
    )
    return MonthRequirement(visits=visits, weeks=weeks)


def percent(done: int, required: int) -> float | None:
    """Compliance in percent (one decimal), or None when nothing was required."""
    if required <= 0:
        return None
    return round(100.0 * min(done, required) / required, 1)
