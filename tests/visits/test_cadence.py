"""Cadence arithmetic: required, done, due and overdue over months, ISO weeks and the calendar."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from crm_site.core.workcal import WorkCalendar
from customers.grading import Cadence
from visits import cadence as cad

A = Cadence(visits_per_month=3, calls_per_week=2)
D = Cadence(visits_per_month=1, calls_per_week=1)
PLAIN = WorkCalendar()
# National Day 2026: 1–7 Oct off; Sun 27 Sep and Sat 10 Oct are make-up working days (调休).
NATIONAL_DAY_2026 = WorkCalendar(
    overrides={
        **{date(2026, 10, d): False for d in range(1, 8)},
        date(2026, 9, 27): True,
        date(2026, 10, 10): True,
    }
)

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
overrides = st.dictionaries(days, st.booleans(), max_size=40)
cadences = st.builds(
    Cadence,
    visits_per_month=st.integers(min_value=0, max_value=8),
    calls_per_week=st.integers(min_value=0, max_value=7),
)
counts = st.integers(min_value=0, max_value=12)


# --- worked examples ---------------------------------------------------------


def test_a_grade_customer_with_one_visit_early_in_the_month_has_two_due_not_overdue():
    status = cad.visit_status(A, date(2026, 11, 10), visits_done=1, calendar=PLAIN)
    assert (status.required, status.done, status.due, status.overdue) == (3, 1, 2, False)


def test_two_visits_due_on_the_last_working_day_of_the_month_are_overdue():
    # Mon 30 Nov 2026 is the last working day of November.
    assert cad.visit_status(A, date(2026, 11, 30), 1, PLAIN).overdue
    assert not cad.visit_status(A, date(2026, 11, 30), 2, PLAIN).overdue  # one left, one day


def test_one_call_due_on_friday_is_due_and_on_saturday_overdue():
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    assert not cad.call_status(A, friday, 1, PLAIN).overdue
    assert cad.call_status(A, saturday, 1, PLAIN).overdue


def test_calls_count_per_iso_week_across_a_month_boundary():
    # Mon 30 Nov – Sun 6 Dec 2026 is one ISO week: a call on 30 Nov still counts on 2 Dec.
    status = cad.call_status(A, date(2026, 12, 2), calls_done=1, calendar=PLAIN)
    assert (status.start, status.end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert status.due == 1


def test_a_week_off_asks_for_no_calls_and_nothing_is_overdue():
    week_off = WorkCalendar(
        overrides={date(2026, 10, 5) + timedelta(days=i): False for i in range(5)}
    )
    status = cad.call_status(A, date(2026, 10, 9), calls_done=0, calendar=week_off)
    assert status.required == 0 and not status.overdue


def test_golden_week_leaves_three_working_days_in_its_iso_week():
    # 28 Sep – 4 Oct 2026: Mon–Wed work, 1–4 Oct off; by Thursday two calls still due are overdue.
    assert cad.call_status(A, date(2026, 9, 30), 1, NATIONAL_DAY_2026).overdue is False
    assert cad.call_status(A, date(2026, 10, 1), 0, NATIONAL_DAY_2026).overdue is True


def test_a_make_up_sunday_is_a_day_left_to_call():
    # Week of 21–27 Sep 2026: Sunday 27 is a working day, so on Sunday one call is still only due.
    status = cad.call_status(D, date(2026, 9, 27), calls_done=0, calendar=NATIONAL_DAY_2026)
    assert (status.remaining_days, status.overdue) == (1, False)


def test_the_week_after_golden_week_has_two_working_days_and_asks_at_most_two_calls():
    # 5–11 Oct 2026: 8 and 9 Oct (Thu, Fri) and the make-up Saturday 10 Oct.
    status = cad.call_status(Cadence(1, 5), date(2026, 10, 5), 0, NATIONAL_DAY_2026)
    assert status.required == 3


def test_weeks_of_a_month_are_those_whose_thursday_falls_in_it():
    weeks = cad.weeks_of_month(2026, 10)
    # Thu 1 Oct is in October, so the week of Mon 28 Sep counts for October.
    assert weeks[0][0] == date(2026, 9, 28)
    assert weeks[-1][0] == date(2026, 10, 26)
    assert len(weeks) == 5


def test_month_requirement_in_progress_leaves_out_weeks_not_begun():
    need = cad.month_requirement(A, 2026, 11, PLAIN, as_of=date(2026, 11, 10))
    assert need.visits == 3
    assert [w[0] for w in need.weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert need.calls == 4


def test_percent_is_none_when_nothing_is_required_and_capped_at_one_hundred():
    assert cad.percent(0, 0) is None
    assert cad.percent(5, 4) == 100.0
    assert cad.percent(1, 3) == 33.3


# --- properties --------------------------------------------------------------


@given(cadence=cadences, day=days, done=counts, ov=overrides)
def test_due_plus_counted_is_required_and_required_fits_the_working_days(cadence, day, done, ov):
    cal = WorkCalendar(overrides=ov)
    for status in (
        cad.visit_status(cadence, day, done, cal),
        cad.call_status(cadence, day, done, cal),
    ):
        assert status.due >= 0
        assert status.due + status.counted == status.required
        assert status.required <= cal.count_working_days(status.start, status.end)
        assert status.start <= day <= status.end
        assert status.overdue == (status.due > status.remaining_days)


@given(cadence=cadences, day=days, done=counts, ov=overrides)
def test_doing_one_more_contact_never_makes_things_worse(cadence, day, done, ov):
    cal = WorkCalendar(overrides=ov)
    for status_of in (cad.visit_status, cad.call_status):
        before, after = status_of(cadence, day, done, cal), status_of(cadence, day, done + 1, cal)
        assert after.due <= before.due
        assert not (before.overdue is False and after.overdue is True)


@given(cadence=cadences, day=days, done=counts, ov=overrides, step=st.integers(1, 40))
def test_once_overdue_a_period_stays_overdue_until_it_ends(cadence, day, done, ov, step):
    cal = WorkCalendar(overrides=ov)
    for status_of in (cad.visit_status, cad.call_status):
        now = status_of(cadence, day, done, cal)
        later_day = min(day + timedelta(days=step), now.end)
        later = status_of(cadence, later_day, done, cal)
        assert later.remaining_days <= now.remaining_days
        if now.overdue:
            assert later.overdue


@given(cadence=cadences, day=days, ov=overrides)
def test_nothing_is_overdue_on_the_first_day_of_a_period(cadence, day, ov):
    cal = WorkCalendar(overrides=ov)
    month_start, _ = cad.month_bounds(day)
    week_start, _ = cad.iso_week_bounds(day)
    assert not cad.visit_status(cadence, month_start, 0, cal).overdue
    assert not cad.call_status(cadence, week_start, 0, cal).overdue


@given(cadence=cadences, day=days, done=counts, ov=overrides)
def test_a_met_requirement_is_never_due_or_overdue(cadence, day, done, ov):
    cal = WorkCalendar(overrides=ov)
    status = cad.cadence_status(cadence, day, visits_done=99, calls_done=99, calendar=cal)
    assert not status.due and not status.overdue


@given(day=days)
def test_month_bounds_and_week_bounds_contain_the_day_and_tile_time(day):
    first, last = cad.month_bounds(day)
    assert first.day == 1 and first <= day <= last
    assert (last + timedelta(days=1)).day == 1
    monday, sunday = cad.iso_week_bounds(day)
    assert monday.weekday() == 0 and sunday - monday == timedelta(days=6)
    assert monday <= day <= sunday
    # The first day of the next month starts a new visit period.
    assert cad.month_bounds(last + timedelta(days=1))[0] == last + timedelta(days=1)


@given(day=days)
def test_every_iso_week_counts_in_exactly_one_month(day):
    monday, _ = cad.iso_week_bounds(day)
    holders = [
        (y, m)
        for y, m in {
            (monday.year, monday.month),
            ((monday + timedelta(6)).year, (monday + timedelta(6)).month),
        }
        if any(w[0] == monday for w in cad.weeks_of_month(y, m))
    ]
    assert holders == [cad.month_of_week(monday)]


@given(cadence=cadences, day=days, done=counts, ov=overrides)
def test_after_the_period_ends_anything_still_due_is_overdue(cadence, day, done, ov):
    cal = WorkCalendar(overrides=ov)
    _, month_end = cad.month_bounds(day)
    start, end = cad.month_bounds(day)
    status = cad.period_status(
        per_period=cadence.visits_per_month,
        start=start,
        end=end,
        day=month_end + timedelta(days=1),
        done=done,
        calendar=cal,
    )
    assert status.remaining_days == 0
    assert status.overdue == (status.due > 0)


@given(cadence=cadences, day=days, visits=counts, calls=counts, ov=overrides)
def test_urgency_puts_overdue_customers_before_merely_due_ones(cadence, day, visits, calls, ov):
    cal = WorkCalendar(overrides=ov)
    status = cad.cadence_status(cadence, day, visits_done=visits, calls_done=calls, calendar=cal)
    relaxed = cad.cadence_status(cadence, day, visits_done=99, calls_done=99, calendar=cal)
    if status.overdue:
        assert status.urgency[0] < 0
        assert status.urgency < relaxed.urgency
