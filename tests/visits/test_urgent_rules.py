"""Urgent-report rules without the database: deadline, SLA badge, least-loaded manager."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from crm_site.core.workcal import WorkCalendar
from visits.templatetags.urgent_tags import duration
from visits.urgent import rules as urgent_rules

SH = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_2026 = WorkCalendar(overrides={date(2026, 10, d): False for d in range(1, 8)})


def at(day, hour, minute=0):
    return datetime(2026, day[0], day[1], hour, minute, tzinfo=SH)


def test_a_report_raised_in_the_morning_must_be_acknowledged_four_working_hours_later():
    raised = at((11, 23), 9, 30)  # Monday
    assert urgent_rules.ack_deadline(raised, hours=4, calendar=WorkCalendar()) == at(
        (11, 23), 13, 30
    )


def test_a_report_raised_late_on_friday_carries_over_to_monday():
    raised = at((11, 27), 16, 0)  # Friday, two working hours left that day
    deadline = urgent_rules.ack_deadline(raised, hours=4, calendar=WorkCalendar())
    assert deadline == at((11, 30), 11, 0)


def test_a_report_raised_at_night_starts_the_clock_at_the_next_opening():
    raised = at((11, 23), 22, 15)
    assert urgent_rules.ack_deadline(raised, hours=4, calendar=WorkCalendar()) == at(
        (11, 24), 13, 0
    )


def test_the_national_day_holiday_does_not_count():
    raised = at((9, 30), 17, 0)  # Wednesday before the holiday week
    deadline = urgent_rules.ack_deadline(raised, hours=4, calendar=NATIONAL_DAY_2026)
    assert deadline == at((10, 8), 12, 0)


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.floats(min_value=0.25, max_value=40),
)
def test_the_deadline_is_never_before_the_report_and_falls_in_working_hours(raised, hours):
    raised = raised.replace(tzinfo=SH)
    calendar = WorkCalendar()
    deadline = urgent_rules.ack_deadline(raised, hours=hours, calendar=calendar)
    assert deadline > raised
    assert calendar.is_working_day(deadline.date())
    assert calendar.day_start <= deadline.time() <= calendar.day_end


NOW = at((11, 23), 10, 0)


def badge(status="routed", deadline=NOW + timedelta(hours=3), acknowledged=None, escalated=None):
    return urgent_rules.sla(
        status=status,
        ack_deadline=deadline,
        acknowledged_at=acknowledged,
        escalated_at=escalated,
        now=NOW,
    )


def test_a_routed_report_shows_the_time_left():
    assert badge() == urgent_rules.Sla("time_left", minutes=180)
    assert badge().tone == "success"


def test_the_last_hour_turns_the_badge_amber():
    assert badge(deadline=NOW + timedelta(minutes=45)).state == "due_soon"


def test_past_the_deadline_the_badge_says_overdue_and_by_how_much():
    assert badge(deadline=NOW - timedelta(minutes=90)) == urgent_rules.Sla("overdue", minutes=90)


def test_an_escalated_report_says_escalated():
    late = badge(deadline=NOW - timedelta(hours=2), escalated=NOW - timedelta(hours=1))
    assert late.state == "escalated" and late.needs_attention


def test_an_acknowledged_report_knows_whether_it_was_on_time():
    on_time = badge("acknowledged", acknowledged=NOW + timedelta(hours=1))
    late = badge("acknowledged", acknowledged=NOW + timedelta(hours=5))
    assert (on_time.state, on_time.on_time) == ("acknowledged", True)
    assert late.on_time is False


def test_a_resolved_report_needs_no_attention():
    assert not badge("resolved", deadline=NOW - timedelta(days=3)).needs_attention


def test_the_least_loaded_manager_wins_and_ties_go_to_the_lowest_id():
    assert urgent_rules.least_loaded([(7, 2), (3, 1), (9, 1)]) == 3
    assert urgent_rules.least_loaded([(9, 0), (4, 0)]) == 4
    assert urgent_rules.least_loaded([]) is None


def test_durations_read_as_days_hours_and_minutes():
    from django.utils import translation

    with translation.override("en"):
        assert duration(40) == "40 min"
        assert duration(135) == "2 h 15 min"
        assert duration(60 * 27) == "1 d 3 h"
