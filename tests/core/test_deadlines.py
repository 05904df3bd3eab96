"""The deadline engine (pure): due times over the work calendar, and SLA badges."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_site.core import deadlines
from crm_site.core.deadlines import Policy, due_at, sla_state
from crm_site.core.workcal import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
# Week of 5 Oct 2026: Mon–Wed off (National Day), Saturday 10 Oct a make-up working day (调休).
CALENDAR = WorkCalendar(
    overrides={
        date(2026, 10, 5): False,
        date(2026, 10, 6): False,
        date(2026, 10, 7): False,
        date(2026, 10, 10): True,
    }
)


def at(day, hour, minute=0):
    return datetime(2026, 10, day, hour, minute, tzinfo=SH)


def test_working_hours_from_friday_afternoon_skip_the_weekend():
    # Fri 13 Nov 2026 16:00 + 4 working hours: 2 on Friday, 2 on Monday.
    start = datetime(2026, 11, 13, 16, 0, tzinfo=SH)
    due = due_at(start, Policy(4, deadlines.WORKING_HOURS), WorkCalendar())
    assert due == datetime(2026, 11, 16, 11, 0, tzinfo=SH)


def test_working_hours_run_on_a_make_up_saturday_and_skip_the_holiday():
    # Fri 9 Oct 17:00 + 3 working hours: 1 on Friday, then Saturday 10 Oct (调休) from 09:00.
    assert due_at(at(9, 17), Policy(3, deadlines.WORKING_HOURS), CALENDAR) == at(10, 11)
    # Fri 2 Oct 17:00 + 2 working hours: the holiday Monday to Wednesday is skipped.
    assert due_at(at(2, 17), Policy(2, deadlines.WORKING_HOURS), CALENDAR) == at(8, 10)


def test_working_hours_started_at_night_start_at_the_next_opening():
    assert due_at(at(8, 22), Policy(1, deadlines.WORKING_HOURS), CALENDAR) == at(9, 10)


def test_working_days_end_at_close_of_business():
    # Thu 8 Oct + 2 working days: Fri 9, Sat 10 (调休) → Saturday 18:00.
    assert due_at(at(8, 10), Policy(2, deadlines.WORKING_DAYS), CALENDAR) == at(10, 18)
    # Received on a holiday, counted from that day: Mon 5 Oct + 1 → Thu 8 Oct.
    assert due_at(at(5, 12), Policy(1, deadlines.WORKING_DAYS), CALENDAR) == at(8, 18)


def test_calendar_policies_ignore_the_calendar():
    assert due_at(at(3, 12), Policy(30, deadlines.CALENDAR_HOURS), CALENDAR) == at(4, 18)
    assert due_at(at(3, 12), Policy(2, deadlines.CALENDAR_DAYS), CALENDAR) == at(5, 12)


def test_a_policy_with_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        Policy(1, "fortnights")


@pytest.mark.parametrize(
    ("left", "state", "minutes"),
    [
        (timedelta(hours=3), "time_left", 180),
        (timedelta(minutes=59), "due_soon", 59),
        (timedelta(hours=1), "due_soon", 60),
        (timedelta(0), "overdue", 0),
        (timedelta(minutes=-90), "overdue", 90),
    ],
)
def test_the_sla_badge_counts_the_minutes(left, state, minutes):
    now = at(8, 12)
    sla = sla_state(due=now + left, now=now)
    assert (sla.state, sla.minutes) == (state, minutes)


def test_an_overdue_deadline_already_escalated_shows_escalated():
    now = at(8, 12)
    sla = sla_state(due=now - timedelta(hours=2), now=now, escalated_at=now - timedelta(hours=1))
    assert (sla.state, sla.minutes) == ("escalated", 120)


def test_done_says_whether_it_was_on_time():
    due = at(8, 12)
    assert sla_state(due=due, now=at(9, 9), done=True, done_at=at(8, 11)).on_time is True
    assert sla_state(due=due, now=at(9, 9), done=True, done_at=at(8, 13)).on_time is False
    assert sla_state(due=None, now=at(9, 9), done=True, done_at=at(8, 13)).on_time is None
    assert sla_state(due=due, now=at(9, 9), done=True).state == "done"


def test_no_deadline_yet_shows_time_left():
    assert sla_state(due=None, now=at(8, 12)) == deadlines.SlaState("time_left")


def test_the_due_soon_window_is_the_callers():
    now = at(8, 12)
    sla = sla_state(due=now + timedelta(hours=20), now=now, due_soon=timedelta(hours=24))
    assert sla.state == "due_soon"
