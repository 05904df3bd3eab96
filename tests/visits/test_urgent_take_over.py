"""An urgent report stuck in routing: the unit's managers are alerted once
when it still waits after two minutes, and any of them can take it over
("由我接手"): it is then theirs and acknowledged, with its timeline entry."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core.models import Notification
from tests.factories import make_urgent_report, make_user
from tests.support.services import wait_until
from visits.models import UrgentReport, UrgentReportEvent
from visits.urgent import routing, services

pytestmark = pytest.mark.django_db


def stuck(unit, raiser, minutes=3, **fields) -> UrgentReport:
    """A report of `unit` still pending routing, raised `minutes` ago."""
    report = make_urgent_report(unit, raiser, **fields)
    UrgentReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    report.refresh_from_db()
    return report


def alarms(user):
    return Notification.objects.filter(recipient=user, kind="urgent_routing_delayed")


# --- taking over -----------------------------------------------------------------------


def test_the_units_manager_sees_take_it_over_on_a_report_stuck_in_routing(
    client, unit_a, supervisor_a, manager_a
):
    report = stuck(unit_a, supervisor_a)
    client.force_login(manager_a)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "由我接手" in html
    assert "至今仍未分派给经理" in html
    assert reverse("visits:urgent_take_over", args=[report.pk]) in html


def test_taking_over_assigns_it_to_the_manager_acknowledged_with_a_timeline_entry(
    client, unit_a, supervisor_a, manager_a
):
    report = stuck(unit_a, supervisor_a)
    client.force_login(manager_a)
    page = client.post(
        reverse("visits:urgent_take_over", args=[report.pk]), {"comment": "我来跟进"}, follow=True
    ).content.decode()
    report.refresh_from_db()
    assert (report.status, report.assignee) == ("acknowledged", manager_a)
    assert report.routed_at and report.acknowledged_at
    event = report.events.get(kind=UrgentReportEvent.Kind.TAKEN_OVER)
    assert (event.actor, event.comment, event.to_state) == (manager_a, "我来跟进", "acknowledged")
    assert "已由您接手，并已通知主管。" in page
    assert "已接手 · 孙经理" in page
    assert "由我接手" not in page
    assert Notification.objects.filter(recipient=supervisor_a, kind="urgent_acknowledged").exists()


def test_the_queue_offers_take_it_over_on_the_row_to_the_units_managers_only(
    client, unit_a, supervisor_a, manager_a, manager_b
):
    report = stuck(unit_a, supervisor_a)
    take_over = reverse("visits:urgent_take_over", args=[report.pk])
    queue = reverse("visits:urgent_list")
    client.force_login(manager_a)
    html = client.get(queue, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'action="{take_over}"' in html and "由我接手" in html
    assert "确定接手这份紧急报告" in html  # asks before it goes
    # The rows the page polls for carry it too.
    rows = client.get(reverse("visits:urgent_rows")).content.decode()
    assert f'action="{take_over}"' in rows
    page = client.post(take_over, {}, follow=True).content.decode()
    report.refresh_from_db()
    assert (report.status, report.assignee) == ("acknowledged", manager_a)
    assert "已由您接手，并已通知主管。" in page
    assert f'action="{take_over}"' not in client.get(queue).content.decode()
    # Nobody else gets the button: the raiser, another unit's manager.
    for user in (supervisor_a, manager_b):
        client.force_login(user)
        assert f'action="{take_over}"' not in client.get(queue).content.decode()


def test_routing_that_comes_later_leaves_a_taken_over_report_alone(unit_a, supervisor_a, manager_a):
    other = make_user(Role.MANAGER, unit_a, full_name="吴经理")
    report = stuck(unit_a, supervisor_a)
    assert services.urgent_report_take_over(report=report, actor=other) is True
    assert routing.urgent_report_route(report_id=report.pk) is False
    report.refresh_from_db()
    assert report.assignee == other
    assert not report.events.filter(kind="routed").exists()


def test_once_routing_got_there_first_taking_over_changes_nothing(
    client, unit_a, supervisor_a, manager_a
):
    other = make_user(Role.MANAGER, unit_a, full_name="吴经理")
    report = stuck(unit_a, supervisor_a)
    routing.urgent_report_route(report_id=report.pk)  # the page was opened before this
    client.force_login(other)
    page = client.post(
        reverse("visits:urgent_take_over", args=[report.pk]), follow=True
    ).content.decode()
    report.refresh_from_db()
    assert report.assignee == manager_a and report.status == "routed"
    assert not report.events.filter(kind="taken_over").exists()
    assert "已分派" in page  # says why: the report is routed now


def test_the_raising_supervisor_and_another_units_manager_cannot_take_it_over(
    client, unit_a, supervisor_a, manager_a, manager_b
):
    report = stuck(unit_a, supervisor_a)
    client.force_login(supervisor_a)
    assert "由我接手" not in client.get(report.get_absolute_url()).content.decode()
    client.post(reverse("visits:urgent_take_over", args=[report.pk]))
    client.force_login(manager_b)
    response = client.post(reverse("visits:urgent_take_over", args=[report.pk]))
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "pending" and report.assignee is None


def test_staff_get_403_on_take_over(client, unit_a, supervisor_a, staff_a):
    report = stuck(unit_a, supervisor_a)
    client.force_login(staff_a)
    assert client.post(reverse("visits:urgent_take_over", args=[report.pk])).status_code == 403


# --- the alarm -------------------------------------------------------------------------


def test_routing_late_by_two_minutes_alerts_every_manager_of_the_unit_once(
    unit_a, supervisor_a, manager_a, manager_b
):
    second = make_user(Role.MANAGER, unit_a, full_name="吴经理")
    report = stuck(unit_a, supervisor_a, minutes=3)
    assert routing.urgent_reports_routing_alarm() == 1
    assert alarms(manager_a).count() == 1 and alarms(second).count() == 1
    assert not alarms(manager_b).exists()
    note = alarms(manager_a).get()
    assert note.title == f"紧急报告尚未分派：{report.title}"
    assert note.url == report.get_absolute_url()
    event = report.events.get(kind="routing_delayed")
    assert set(event.data["notified"]) == {manager_a.pk, second.pk}
    # The next sweeps find it alerted already.
    assert routing.urgent_reports_routing_alarm() == 0
    assert routing.urgent_reports_routing_alarm(now=timezone.now() + timedelta(hours=1)) == 0
    assert alarms(manager_a).count() == 1
    assert report.events.filter(kind="routing_delayed").count() == 1


def test_a_report_routed_in_time_or_raised_a_minute_ago_raises_no_alarm(
    unit_a, supervisor_a, manager_a
):
    stuck(unit_a, supervisor_a, minutes=1)
    routed = stuck(unit_a, supervisor_a, minutes=5)
    routing.urgent_report_route(report_id=routed.pk)
    assert routing.urgent_reports_routing_alarm() == 0
    assert not alarms(manager_a).exists()


def test_the_alarm_shows_on_the_timeline(client, unit_a, supervisor_a, manager_a):
    report = stuck(unit_a, supervisor_a)
    routing.urgent_reports_routing_alarm()
    client.force_login(supervisor_a)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "分派超时" in html and "已提醒本单位经理：孙经理" in html


def test_a_real_worker_runs_the_routing_alarm(celery_worker, unit_a, supervisor_a, manager_a):
    from visits import tasks

    # Written directly: raising would send the routing job, which would route it.
    report = UrgentReport.objects.create(
        unit=unit_a,
        raised_by=supervisor_a,
        category=UrgentReport.Category.OTHER,
        title="仓库停电",
        details="华东仓库停电，影响当日发货。",
    )
    UrgentReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    tasks.urgent_reports_routing_alarm.delay()
    wait_until(lambda: alarms(manager_a).exists(), timeout=30)
    report.refresh_from_db()
    assert report.routing_alarmed_at is not None and report.status == "pending"


def test_the_alarm_runs_from_the_beat_on_the_default_queue_not_the_urgent_one():
    from django.conf import settings

    from crm_site.celery import app as celery_app

    name = "visits.tasks.urgent_reports_routing_alarm"
    assert any(entry["task"] == name for entry in settings.CELERY_BEAT_SCHEDULE.values())
    queue = celery_app.amqp.router.route({}, name)["queue"].name
    assert queue == settings.CELERY_TASK_DEFAULT_QUEUE != settings.CELERY_URGENT_QUEUE
