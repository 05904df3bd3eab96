"""Festival care (节日关怀): 春节, 端午, 中秋 and 国庆 are care dates of every
customer's contacts. customers/care.py says when each greeting is due (the
last working day before the festival's first day off); the nightly planner
puts the greeting on the visiting person's calendar, the care page lists the
coming ones, and each visiting person is reminded a week ahead, once."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.utils import timezone

from crm_site.core.models import Notification
from crm_site.core.workcal import WorkCalendar
from customers import care
from customers.services import care as care_services
from tests.factories import make_contact, make_customer
from visits.models import PlannedContact
from visits.plans.models import ContactKind
from visits.plans.services import planned_contacts_generate

# 2027 is past the holiday calendar's data: the festivals come from the lunar
# calendar and, on the plain work calendar, the greetings fall on weekdays.
GREETINGS_2027 = {
    date(2027, 2, 4): care.SPRING_FESTIVAL,  # 除夕 Fri 5 Feb, 春节 Sat 6 Feb
    date(2027, 6, 8): care.DRAGON_BOAT,  # 端午 Wed 9 Jun
    date(2027, 9, 14): care.MID_AUTUMN,  # 中秋 Wed 15 Sep
    date(2027, 9, 30): care.NATIONAL_DAY,  # 国庆 Fri 1 Oct
}


def _calendar(start: date, end: date, *, official: bool) -> WorkCalendar:
    """The plain calendar, or with the official days off and make-up days."""
    if not official:
        return WorkCalendar()
    overrides, day = {}, start
    while day <= end:
        overrides[day] = chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    return WorkCalendar(overrides=overrides)


def test_a_year_of_the_official_holiday_calendar_has_four_greetings():
    # 2026's days off: 春节 from Sun 15 Feb (Sat 14 Feb is a make-up working
    # day), 端午 from Fri 19 Jun, 中秋 from Fri 25 Sep, 国庆 from Thu 1 Oct.
    calendar = _calendar(date(2025, 12, 1), date(2026, 12, 31), official=True)
    assert care.festival_greetings(date(2026, 1, 1), date(2026, 12, 31), calendar) == {
        date(2026, 2, 14): care.SPRING_FESTIVAL,
        date(2026, 6, 18): care.DRAGON_BOAT,
        date(2026, 9, 24): care.MID_AUTUMN,
        date(2026, 9, 30): care.NATIONAL_DAY,
    }


def test_a_year_past_the_holiday_calendar_takes_the_lunar_festivals():
    calendar = WorkCalendar()
    assert care.festival_greetings(date(2027, 1, 1), date(2027, 12, 31), calendar) == (
        GREETINGS_2027
    )
    # A window ending before the festival's days off: the greeting day is still
    # the last working day before them, not the window's last working day.
    assert care.festival_greetings(date(2027, 1, 25), date(2027, 2, 3), calendar) == {}
    assert care.festival_greetings(date(2027, 1, 25), date(2027, 2, 4), calendar) == {
        date(2027, 2, 4): care.SPRING_FESTIVAL
    }
    days_off = care.festival_days_off(date(2027, 1, 1), date(2027, 12, 31))
    assert days_off[date(2027, 2, 5)] == days_off[date(2027, 2, 6)] == care.SPRING_FESTIVAL
    assert care.festival_day(date(2027, 2, 4), care.SPRING_FESTIVAL) == date(2027, 2, 5)


def test_every_table_year_has_its_festivals_in_order():
    for year, (spring, dragon_boat, mid_autumn) in care.LUNAR_FESTIVALS.items():
        assert date(year, 1, 21) <= spring <= date(year, 2, 20)  # always between these
        assert spring < dragon_boat < mid_autumn < date(year, 10, 15)
        # 五月初五 is 4 lunar months (5 with a leap month) and 4 days after 正月初一.
        assert 29 * 4 + 4 <= (dragon_boat - spring).days <= 30 * 5 + 4
        assert 29 * 7 + 14 <= (mid_autumn - spring).days <= 30 * 8 + 14


def test_only_the_four_major_festivals_get_a_greeting():
    holidays = {
        date(2026, 5, 1): "Labour Day",
        date(2026, 4, 4): "Tomb-sweeping Day",
        date(2026, 10, 1): care.NATIONAL_DAY,
        date(2026, 10, 2): care.NATIONAL_DAY,
    }
    working = WorkCalendar().working_days(date(2026, 3, 20), date(2026, 10, 10))
    assert care.greeting_days(holidays, working) == {date(2026, 9, 30): care.NATIONAL_DAY}


@pytest.mark.django_db
def test_a_year_of_nightly_runs_plans_each_greeting_once_for_customers_with_contacts(
    unit_a, staff_a, settings
):
    settings.CRM_PLAN_MEETING_GRADES = []
    with_contacts = make_customer(unit_a, grade="D", visiting_person=staff_a)
    make_contact(with_contacts)
    make_contact(with_contacts)
    without = make_customer(unit_a, grade="D", visiting_person=staff_a)
    day = date(2027, 1, 4)
    while day <= date(2027, 12, 31):
        planned_contacts_generate(today=day)
        day += timedelta(days=7)
    greetings = PlannedContact.objects.filter(kind=ContactKind.GREETING).order_by("day")
    assert [(g.customer_id, g.person_id, g.day) for g in greetings] == [
        (with_contacts.pk, staff_a.pk, day) for day in GREETINGS_2027
    ]
    assert [g.purpose for g in greetings] == ["春节", "端午节", "中秋节", "国庆节"]
    assert not PlannedContact.objects.filter(customer=without, kind=ContactKind.GREETING)


@pytest.mark.django_db
def test_the_visiting_person_is_reminded_a_week_ahead_once(unit_a, staff_a, staff_a2):
    for _ in range(3):
        make_contact(make_customer(unit_a, grade="C", visiting_person=staff_a))
    make_customer(unit_a, grade="C", visiting_person=staff_a2)  # no contacts: nobody to greet
    make_contact(make_customer(unit_a, grade="C", visiting_person=staff_a, status="lost"))
    assert care_services.festival_reminders_send(today=date(2027, 1, 27)) == 0  # 8 days ahead
    assert care_services.festival_reminders_send(today=date(2027, 1, 28)) == 1
    assert care_services.festival_reminders_send(today=date(2027, 1, 29)) == 0
    note = Notification.objects.get()
    assert note.recipient == staff_a and note.url == "/visits/calendar/"
    assert note.title == "春节（2027-02-05起放假）：请向客户的联系人致以节日问候"
    assert "请在2027-02-04前向您负责的3位客户的联系人致以节日问候" in note.body


def test_the_festival_reminder_is_on_the_beat_schedule(settings):
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    entry = schedule["customers.tasks.festival_reminders_send"]
    assert entry.hour == {8, 9} and entry.minute == {25}


@pytest.mark.django_db
def test_the_care_page_lists_the_coming_festival(client, staff_a, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2027, 1, 20))
    client.force_login(staff_a)
    html = client.get("/customers/care/", {"days": 30}).content.decode()
    assert 'data-testid="care-festivals"' in html
    assert "春节（2027-02-05起放假）：请在2027-02-04前向各客户的联系人致以节日问候" in html
