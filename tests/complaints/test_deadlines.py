"""Deadlines from the severity policy and the work calendar; reminders and
escalation sent once, by the beat job."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from complaints import services, tasks
from complaints.models import Complaint, DeadlinePolicy
from crm_site.core import tasks as core_tasks
from crm_site.core.jobs import send_now
from crm_site.core.models import Notification, WorkCalendarDay, WorkerHeartbeat
from tests import factories as f
from tests.support.services import wait_until

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_normal_complaint_gets_five_working_days_and_a_major_one_three(categories):
    # Wednesday 4 March 2026.
    received = at(2026, 3, 4)
    assert services.complaint_deadline(received_at=received, severity="normal") == at(
        2026, 3, 11, 18
    )
    assert services.complaint_deadline(received_at=received, severity="major") == at(2026, 3, 9, 18)


@pytest.mark.django_db
def test_admins_change_the_working_days_per_severity(categories):
    DeadlinePolicy.objects.filter(severity="normal").update(working_days=2)
    assert services.complaint_deadline(received_at=at(2026, 3, 4), severity="normal") == at(
        2026, 3, 6, 18
    )


@pytest.mark.django_db
def test_deadlines_skip_holidays_and_count_make_up_days_from_the_work_calendar(categories):
    # 国庆 2026: 1–7 October off; Saturday 10 October is a make-up working day.
    for d in range(1, 8):
        WorkCalendarDay.objects.create(date=date(2026, 10, d), is_working=False, note="国庆节")
    WorkCalendarDay.objects.create(date=date(2026, 10, 10), is_working=True, note="调休")
    # Wednesday 30 September + 3 working days: 8, 9 and the make-up Saturday 10.
    deadline = services.complaint_deadline(received_at=at(2026, 9, 30), severity="major")
    assert deadline == at(2026, 10, 10, 18)


@pytest.mark.django_db
def test_a_logged_complaint_keeps_the_deadline_of_its_severity(customer_a, staff_a):
    received = at(2026, 3, 4)
    complaint = f.make_complaint(customer_a, by=staff_a, received_at=received, severity="major")
    assert complaint.deadline == at(2026, 3, 9, 18)


# --- the beat job (eager) --------------------------------------------------------


def _due_in(customer, by, hours, **kw):
    complaint = f.make_complaint(customer, by=by, **kw)
    Complaint.objects.filter(pk=complaint.pk).update(
        deadline=timezone.now() + timedelta(hours=hours)
    )
    complaint.refresh_from_db()
    return complaint


@pytest.mark.django_db
def test_the_handler_is_reminded_once_within_24_hours_of_the_deadline(customer_a, staff_a):
    soon = _due_in(customer_a, staff_a, 5)
    later = _due_in(customer_a, staff_a, 30)
    first = services.complaint_deadlines_sweep()
    second = services.complaint_deadlines_sweep()
    assert first == {
        "reminded": 1,
        "escalated": 0,
        "regulatory_reminded": 0,
        "regulatory_escalated": 0,
    }
    assert second == {
        "reminded": 0,
        "escalated": 0,
        "regulatory_reminded": 0,
        "regulatory_escalated": 0,
    }
    reminders = Notification.objects.filter(recipient=staff_a, kind="complaint_reminder")
    assert [n.url for n in reminders] == [soon.get_absolute_url()]
    assert soon.number in reminders.get().title
    later.refresh_from_db()
    assert later.reminded_at is None
    assert soon.events.filter(kind="reminded").count() == 1


@pytest.mark.django_db
def test_past_the_deadline_the_units_supervisors_and_managers_are_told_once(
    customer_a, staff_a, supervisor_a, manager_a, supervisor_b
):
    late = _due_in(customer_a, staff_a, -1)
    services.complaint_deadlines_sweep()
    services.complaint_deadlines_sweep()
    escalations = Notification.objects.filter(kind="complaint_escalation")
    assert sorted(n.recipient.username for n in escalations) == ["manager_a", "supervisor_a"]
    assert late.events.filter(kind="escalated").count() == 1


@pytest.mark.django_db
def test_resolved_complaints_are_neither_reminded_nor_escalated(customer_a, staff_a, supervisor_a):
    late = _due_in(customer_a, staff_a, -1)
    Complaint.objects.filter(pk=late.pk).update(status="resolved", resolved_at=timezone.now())
    assert services.complaint_deadlines_sweep() == {
        "reminded": 0,
        "escalated": 0,
        "regulatory_reminded": 0,
        "regulatory_escalated": 0,
    }


@pytest.mark.django_db
def test_a_reopened_complaint_is_reminded_and_escalated_again(customer_a, staff_a, supervisor_a):
    late = _due_in(customer_a, staff_a, -1)
    services.complaint_deadlines_sweep()
    # Reopened (a fresh deadline, claims cleared), and late again.
    Complaint.objects.filter(pk=late.pk).update(
        reopened_count=1, escalated_at=None, deadline=timezone.now() - timedelta(minutes=5)
    )
    services.complaint_deadlines_sweep()
    assert (
        Notification.objects.filter(recipient=supervisor_a, kind="complaint_escalation").count()
        == 2
    )


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_sweep_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["complaint-deadlines"]
    assert entry["task"] == tasks.complaint_deadlines_sweep.name
    assert entry["schedule"].minute == set(range(0, 60, 10))


# --- with a real worker -------------------------------------------------------------


@pytest.mark.services
def test_running_the_job_twice_on_a_real_worker_notifies_once(celery_worker, unit_a):
    staff = f.make_user("staff", unit_a, username="w_staff")
    supervisor = f.make_user("supervisor", unit_a, username="w_supervisor")
    customer = f.make_customer(unit_a, visiting_person=staff)
    with transaction.atomic():
        soon = _due_in(customer, staff, 3)
        late = _due_in(customer, staff, -2)
    send_now(tasks.complaint_deadlines_sweep)
    send_now(tasks.complaint_deadlines_sweep)
    # The worker takes one message at a time in order: once this marker has
    # run, both sweeps have finished.
    send_now(core_tasks.worker_heartbeat, "complaints-sweep-done")
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(name="complaints-sweep-done").exists(), timeout=60
    )
    assert Notification.objects.filter(recipient=staff, kind="complaint_reminder").count() == 1
    assert (
        Notification.objects.filter(recipient=supervisor, kind="complaint_escalation").count() == 1
    )
    soon.refresh_from_db()
    late.refresh_from_db()
    assert soon.reminded_at is not None
    assert late.escalated_at is not None
