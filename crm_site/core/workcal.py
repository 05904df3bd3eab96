"""Working days and working hours (pure: no ORM, no settings).

Weekends are off unless an override says otherwise; overrides add holidays on
weekdays and make-up working days (调休) on weekends. Load the overrides with
crm_site.core.services.work_calendar().
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)  # date -> is_working
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from start to end, both included."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def count_working_days(self, start: date, end: date) -> int:
        return len(self.working_days(start, end))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n=0: start itself if working, else the next)."""
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        remaining = n
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`start` plus `hours` of working time (day_start..day_end on working days).

        `start` must be an aware or naive local datetime; the result has the same tzinfo.
        """
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """`start` plus `amount` of working time, exact to the microsecond."""
        remaining = amount
        current = start
        tz = start.tzinfo
        while True:
            day = current.date()
            open_at = datetime.combine(day, self.day_start, tzinfo=tz)
            close_at = datetime.combine(day, self.day_end, tzinfo=tz)
            if not self.is_working_day(day) or current >= close_at:
                current = datetime.combine(self.next_working_day(day), self.day_start, tzinfo=tz)
                continue
            if current < open_at:
                current = open_at
            available = close_at - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = datetime.combine(self.next_working_day(day), self.day_start, tzinfo=tz)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (same tzinfo); zero if end <= start."""
        total = timedelta(0)
        tz = start.tzinfo
        day = start.date()
        while start < end and day <= end.date():
            if self.is_working_day(day):
                open_at = datetime.combine(day, self.day_start, tzinfo=tz)
                close_at = datetime.combine(day, self.day_end, tzinfo=tz)
                lo, hi = max(start, open_at), min(end, close_at)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total
