"""Routing: the least-loaded manager of the unit, any manager as a fallback,
in a Celery job that claims the report so nothing happens twice."""

import pytest
from django.core import mail
from django.urls import reverse

from crm_site.accounts.models import Role
from crm_site.core.models import Notification
from tests.factories import make_unit, make_urgent_report, make_user
from tests.support.services import use_broker, wait_until
from visits.models import UrgentReport, UrgentReportEvent
from visits.urgent import routing as urgent_routing
from visits.urgent import tasks

pytestmark = pytest.mark.django_db


def route(report):
    done = urgent_routing.urgent_report_route(report_id=report.pk)
    report.refresh_from_db()
    return done


def open_reports_for(manager, n, unit):
    for _ in range(n):
        make_urgent_report(unit, status="routed", assignee=manager)


def test_the_manager_of_the_unit_with_the_fewest_open_reports_gets_it(unit_a, supervisor_a):
    busy = make_user(Role.MANAGER, unit_a, username="busy")
    free = make_user(Role.MANAGER, unit_a, username="free")
    open_reports_for(busy, 2, unit_a)
    open_reports_for(free, 1, unit_a)
    make_urgent_report(unit_a, status="resolved", assignee=free)  # resolved ones do not count
    make_urgent_report(unit_a, status="resolved", assignee=free)
    report = make_urgent_report(unit_a, supervisor_a)
    assert route(report) is True
    assert report.assignee == free and report.status == "routed" and report.routed_at


def test_a_tie_goes_to_the_same_manager_every_time(unit_a, supervisor_a):
    first = make_user(Role.MANAGER, unit_a)
    make_user(Role.MANAGER, unit_a)
    report = make_urgent_report(unit_a, supervisor_a)
    route(report)
    assert report.assignee == first


def test_a_unit_without_a_manager_falls_back_to_the_least_loaded_manager_anywhere(
    unit_a, supervisor_a
):
    elsewhere = make_unit()
    loaded = make_user(Role.MANAGER, elsewhere)
    idle = make_user(Role.MANAGER, make_unit())
    open_reports_for(loaded, 1, elsewhere)
    report = make_urgent_report(unit_a, supervisor_a)
    route(report)
    assert report.assignee == idle
    event = report.events.get(kind="routed")
    assert event.data["fallback"] is True


def test_inactive_managers_are_skipped(unit_a, supervisor_a):
    gone = make_user(Role.MANAGER, unit_a)
    gone.is_active = False
    gone.save()
    present = make_user(Role.MANAGER, unit_a)
    report = make_urgent_report(unit_a, supervisor_a)
    route(report)
    assert report.assignee == present


def test_with_no_manager_at_all_the_report_stays_pending_for_the_sweeper(unit_a, supervisor_a):
    report = make_urgent_report(unit_a, supervisor_a)
    assert route(report) is False
    assert report.status == "pending"
    make_user(Role.MANAGER, unit_a)
    assert urgent_routing.urgent_reports_route_pending() == 1
    report.refresh_from_db()
    assert report.status == "routed"


def test_the_assigned_manager_is_notified_in_the_app_and_by_email(
    unit_a, supervisor_a, manager_a, django_capture_on_commit_callbacks
):
    manager_a.email = "manager_a@example.com"
    manager_a.save()
    report = make_urgent_report(unit_a, supervisor_a, title="对手降价")
    with django_capture_on_commit_callbacks(execute=True):
        route(report)
    note = Notification.objects.get(recipient=manager_a)
    assert "对手降价" in note.title and note.url == report.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["manager_a@example.com"]]


def test_routing_twice_assigns_once_and_notifies_once(
    unit_a, supervisor_a, manager_a, django_capture_on_commit_callbacks
):
    manager_a.email = "manager_a@example.com"
    manager_a.save()
    report = make_urgent_report(unit_a, supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.urgent_report_route.apply(args=[report.pk]).get() is True
        assert tasks.urgent_report_route.apply(args=[report.pk]).get() is False
        assert urgent_routing.urgent_reports_route_pending() == 0
    assert UrgentReportEvent.objects.filter(report=report, kind="routed").count() == 1
    assert Notification.objects.filter(recipient=manager_a).count() == 1
    assert len(mail.outbox) == 1


def test_a_second_manager_does_not_take_a_report_already_routed(unit_a, supervisor_a, manager_a):
    report = make_urgent_report(unit_a, supervisor_a)
    route(report)
    make_user(Role.MANAGER, unit_a)  # a newcomer with an empty queue
    assert route(report) is False
    assert report.assignee == manager_a


def test_the_sweeper_routes_every_pending_report_and_nothing_else(unit_a, supervisor_a, manager_a):
    pending = [make_urgent_report(unit_a, supervisor_a) for _ in range(3)]
    routed = make_urgent_report(unit_a, supervisor_a, route=True)
    assert tasks.urgent_reports_route_pending.apply().get() == 3
    assert set(UrgentReport.objects.values_list("status", flat=True)) == {"routed"}
    assert routed.events.filter(kind="routed").count() == 1
    assert all(p.events.filter(kind="routed").count() == 1 for p in pending)


@pytest.mark.real_broker
def test_a_dead_broker_does_not_fail_the_supervisors_request_and_the_report_waits(
    client, supervisor_a, manager_a, unit_a, django_capture_on_commit_callbacks
):
    from tests.visits.test_urgent_raise import form_data

    client.force_login(supervisor_a)
    with use_broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visits:urgent_create"), form_data(unit_a))
    assert response.status_code == 302
    report = UrgentReport.objects.get()
    assert report.status == "pending"
    # The broker is back: the sweeper (beat, every minute) routes it.
    assert urgent_routing.urgent_reports_route_pending() == 1
    report.refresh_from_db()
    assert report.assignee == manager_a


@pytest.mark.services
def test_a_real_worker_routes_a_submitted_report(
    celery_worker, client, supervisor_a, manager_a, unit_a
):
    from tests.visits.test_urgent_raise import form_data

    client.force_login(supervisor_a)
    response = client.post(reverse("visits:urgent_create"), form_data(unit_a))
    assert response.status_code == 302
    report = wait_until(lambda: UrgentReport.objects.filter(status="routed").first(), timeout=30)
    assert report.assignee == manager_a
    assert Notification.objects.filter(recipient=manager_a, kind="urgent_assigned").count() == 1
