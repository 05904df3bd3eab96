"""Deadlines, SLA badges and escalation claims, over the work calendar.

Shared by complaints (a deadline to resolve, a reminder before it, an
escalation at it) and urgent reports (a deadline to acknowledge, escalated
once past it).

The first half is pure (no ORM, no settings): a Policy says how long
something may take, `due_at` turns a start time into a due time over a
WorkCalendar, `sla_state` says what a badge shows at a moment. The second
half turns the same rules into querysets and conditional UPDATEs: which rows
are due for a reminder or an escalation and not yet sent one, and the claim
that makes sending it happen once.

A `Clock` may carry the intervals it was stopped (a complaint waiting for an
outlet's reply or the customer's evidence): `clock_due_at` moves the due time
on by the time each pause took out of the clock (working time for a working
clock, elapsed time for a calendar one), to the second. A clock that must
never stop (a regulatory one) is simply a Clock without pauses.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_site.core.workcal import WorkCalendar

# --- policies and due times (pure) ---------------------------------------------

WORKING_HOURS = "working_hours"
WORKING_DAYS = "working_days"
CALENDAR_HOURS = "calendar_hours"
CALENDAR_DAYS = "calendar_days"
UNITS = (WORKING_HOURS, WORKING_DAYS, CALENDAR_HOURS, CALENDAR_DAYS)


@dataclass(frozen=True)
class Policy:
    """How long something may take.

    - working_hours: that much working time (the calendar's opening hours on
      working days); started outside them, the clock starts at the next opening;
    - working_days: close of business on the n-th working day after the day
      it started (a start on a day off counts from that day like any other);
    - calendar_hours / calendar_days: plain elapsed time.
    """

    amount: float
    unit: str = WORKING_DAYS

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown deadline unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a deadline policy cannot be negative")


Pause = tuple[datetime, datetime]  # (stopped at, restarted at), aware


@dataclass(frozen=True)
class Clock:
    """When a clock started, under which policy, and the intervals it was
    stopped (closed ones: an open pause has no end yet, so no due time)."""

    started_at: datetime  # aware, in the local time of the calendar
    policy: Policy
    pauses: tuple[Pause, ...] = ()


def due_at(start: datetime, policy: Policy, calendar: WorkCalendar) -> datetime:
    """The due time of a clock started at `start` (local, aware); same tzinfo."""
    if policy.unit == WORKING_HOURS:
        return calendar.add_working_hours(start, policy.amount)
    if policy.unit == WORKING_DAYS:
        day = calendar.add_working_days(start.date(), int(policy.amount))
        return datetime.combine(day, calendar.day_end, tzinfo=start.tzinfo)
    if policy.unit == CALENDAR_HOURS:
        return start + timedelta(hours=policy.amount)
    return start + timedelta(days=policy.amount)


def is_working_unit(unit: str) -> bool:
    return unit in (WORKING_HOURS, WORKING_DAYS)


def paused_due(
    due: datetime, pauses: Iterable[Pause], unit: str, calendar: WorkCalendar
) -> datetime:
    """`due` moved on by each pause, in order: a pause that began before the
    (moved) due time adds the time it took out of the clock (its working time
    for a working unit, its length otherwise); one that began at or after it
    found the clock already run out and adds nothing."""
    for stopped, restarted in sorted(pauses):
        if stopped >= due or restarted <= stopped:
            continue
        if is_working_unit(unit):
            lost = calendar.working_time_between(stopped, restarted)
            due = calendar.add_working_time(due, lost) if lost else due
        else:
            due += restarted - stopped
    return due


def clock_due_at(clock: Clock, calendar: WorkCalendar) -> datetime:
    """The due time of `clock`: by its policy from its start, moved on by its pauses."""
    due = due_at(clock.started_at, clock.policy, calendar)
    return paused_due(due, clock.pauses, clock.policy.unit, calendar)


# --- SLA badge (pure) ------------------------------------------------------------

TIME_LEFT, DUE_SOON, OVERDUE, ESCALATED, DONE = (
    "time_left",
    "due_soon",
    "overdue",
    "escalated",
    "done",
)
DEFAULT_DUE_SOON = timedelta(hours=1)


@dataclass(frozen=True)
class SlaState:
    """What a badge shows about a deadline at a moment.

    state: time_left, due_soon, overdue, escalated (overdue and already
    escalated) or done; minutes: left (time_left, due_soon) or past the
    deadline (overdue, escalated), else None; on_time: for done, whether it
    was done by the deadline (None without a deadline or a done time).
    """

    state: str
    minutes: int | None = None
    on_time: bool | None = None


def sla_state(
    *,
    due: datetime | None,
    now: datetime,
    done: bool = False,
    done_at: datetime | None = None,
    escalated_at: datetime | None = None,
    due_soon: timedelta = DEFAULT_DUE_SOON,
) -> SlaState:
    if done:
        on_time = None
        if due is not None and done_at is not None:
            on_time = done_at <= due
        return SlaState(DONE, on_time=on_time)
    if due is None:
        return SlaState(TIME_LEFT)
    left = due - now
    if left <= timedelta(0):
        late = int(-left.total_seconds() // 60)
        return SlaState(ESCALATED if escalated_at else OVERDUE, minutes=late)
    minutes = int(left.total_seconds() // 60)
    return SlaState(DUE_SOON if left <= due_soon else TIME_LEFT, minutes=minutes)


def is_overdue(due: datetime | None, now: datetime, *, strict: bool = False) -> bool:
    """Past `due` at `now` (`strict`: only after it, not at it)."""
    if due is None:
        return False
    return due < now if strict else due <= now


# --- what is due now, and the claim that sends it once -------------------------


@dataclass(frozen=True)
class Escalation:
    """A deadline column and the column that records the job was done.

    `overdue(qs, now)`: rows at or past their deadline not yet stamped;
    `due_within(qs, now, before)`: rows whose deadline falls in the coming
    `before` and not yet stamped (reminders); `claim(qs, pk, now)`: stamp one
    row if still unstamped and matching `qs` — True for the one caller that
    did it, so a sweep run twice, or two workers, act once.
    """

    due_field: str
    stamp_field: str

    def overdue(self, qs, now: datetime):
        return qs.filter(**{self.stamp_field: None, f"{self.due_field}__lte": now})

    def due_within(self, qs, now: datetime, before: timedelta):
        return qs.filter(
            **{
                self.stamp_field: None,
                f"{self.due_field}__gt": now,
                f"{self.due_field}__lte": now + before,
            }
        )

    def claim(self, qs, pk, now: datetime, **also) -> bool:
        return bool(
            qs.filter(pk=pk, **{self.stamp_field: None}).update(**{self.stamp_field: now}, **also)
        )

    def pending_ids(self, qs, now: datetime, *, order: Iterable[str] = (), limit=None) -> list:
        ids = self.overdue(qs, now).order_by(*order).values_list("pk", flat=True)
        return list(ids[:limit] if limit else ids)
