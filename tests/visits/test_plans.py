"""Planned contacts: the nightly planner's rules, the calendar, the daily
report's link to the plan, feeds and service plans, per role."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from crm_site.core.models import WorkCalendarDay
from customers import care
from tests.factories import make_customer, make_daily_report, make_entry, make_region, make_visit
from visits.models import PlannedContact, ServicePlan
from visits.plans import rules
from visits.plans.models import ContactKind
from visits.plans.services import (
    horizon_days,
    planned_contact_move,
    planned_contacts_generate,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 3, 1)  # a Monday that starts a month: nothing done yet


def _rows(**filters):
    return PlannedContact.objects.filter(**filters)


def _at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


# --- planning rules -----------------------------------------------------------------


def test_the_grade_cadence_is_planned_over_the_next_working_days(unit_a, staff_a):
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a)  # 2 visits, 2 calls
    run = planned_contacts_generate(today=MONDAY)
    horizon = horizon_days(MONDAY, 14, _calendar())
    assert run.first_day == MONDAY and run.last_day == horizon[-1]
    visits = _rows(customer=customer, kind=ContactKind.VISIT)
    calls = _rows(customer=customer, kind=ContactKind.CALL)
    # Two visits spread over March's 23 working days: one falls in the 14 days.
    assert visits.count() == 1
    # Two calls in each ISO week the horizon touches (three weeks).
    assert calls.count() == 6
    for monday in (MONDAY, MONDAY + timedelta(days=7), MONDAY + timedelta(days=14)):
        assert calls.filter(day__gte=monday, day__lte=monday + timedelta(days=6)).count() == 2
    assert all(c.person_id == staff_a.pk and c.unit_id == unit_a.pk for c in visits)
    assert set(_rows().values_list("day", flat=True)) <= set(horizon)


def _calendar():
    from crm_site.core.services import work_calendar

    return work_calendar()


def test_nothing_is_planned_for_a_customer_already_met_this_period(unit_a, staff_a, staff_a2):
    today = MONDAY + timedelta(days=9)  # Wednesday 10 March
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a)
    for day in (MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)):
        make_visit(customer, staff_a, kind="visit", occurred_at=_at(day))
    for day in (today - timedelta(days=2), today - timedelta(days=1)):
        make_visit(customer, staff_a, kind="call", occurred_at=_at(day))
    planned_contacts_generate(today=today)
    assert not _rows(customer=customer, kind=ContactKind.VISIT, day__month=3).exists()
    assert not _rows(customer=customer, kind=ContactKind.CALL, day__lte=today + timedelta(days=4))
    # Only the visiting person's contacts count: another person's visit does not.
    other = make_customer(unit_a, grade="B", visiting_person=staff_a)
    make_visit(other, staff_a2, kind="visit", occurred_at=_at(MONDAY + timedelta(days=1)))
    make_visit(other, staff_a2, kind="visit", occurred_at=_at(MONDAY + timedelta(days=2)))
    planned_contacts_generate(today=today)
    assert _rows(customer=other, kind=ContactKind.VISIT).exists()


def test_capacity_per_person_and_day_is_never_exceeded(unit_a, staff_a, settings):
    settings.CRM_PLAN_VISITS_PER_DAY = 2
    settings.CRM_PLAN_MEETING_GRADES = []
    for _ in range(12):
        make_customer(unit_a, grade="A", visiting_person=staff_a)
    planned_contacts_generate(today=MONDAY)
    per_day: dict = {}
    for day in _rows(person=staff_a).exclude(kind=ContactKind.CALL).values_list("day", flat=True):
        per_day[day] = per_day.get(day, 0) + 1
    assert per_day and max(per_day.values()) <= 2


def test_only_working_days_are_planned_across_make_up_days(unit_a, staff_a):
    holiday, make_up = MONDAY + timedelta(days=2), MONDAY + timedelta(days=5)  # Wed, Sat
    WorkCalendarDay.objects.create(date=holiday, is_working=False, note="假日")
    WorkCalendarDay.objects.create(date=make_up, is_working=True, note="调休")
    for _ in range(5):
        make_customer(unit_a, grade="A", visiting_person=staff_a)
    planned_contacts_generate(today=MONDAY)
    days = set(_rows().values_list("day", flat=True))
    horizon = horizon_days(MONDAY, 14, _calendar())
    assert holiday not in horizon and make_up in horizon
    assert holiday not in days
    assert days <= set(horizon)
    assert all(d.weekday() < 5 or d == make_up for d in days)


def test_a_district_is_grouped_on_one_day():
    days = [MONDAY + timedelta(days=i) for i in range(5)]
    wants = [
        rules.Want(1, days[0], days[-1], district=1),
        rules.Want(2, days[0], days[-1], district=2),
        rules.Want(3, days[1], days[-1], district=1),
        rules.Want(4, days[2], days[-1], district=3),
    ]
    placed = dict(rules.place(wants, days, capacity=3))
    # Customer 3 (district 1) joins customer 1 on the first day; 4 stays on its own day.
    assert placed[3] == days[0] and placed[4] == days[2]
    ungrouped = dict(rules.place(wants, days, capacity=3, group=False))
    assert ungrouped[3] == days[1]


def test_the_planner_groups_a_districts_customers(unit_a, staff_a, settings):
    settings.CRM_PLAN_MEETING_GRADES = []
    north, south = make_region(), make_region()
    for i in range(6):
        make_customer(unit_a, grade="B", visiting_person=staff_a, region=north if i % 2 else south)
    planned_contacts_generate(today=MONDAY)
    by_day: dict = {}
    for day, region in _rows(kind=ContactKind.VISIT).values_list("day", "customer__region"):
        by_day.setdefault(day, set()).add(region)
    assert by_day and sum(len(r) for r in by_day.values()) < 6


def test_a_second_run_adds_nothing_and_moved_contacts_stay(unit_a, staff_a):
    for grade in ("A", "B", "C", "D"):
        make_customer(unit_a, grade=grade, visiting_person=staff_a)
    today = timezone.localdate()
    first = planned_contacts_generate(today=today)
    assert first.created > 0
    assert planned_contacts_generate(today=today).created == 0
    contact = _rows(kind=ContactKind.VISIT).order_by("day").first()
    target = contact.day + timedelta(days=1)
    while _rows(customer=contact.customer, day=target, kind=contact.kind).exists():
        target += timedelta(days=1)
    planned_contact_move(contact=contact, actor=staff_a, day=target)
    count = _rows().count()
    assert planned_contacts_generate(today=today).created == 0
    contact.refresh_from_db()
    assert contact.day == target and contact.moved
    assert _rows().count() == count
    assert contact.events.filter(kind="moved").exists()


def test_a_planned_contact_is_unique_per_customer_person_day_and_kind(unit_a, staff_a):
    from django.db import IntegrityError

    customer = make_customer(unit_a, grade="B", visiting_person=staff_a)
    fields = {"customer": customer, "person": staff_a, "unit": unit_a, "day": MONDAY}
    PlannedContact.objects.create(kind=ContactKind.VISIT, **fields)
    PlannedContact.objects.create(kind=ContactKind.CALL, **fields)
    with pytest.raises(IntegrityError):
        PlannedContact.objects.create(kind=ContactKind.VISIT, **fields)


def test_a_grade_gets_its_meetings_planned_once(unit_a, staff_a):
    customers = [make_customer(unit_a, grade="A", visiting_person=staff_a) for _ in range(40)]
    today = date(2027, 6, 14)  # late in the half-year: the meetings fall in the horizon
    planned_contacts_generate(today=today)
    planned_contacts_generate(today=today)
    for customer in customers:
        assert _rows(customer=customer, kind=ContactKind.MEETING).count() <= 1
        for month in (6, 7):  # the horizon reaches into July: one a month
            assert _rows(customer=customer, kind=ContactKind.NEEDS, day__month=month).count() <= 1
    assert _rows(kind=ContactKind.MEETING).exists() and _rows(kind=ContactKind.NEEDS).exists()
    assert not _rows(kind__in=[ContactKind.MEETING, ContactKind.NEEDS], customer__grade="B")


def test_a_missed_planned_visit_shows_on_the_due_list(client, unit_a, staff_a):
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a, name="错过的客户")
    yesterday = timezone.localdate() - timedelta(days=1)
    missed = PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=yesterday, kind=ContactKind.VISIT
    )
    planned_contacts_generate(today=timezone.localdate())
    missed.refresh_from_db()
    assert missed.state == PlannedContact.State.MISSED
    client.force_login(staff_a)
    page = client.get(reverse("visits:due")).content.decode()
    assert "错过的客户" in page and 'data-testid="missed-planned"' in page


# --- the daily report knows the plan ------------------------------------------------


def test_todays_planned_contacts_are_offered_and_an_entry_marks_them_done(client, unit_a, staff_a):
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a, name="计划内客户")
    today = timezone.localdate()
    planned = PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=today, kind=ContactKind.VISIT
    )
    report = make_daily_report(staff_a, today)
    client.force_login(staff_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="planned-today"' in page
    assert f"customer={customer.pk}&amp;kind=visit" in page
    form = client.get(
        reverse("visits:entry_new", args=[report.pk]) + f"?customer={customer.pk}&kind=visit"
    )
    assert form.status_code == 200 and "计划内客户" in form.content.decode()
    entry = make_entry(report, customer, kind="visit")
    planned.refresh_from_db()
    assert planned.state == PlannedContact.State.DONE and planned.visit_id == entry.visit_id
    assert planned.events.filter(kind="done").exists()
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="planned-today"' not in page
    # An unplanned contact is fine too: nothing to mark.
    other = make_customer(unit_a, grade="B", visiting_person=staff_a)
    make_entry(report, other, kind="call")
    assert not PlannedContact.objects.filter(customer=other).exists()


def test_a_logged_call_marks_the_planned_call_done(client, unit_a, staff_a):
    import uuid

    customer = make_customer(unit_a, grade="B", visiting_person=staff_a)
    planned = PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=timezone.localdate(), kind="call"
    )
    client.force_login(staff_a)
    client.post(reverse("visits:log_call", args=[customer.pk]), {"form_token": str(uuid.uuid4())})
    planned.refresh_from_db()
    assert planned.state == PlannedContact.State.DONE


# --- the calendar, per role -----------------------------------------------------------


@pytest.fixture
def planned_a(unit_a, staff_a):
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a, name="日历客户")
    return PlannedContact.objects.create(
        customer=customer,
        person=staff_a,
        unit=unit_a,
        day=timezone.localdate() + timedelta(days=1),
        kind=ContactKind.VISIT,
    )


def _events(client, **params):
    start = timezone.localdate() - timedelta(days=3)
    query = {"start": start.isoformat(), "end": (start + timedelta(days=14)).isoformat()} | params
    return client.get(reverse("visits:calendar_events"), query)


def test_the_calendar_shows_ones_own_week_and_a_unit_to_its_supervisor(
    client, planned_a, staff_a, staff_a2, supervisor_a, supervisor_b, unit_a
):
    client.force_login(staff_a)
    week = {"week": planned_a.day.isoformat()}
    assert "日历客户" in client.get(reverse("visits:calendar"), week).content.decode()
    assert [e["id"] for e in _events(client).json() if "id" in e] == [str(planned_a.pk)]
    # Staff cannot open a colleague's calendar or the unit's.
    assert client.get(reverse("visits:calendar"), {"person": staff_a2.pk}).status_code == 404
    assert client.get(reverse("visits:calendar"), {"unit": unit_a.pk}).status_code == 404
    client.force_login(staff_a2)
    assert _events(client).json() == []
    client.force_login(supervisor_a)
    # The unit's week: one line per person and day, opening that person's week.
    with translation.override("zh-hans"):
        line = gettext("%(person)s · %(on_site)s on site, %(calls)s calls, %(done)s done") % {
            "person": "张三",
            "on_site": 1,
            "calls": 0,
            "done": 0,
        }
    page = client.get(reverse("visits:calendar"), week | {"unit": unit_a.pk})
    assert page.status_code == 200 and line in page.content.decode()
    totals = _events(client, unit=unit_a.pk).json()
    assert [e["title"] for e in totals] == [line]
    assert f"person={staff_a.pk}" in totals[0]["url"]
    assert _events(client, person=staff_a.pk).json()[0]["id"] == str(planned_a.pk)
    # Another unit's calendar: 404.
    client.force_login(supervisor_b)
    assert client.get(reverse("visits:calendar"), {"unit": unit_a.pk}).status_code == 404
    assert client.get(reverse("visits:calendar"), {"person": staff_a.pk}).status_code == 404
    assert _events(client, unit=unit_a.pk).status_code == 404


def test_the_calendar_page_runs_under_the_csp_with_a_style_nonce(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("visits:calendar"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "'unsafe-inline'" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<meta name="csp-nonce" content="{nonce}">' in response.content.decode()
    assert "vendor/fullcalendar-6.1.22/core.global.min.js" in response.content.decode()


def test_dragging_moves_the_contact_and_records_it(
    client, planned_a, staff_a, staff_b, supervisor_a
):
    url = reverse("visits:planned_contact_move", args=[planned_a.pk])
    target = planned_a.day + timedelta(days=2)
    client.force_login(staff_b)
    assert (
        client.post(
            url, json.dumps({"day": target.isoformat()}), content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(supervisor_a)
    response = client.post(
        url, json.dumps({"day": target.isoformat()}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["ok"]
    planned_a.refresh_from_db()
    assert planned_a.day == target and planned_a.moved
    event = planned_a.events.get(kind="moved")
    assert event.actor == supervisor_a and event.data["new_day"] == target.isoformat()
    past = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url, json.dumps({"day": past.isoformat()}), content_type="application/json"
    )
    assert response.status_code == 400
    client.force_login(staff_a)
    page = client.get(planned_a.get_absolute_url()).content.decode()
    assert target.isoformat() in page


def test_cancelling_needs_a_reason(client, planned_a, staff_a):
    client.force_login(staff_a)
    url = reverse("visits:planned_contact_cancel", args=[planned_a.pk])
    client.post(url, {"reason": ""})
    planned_a.refresh_from_db()
    assert planned_a.state == PlannedContact.State.PLANNED
    client.post(url, {"reason": "客户停业"})
    planned_a.refresh_from_db()
    assert planned_a.state == PlannedContact.State.CANCELLED and planned_a.reason == "客户停业"


# --- feeds --------------------------------------------------------------------------


def test_the_feed_lists_only_ones_own_contacts_and_can_be_revoked(
    client, planned_a, staff_a, staff_a2, unit_a
):
    colleague = PlannedContact.objects.create(
        customer=planned_a.customer,
        person=staff_a2,
        unit=unit_a,
        day=planned_a.day,
        kind=ContactKind.CALL,
    )
    far = PlannedContact.objects.create(
        customer=planned_a.customer,
        person=staff_a,
        unit=unit_a,
        day=timezone.localdate() + timedelta(days=45),
        kind=ContactKind.VISIT,
    )
    client.force_login(staff_a)
    client.post(reverse("visits:calendar_feed_enable"))
    feed = staff_a.calendar_feeds.get(revoked_at__isnull=True)
    page = client.get(reverse("visits:calendar")).content.decode()
    address = reverse("visits:calendar_feed_ics", args=[feed.token])
    assert address in page
    client.logout()
    response = client.get(address)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    uids = {str(e["UID"]) for e in events}
    assert uids == {f"planned-contact-{planned_a.pk}@testserver"}
    assert f"planned-contact-{colleague.pk}@testserver" not in uids and far.pk
    start = events[0].decoded("DTSTART")
    assert str(start.tzinfo) == "Asia/Shanghai" and start.date() == planned_a.day
    assert "日历客户" in str(events[0]["SUMMARY"])
    # The same UID again after a move (a subscriber updates, not duplicates).
    planned_contact_move(contact=planned_a, actor=staff_a, day=planned_a.day + timedelta(days=1))
    again = Calendar.from_ical(client.get(address).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == uids
    # Revoked: the old address is a 404; a new one works.
    client.force_login(staff_a)
    client.post(reverse("visits:calendar_feed_revoke"))
    client.logout()
    assert client.get(address).status_code == 404
    client.force_login(staff_a)
    client.post(reverse("visits:calendar_feed_enable"))
    new = staff_a.calendar_feeds.get(revoked_at__isnull=True)
    assert new.token != feed.token
    client.logout()
    assert client.get(reverse("visits:calendar_feed_ics", args=[new.token])).status_code == 200
    assert client.get(address).status_code == 404
    assert client.get(reverse("visits:calendar_feed_ics", args=["nope"])).status_code == 404


# --- service plans -------------------------------------------------------------------


def _plan_data(unit, **extra):
    return {
        "unit": unit.pk,
        "title": "三月客户服务计划",
        "period": "month",
        "start": "2027-03-01",
        "end": "2027-03-31",
        "goal_development": "新开发两家",
        "goal_relationship": "A级客户每月三访",
        "goal_after_sales": "投诉三日内回复",
        "key_services": "仓储配送",
        "visits_target": "40",
    } | extra


def test_a_manager_drafts_and_approves_staff_read_the_approved_plan(
    client, unit_a, staff_a, supervisor_a, manager_a, manager_b
):
    client.force_login(supervisor_a)
    assert client.get(reverse("visits:plan_new")).status_code == 403
    client.force_login(manager_a)
    response = client.post(reverse("visits:plan_new"), _plan_data(unit_a))
    plan = ServicePlan.objects.get()
    assert response.status_code == 302 and plan.status == ServicePlan.Status.DRAFT
    assert plan.created_by == manager_a
    client.force_login(staff_a)
    assert client.get(plan.get_absolute_url()).status_code == 404  # drafts are not shown
    assert "三月客户服务计划" not in client.get(reverse("visits:plan_list")).content.decode()
    client.force_login(manager_b)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(reverse("visits:plan_approve", args=[plan.pk])).status_code == 404
    client.force_login(manager_a)
    client.post(reverse("visits:plan_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == ServicePlan.Status.APPROVED and plan.approved_by == manager_a
    assert list(plan.events.values_list("kind", flat=True)) == ["created", "approved"]
    client.force_login(staff_a)
    page = client.get(plan.get_absolute_url())
    assert page.status_code == 200 and "新开发两家" in page.content.decode()
    assert reverse("visits:plan_edit", args=[plan.pk]) not in page.content.decode()
    assert client.get(reverse("visits:plan_edit", args=[plan.pk])).status_code == 403
    # Approved: no more edits, even by the manager.
    client.force_login(manager_a)
    assert client.get(reverse("visits:plan_edit", args=[plan.pk])).status_code == 403


def test_planned_contacts_carry_the_units_approved_plan(unit_a, staff_a, manager_a):
    from visits.plans.services import service_plan_approve, service_plan_create

    plan = service_plan_create(
        actor=manager_a, unit=unit_a, title="计划", start=MONDAY, end=MONDAY + timedelta(days=30)
    )
    service_plan_approve(plan=plan, actor=manager_a)
    make_customer(unit_a, grade="B", visiting_person=staff_a)
    planned_contacts_generate(today=MONDAY)
    assert _rows().exists() and not _rows(plan__isnull=True).exists()


# --- the work calendar from the official source ---------------------------------------


def test_an_admin_loads_a_years_holidays_with_one_button(client, admin_user, staff_a):
    from django.contrib.auth.models import Permission

    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    admin_user.user_permissions.add(
        *Permission.objects.filter(codename__endswith="workcalendarday")
    )
    WorkCalendarDay.objects.create(date=date(2026, 3, 3), is_working=False, note="手工")
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:core_workcalendarday_changelist"))
    assert reverse("admin:core_workcalendarday_load_year") in changelist.content.decode()
    client.post(reverse("admin:core_workcalendarday_load_year"), {"year": "2026"})
    days = dict(WorkCalendarDay.objects.values_list("date", "is_working"))
    assert days[date(2026, 2, 17)] is False  # 春节
    assert WorkCalendarDay.objects.get(date=date(2026, 10, 1)).note == "国庆节"
    assert days[date(2026, 9, 20)] is True  # a Sunday worked (调休)
    assert days[date(2026, 3, 3)] is False  # a hand-entered day stays
    # Still editable by hand, and the planner follows it.
    from crm_site.core.services import work_calendar

    assert not work_calendar().is_working_day(date(2026, 10, 1))
    assert work_calendar().is_working_day(date(2026, 9, 20))
    client.force_login(staff_a)
    assert (
        client.post(reverse("admin:core_workcalendarday_load_year"), {"year": "2027"}).status_code
        == 302
    )
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()


def test_the_calendar_shades_days_off(client, staff_a):
    WorkCalendarDay.objects.create(date=date(2026, 10, 1), is_working=False, note="国庆节")
    client.force_login(staff_a)
    events = client.get(
        reverse("visits:calendar_events"), {"start": "2026-09-28", "end": "2026-10-05"}
    ).json()
    assert {"start": "2026-10-01", "display": "background", "title": "国庆节"}.items() <= next(
        e for e in events if e.get("display") == "background"
    ).items()
    page = client.get(reverse("visits:calendar"), {"week": "2026-09-28"}).content.decode()
    assert "plan-day-off" in page and "国庆节" in page


def test_the_monthly_summary_reports_progress_against_the_plan(
    client, unit_a, staff_a, supervisor_a, manager_a
):
    from reports.services import summary_build
    from visits.plans.services import service_plan_approve, service_plan_create

    month = timezone.localdate().replace(day=1)
    plan = service_plan_create(
        actor=manager_a,
        unit=unit_a,
        title="本月服务计划",
        start=month,
        end=month + timedelta(days=27),
    )
    service_plan_approve(plan=plan, actor=manager_a)
    customer = make_customer(unit_a, grade="B", visiting_person=staff_a)
    for n, state in enumerate(["done", "done", "missed", "planned"]):
        PlannedContact.objects.create(
            customer=customer,
            person=staff_a,
            unit=unit_a,
            plan=plan,
            day=month + timedelta(days=n),
            kind="visit",
            state=state,
        )
    summary = summary_build(unit_id=unit_a.pk, month=month).summary
    client.force_login(supervisor_a)
    page = client.get(summary.get_absolute_url()).content.decode()
    assert 'data-testid="summary-plans"' in page and "本月服务计划" in page
    assert "2 of 4 planned contacts done, 1 missed" in page or "(50.0%)" in page


def test_festival_greetings_are_planned_before_the_festival(unit_a, staff_a, settings):
    from tests.factories import make_contact

    settings.CRM_PLAN_MEETING_GRADES = []
    with_contacts = make_customer(unit_a, grade="D", visiting_person=staff_a)
    make_contact(with_contacts)
    without = make_customer(unit_a, grade="D", visiting_person=staff_a)
    today = date(2026, 9, 21)  # 中秋 on 25 September, 国庆 from 1 October 2026
    planned_contacts_generate(today=today)
    greetings = _rows(kind=ContactKind.GREETING).order_by("day")
    assert list(greetings.values_list("customer_id", "day")) == [
        (with_contacts.pk, date(2026, 9, 24)),
        (with_contacts.pk, date(2026, 9, 30)),
    ]
    assert not _rows(customer=without, kind=ContactKind.GREETING).exists()
    assert planned_contacts_generate(today=today).created == 0
    assert care.greeting_days(
        {date(2027, 2, 6): "Spring Festival", date(2027, 2, 7): "Spring Festival"},
        [date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8)],
    ) == {date(2027, 2, 5): "Spring Festival"}
