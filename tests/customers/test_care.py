"""Care dates (客户关怀): the visiting person is reminded a week ahead, once."""

import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm_site.celery import app as celery_app
from crm_site.core import tasks as core_tasks
from crm_site.core.jobs import send_now
from crm_site.core.models import Notification, WorkerHeartbeat
from customers import care, tasks
from customers.models import CareReminder, Status
from customers.services import care as care_services
from tests import factories as f
from tests.support.services import wait_until

TODAY = date(2026, 11, 23)


# --- the date arithmetic (no database) --------------------------------------------


def test_the_next_occurrence_is_this_year_or_next():
    assert care.next_occurrence(date(1980, 11, 30), TODAY) == date(2026, 11, 30)
    assert care.next_occurrence(date(1980, 11, 23), TODAY) == TODAY
    assert care.next_occurrence(date(1980, 1, 2), TODAY) == date(2027, 1, 2)


def test_a_29_february_falls_on_the_28th_in_a_common_year():
    assert care.next_occurrence(date(1988, 2, 29), date(2027, 2, 1)) == date(2027, 2, 28)
    assert care.next_occurrence(date(1988, 2, 29), date(2028, 2, 1)) == date(2028, 2, 29)
    assert (2, 29) in care.month_days(date(2027, 2, 25), 7)
    assert (2, 29) not in care.month_days(date(2028, 2, 20), 7)


def test_the_window_runs_over_the_new_year():
    pairs = care.month_days(date(2026, 12, 28), 7)
    assert (12, 31) in pairs and (1, 4) in pairs and (1, 5) not in pairs


# --- the reminder job ----------------------------------------------------------------


@pytest.fixture
def visited(unit_a, staff_a):
    staff_a.email = f"staff_a-{uuid.uuid4().hex[:8]}@example.com"
    staff_a.save()
    return f.make_customer(unit_a, name="上海远航物流", visiting_person=staff_a)


def birthday(customer, on: date, **overrides):
    return f.make_contact(
        customer, care_kind="birthday", care_date=on.replace(year=1980), **overrides
    )


@pytest.mark.django_db
def test_the_visiting_person_is_reminded_a_week_ahead_once_even_if_the_job_runs_twice(
    visited, staff_a, django_capture_on_commit_callbacks
):
    contact = birthday(visited, TODAY + timedelta(days=7), name="林秀英")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.care_reminders_send.delay(TODAY.isoformat()).get() == 1
        assert tasks.care_reminders_send.delay(TODAY.isoformat()).get() == 0
    note = Notification.objects.get()
    assert note.recipient == staff_a
    assert note.title == "2026-11-30 是上海远航物流 林秀英的生日"
    assert "还有 7 天" in note.body
    assert note.url == reverse("customers:detail", args=[visited.pk]) + "#contacts"
    assert [m.to for m in mail.outbox] == [[staff_a.email]]
    reminder = CareReminder.objects.get()
    assert (reminder.contact, reminder.occasion, reminder.recipient) == (
        contact,
        date(2026, 11, 30),
        staff_a,
    )
    # The next days of the week find it reminded already.
    assert tasks.care_reminders_send((TODAY + timedelta(days=3)).isoformat()) == 0


@pytest.mark.django_db
def test_dates_outside_the_week_and_lost_or_unvisited_customers_are_left_alone(
    visited, unit_a, staff_a
):
    birthday(visited, TODAY + timedelta(days=8))
    birthday(visited, TODAY - timedelta(days=1))
    lost = f.make_customer(unit_a, status=Status.LOST, visiting_person=staff_a)
    birthday(lost, TODAY + timedelta(days=2))
    nobody = f.make_customer(unit_a, visiting_person=None)
    birthday(nobody, TODAY + timedelta(days=2))
    assert tasks.care_reminders_send(TODAY.isoformat()) == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_next_years_date_is_reminded_again(visited):
    birthday(visited, TODAY + timedelta(days=1))
    assert tasks.care_reminders_send(TODAY.isoformat()) == 1
    a_year_on = TODAY.replace(year=2027)
    assert tasks.care_reminders_send(a_year_on.isoformat()) == 1
    assert sorted(CareReminder.objects.values_list("occasion", flat=True)) == [
        date(2026, 11, 24),
        date(2027, 11, 24),
    ]


