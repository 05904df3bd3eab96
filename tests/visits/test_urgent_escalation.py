"""Escalation: a report not acknowledged by its deadline is escalated once,
to every manager of the unit and the next fallback manager."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core.models import Notification
from tests.factories import make_unit, make_urgent_report, make_user
from visits.urgent import routing as urgent_routing
from visits.urgent import tasks

pytestmark = pytest.mark.django_db


def overdue(report, hours=1):
    report.ack_deadline = timezone.now() - timedelta(hours=hours)
    report.save(update_fields=["ack_deadline"])
    return report


def escalation_notes():
    return Notification.objects.filter(kind="urgent_escalated")


@pytest.fixture
def second_manager_a(unit_a):
    return make_user(Role.MANAGER, unit_a, username="manager_a2", full_name="郑经理")


@pytest.fixture
def fallback_manager(db):
    return make_user(Role.MANAGER, make_unit(), username="fallback", full_name="冯经理")


def test_an_unacknowledged_report_past_its_deadline_is_escalated_to_every_manager_of_the_unit_and_the_fallback(
    urgent_a,
    manager_a,
    second_manager_a,
    fallback_manager,
    manager_b,
    django_capture_on_commit_callbacks,
):
    for person in (manager_a, second_manager_a, fallback_manager, manager_b):
        person.email = f"{person.username}@example.com"
        person.save()
    overdue(urgent_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.urgent_reports_escalate.apply().get() == 1
    urgent_a.refresh_from_db()
    assert urgent_a.escalated_at is not None
    notified = set(escalation_notes().values_list("recipient__username", flat=True))
    # manager_b and the fallback manager both have empty queues: the lower id wins.
    next_fallback = min((fallback_manager, manager_b), key=lambda u: u.pk)
    assert notified == {"manager_a", "manager_a2", next_fallback.username}
    assert len(mail.outbox) == 3
    event = urgent_a.events.get(kind="escalated")
    assert manager_a.get_full_name() in event.comment


def test_escalation_is_never_repeated(urgent_a, manager_a):
    overdue(urgent_a)
    assert urgent_routing.urgent_reports_escalate() == 1
    assert urgent_routing.urgent_reports_escalate() == 0
    assert urgent_routing.urgent_report_escalate(report_id=urgent_a.pk) is False
    assert urgent_a.events.filter(kind="escalated").count() == 1
    assert escalation_notes().filter(recipient=manager_a).count() == 1


def test_a_report_within_its_deadline_is_not_escalated(urgent_a):
    assert urgent_routing.urgent_reports_escalate() == 0


def test_an_acknowledged_report_is_not_escalated_even_past_the_deadline(
    client, urgent_a, manager_a
):
    from visits.urgent.services import urgent_report_acknowledge

    urgent_report_acknowledge(report=urgent_a, actor=manager_a)
    overdue(urgent_a)
    assert urgent_routing.urgent_reports_escalate() == 0


def test_a_report_still_pending_routing_is_escalated_too(unit_a, supervisor_a, manager_a):
    # The broker and the sweeper were both down: the managers still hear of it.
    overdue(make_urgent_report(unit_a, supervisor_a))
    assert urgent_routing.urgent_reports_escalate() == 1
    assert escalation_notes().filter(recipient=manager_a).exists()


def test_the_queue_and_the_page_show_the_report_as_escalated(client, urgent_a, manager_a):
    overdue(urgent_a, hours=2)
    urgent_routing.urgent_reports_escalate()
    client.force_login(manager_a)
    from django.urls import reverse

    queue = client.get(reverse("visits:urgent_list")).content.decode()
    assert 'data-sla="escalated"' in queue
    page = client.get(urgent_a.get_absolute_url()).content.decode()
    assert 'data-sla="escalated"' in page
