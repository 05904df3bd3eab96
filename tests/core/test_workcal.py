"""Working days and hours: weekends off, holidays and make-up days (调休) from admins."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from crm_site.core.workcal import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_2026 = WorkCalendar(
    overrides={
        **{date(2026, 10, d): False for d in range(1, 8)},
        date(2026, 9, 27): True,  # Sunday make-up day
        date(2026, 10, 10): True,  # Saturday make-up day
    }
)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
overrides = st.dictionaries(days, st.booleans(), max_size=30)


def test_weekends_are_off_and_weekdays_are_working_by_default():
    cal = WorkCalendar()
    assert cal.is_working_day(date(2026, 11, 23))  # Monday
    assert not cal.is_working_day(date(2026, 11, 22))  # Sunday


def test_holidays_and_make_up_days_override_the_week():
    assert not NATIONAL_DAY_2026.is_working_day(date(2026, 10, 5))
    assert NATIONAL_DAY_2026.is_working_day(date(2026, 9, 27))
    assert NATIONAL_DAY_2026.count_working_days(date(2026, 10, 1), date(2026, 10, 11)) == 3


def test_adding_working_days_skips_the_golden_week():
    # Wed 30 Sep + 1 working day = Thu 8 Oct.
    assert NATIONAL_DAY_2026.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning():
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=SH)
    assert WorkCalendar().add_working_hours(friday, 4) == datetime(2026, 11, 23, 11, 0, tzinfo=SH)


def test_working_hours_before_opening_start_at_opening():
    early = datetime(2026, 11, 23, 7, 30, tzinfo=SH)
    assert WorkCalendar().add_working_hours(early, 1) == datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@given(start=days, n=st.integers(min_value=1, max_value=40), ov=overrides)
def test_add_working_days_lands_on_a_working_day_with_exactly_n_between(start, n, ov):
    cal = WorkCalendar(overrides=ov)
    end = cal.add_working_days(start, n)
    assert end > start
    assert cal.is_working_day(end)
    assert cal.count_working_days(start + timedelta(days=1), end) == n


@given(start=days, ov=overrides, hours=st.integers(min_value=1, max_value=60))
def test_added_working_hours_end_inside_working_time_and_never_before_start(start, ov, hours):
    cal = WorkCalendar(overrides=ov)
    begin = datetime.combine(start, datetime.min.time(), tzinfo=SH) + timedelta(hours=10)
    end = cal.add_working_hours(begin, hours)
    assert end > begin
    assert cal.is_working_day(end.date())
    assert cal.day_start <= end.time() <= cal.day_end