@pytest.mark.django_db
def test_a_run_killed_half_way_reminds_the_rest_next_time_and_nobody_twice(visited, monkeypatch):
    contacts = [birthday(visited, TODAY + timedelta(days=n)) for n in (1, 2, 3)]
    real_notify = care_services.notify
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["dedupe_key"])
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_notify(**kwargs)

    monkeypatch.setattr(care_services, "notify", dies_on_the_second)
    with pytest.raises(SystemExit):
        care_services.care_reminders_send(today=TODAY)
    # The first contact's reminder was committed with its notification; the second's
    # claim was rolled back with the failure.
    assert list(CareReminder.objects.values_list("contact", flat=True)) == [contacts[0].pk]
    monkeypatch.setattr(care_services, "notify", real_notify)
    assert care_services.care_reminders_send(today=TODAY) == 2
    assert Notification.objects.count() == 3
    assert CareReminder.objects.filter(notification__isnull=False).count() == 3


def test_the_reminder_is_on_the_beat_schedule_twice_a_morning(settings):
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    entry = schedule["customers.tasks.care_reminders_send"]
    assert entry.hour == {8, 9} and entry.minute == {20}
    assert celery_app.conf.timezone == "Asia/Shanghai"


@pytest.mark.services
def test_running_the_reminder_twice_in_a_real_worker_gives_one_notification_and_one_mail(
    celery_worker, visited, staff_a
):
    birthday(visited, TODAY + timedelta(days=3), name="高志远")
    for _ in range(2):
        send_now(tasks.care_reminders_send, TODAY.isoformat())
    # The worker runs one message at a time, in order: once the marker ran, both runs have.
    marker = f"after-care-{uuid.uuid4().hex[:8]}"
    send_now(core_tasks.worker_heartbeat, marker)
    wait_until(lambda: WorkerHeartbeat.objects.filter(name=marker).exists(), timeout=60)
    notes = Notification.objects.filter(recipient=staff_a, kind="customers.care_date")
    # The e-mail is a task of its own, queued behind the marker when the reminder committed.
    wait_until(lambda: notes.exclude(email_status="pending").exists(), timeout=30)
    assert notes.count() == 1
    assert notes.get().emailed_at is not None
    assert CareReminder.objects.count() == 1
    log = celery_worker.log_path.read_text(errors="replace")
    assert log.count(f"To: {staff_a.email}") == 1


# --- the page and the home panel -------------------------------------------------------


@pytest.fixture
def care_book(unit_a, unit_b, staff_a, staff_a2, staff_b):
    today = timezone.localdate()
    mine = f.make_customer(unit_a, name="我的客户", visiting_person=staff_a)
    colleague = f.make_customer(unit_a, name="同事的客户", visiting_person=staff_a2)
    other = f.make_customer(unit_b, name="别的单位客户", visiting_person=staff_b)
    birthday(mine, today + timedelta(days=20), name="二十天后")
    birthday(mine, today + timedelta(days=2), name="两天后")
    f.make_contact(
        mine,
        name="纪念日",
        care_kind="anniversary",
        care_date=(today + timedelta(days=5)).replace(year=2016),
    )
    birthday(mine, today + timedelta(days=45), name="四十五天后")
    birthday(colleague, today + timedelta(days=3), name="同事联系人")
    birthday(other, today + timedelta(days=1), name="外单位联系人")
    return today


def _contacts(response) -> list[str]:
    return [row["contact"].name for row in response.context["rows"]]


@pytest.mark.django_db
def test_the_care_page_lists_the_scopes_dates_soonest_first(
    client, care_book, staff_a, supervisor_a, admin_user
):
    url = reverse("customers:care_list")
    client.force_login(staff_a)
    assert _contacts(client.get(url)) == ["两天后", "纪念日", "二十天后"]
    assert _contacts(client.get(url, {"days": 60})) == [
        "两天后",
        "纪念日",
        "二十天后",
        "四十五天后",
    ]
    assert _contacts(client.get(url, {"kind": "anniversary"})) == ["纪念日"]
    page = client.get(url)
    assert "2 天后" in page.text and "10 年" in page.text
    client.force_login(supervisor_a)
    assert _contacts(client.get(url, {"days": 7})) == ["两天后", "同事联系人", "纪念日"]
    client.force_login(admin_user)
    assert _contacts(client.get(url, {"days": 7}))[0] == "外单位联系人"


@pytest.mark.django_db
def test_the_home_page_shows_the_weeks_care_dates(client, care_book, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("home"))
    panel = page.text.split('id="home-care-title"')[1]
    assert "两天后" in panel and "纪念日" in panel
    assert "二十天后" not in panel and "同事联系人" not in panel


@pytest.mark.django_db
def test_the_care_page_crosses_the_year_end(client, staff_a, unit_a, monkeypatch):
    customer = f.make_customer(unit_a, visiting_person=staff_a)
    birthday(customer, date(2026, 1, 3), name="元月")
    birthday(customer, date(2026, 12, 30), name="年末")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 28))
    client.force_login(staff_a)
    assert _contacts(client.get(reverse("customers:care_list"), {"days": 7})) == ["年末", "元月"]
