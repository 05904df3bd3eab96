"""Reminders: 17:30 missing daily reports, 09:00 overdue contacts; never twice per day and person."""

import uuid
from datetime import date

import pytest
from django.core import mail

from crm_site.celery import app as celery_app
from crm_site.core import tasks as core_tasks
from crm_site.core.jobs import send_now
from crm_site.core.models import Notification, WorkCalendarDay
from tests.factories import make_customer, make_daily_report
from tests.support.services import wait_until
from visits import tasks
from visits.models import DailyReport

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)  # the last working day of its week
SATURDAY = date(2026, 11, 28)


@pytest.fixture
def with_emails(staff_a, staff_a2):
    for user in (staff_a, staff_a2):
        user.email = f"{user.username}-{uuid.uuid4().hex[:8]}@example.com"
        user.save()
    return staff_a, staff_a2


@pytest.mark.django_db
def test_staff_without_a_submitted_report_are_reminded_once_even_if_the_job_runs_twice(
    with_emails, supervisor_a, django_capture_on_commit_callbacks
):
    staff_a, staff_a2 = with_emails
    make_daily_report(staff_a2, MONDAY, status=DailyReport.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_missing_daily_reports.delay(MONDAY.isoformat()).get() == 1
        assert tasks.remind_missing_daily_reports.delay(MONDAY.isoformat()).get() == 0
    note = Notification.objects.get()
    assert note.recipient == staff_a
    assert note.title == "您 2026-11-23 的日报表尚未提交"
    assert note.url == "/visits/reports/new/"
    assert [m.to for m in mail.outbox] == [[staff_a.email]]
    assert not Notification.objects.filter(recipient=supervisor_a).exists()


@pytest.mark.django_db
def test_a_draft_or_returned_report_still_counts_as_not_submitted(staff_a):
    make_daily_report(staff_a, MONDAY, status=DailyReport.Status.RETURNED)
    assert tasks.remind_missing_daily_reports(MONDAY.isoformat()) == 1


@pytest.mark.django_db
def test_no_reminder_on_a_weekend_or_a_holiday_but_on_a_make_up_sunday(staff_a):
    assert tasks.remind_missing_daily_reports(SATURDAY.isoformat()) == 0
    WorkCalendarDay.objects.create(date=MONDAY, is_working=False, note="节假日")
    assert tasks.remind_missing_daily_reports(MONDAY.isoformat()) == 0
    make_up = date(2026, 11, 29)
    WorkCalendarDay.objects.create(date=make_up, is_working=True, note="调休")
    assert tasks.remind_missing_daily_reports(make_up.isoformat()) == 1


@pytest.mark.django_db
def test_overdue_contacts_are_sent_to_each_staff_member_once_a_day(staff_a, staff_a2, unit_a):
    late = make_customer(unit_a, name="逾期客户", grade="A", visiting_person=staff_a)
    assert tasks.remind_overdue_contacts(FRIDAY.isoformat()) == 1
    assert tasks.remind_overdue_contacts(FRIDAY.isoformat()) == 0
    note = Notification.objects.get()
    assert note.recipient == staff_a
    assert note.title == "1 个客户的走访或电话已逾期"
    assert late.name in note.body and "本周还需电话 2 次" in note.body
    assert note.url == "/visits/due/"


@pytest.mark.django_db
def test_nobody_is_told_about_overdue_contacts_when_nothing_is_overdue(staff_a, unit_a):
    make_customer(unit_a, grade="D", visiting_person=staff_a)
    assert tasks.remind_overdue_contacts(MONDAY.isoformat()) == 0  # a whole week ahead
    assert not Notification.objects.exists()


def test_both_reminders_are_on_the_beat_schedule_in_shanghai_time(settings):
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    missing = schedule["visits.tasks.remind_missing_daily_reports"]
    overdue = schedule["visits.tasks.remind_overdue_contacts"]
    assert 17 in missing.hour and missing.minute == {30}
    assert 9 in overdue.hour and overdue.minute == {0}
    assert celery_app.conf.timezone == "Asia/Shanghai"


@pytest.mark.services
def test_running_the_reminder_twice_in_a_real_worker_gives_one_notification_and_one_mail_each(
    celery_worker, with_emails
):
    staff_a, staff_a2 = with_emails
    for _ in range(2):
        send_now(tasks.remind_missing_daily_reports, MONDAY.isoformat())
    # The worker runs one message at a time, in order: once the marker has run, both runs have.
    marker = f"after-reminders-{uuid.uuid4().hex[:8]}"
    send_now(core_tasks.worker_heartbeat, marker)
    from crm_site.core.models import WorkerHeartbeat

    wait_until(lambda: WorkerHeartbeat.objects.filter(name=marker).exists(), timeout=60)
    # The e-mails are tasks of their own, queued behind the marker when the reminder committed.
    pending = Notification.objects.filter(kind="visits.report_missing", email_status="pending")
    wait_until(lambda: not pending.exists(), timeout=30)
    for user in (staff_a, staff_a2):
        notes = Notification.objects.filter(recipient=user, kind="visits.report_missing")
        assert notes.count() == 1
        assert notes.get().emailed_at is not None
    log = celery_worker.log_path.read_text(errors="replace")
    assert log.count(f"To: {staff_a.email}") == 1
    assert log.count(f"To: {staff_a2.email}") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_the_overdue_filter_in_the_database_picks_exactly_the_customers_the_cadence_rules_call_overdue(
    seed, unit_a, staff_a
):
    import random
    from datetime import datetime, timedelta

    from django.utils import timezone

    from customers.models import Customer
    from tests.factories import make_visit
    from visits.queries import cadence_rows, calendar_for, current_cadences, overdue_on

    rng = random.Random(seed)
    WorkCalendarDay.objects.create(date=date(2026, 11, 20), is_working=False)
    customers = [
        make_customer(unit_a, grade=rng.choice("ABCD"), visiting_person=staff_a) for _ in range(20)
    ]
    customers.append(make_customer(unit_a, grade="", visiting_person=staff_a))
    start = datetime(2026, 11, 1, tzinfo=timezone.get_current_timezone())
    for _ in range(80):
        moment = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        make_visit(
            rng.choice(customers), staff_a, kind=rng.choice(["visit", "call"]), occurred_at=moment
        )
    everyone = Customer.objects.filter(unit=unit_a)
    sizes = []
    for day in (date(2026, 11, 2), date(2026, 11, 19), MONDAY, FRIDAY, date(2026, 11, 30)):
        cadences, calendar = current_cadences(), calendar_for(day)
        overdue = {
            row.customer.pk
            for row in cadence_rows(everyone, day, cadences=cadences, calendar=calendar)
            if row.status.overdue
        }
        filtered = overdue_on(everyone, day, cadences=cadences, calendar=calendar)
        assert set(filtered.values_list("pk", flat=True)) == overdue
        sizes.append(len(overdue))
    assert max(sizes) > 0 and min(sizes) < len(customers)
