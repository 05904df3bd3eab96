"""The escalation mark: an escalated report still open shows it, always with
the word "已升级"; a resolved one shows no escalation icon at all."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_urgent_report
from visits.urgent import services

pytestmark = pytest.mark.django_db

MARK = re.compile(r'<i class="bi bi-megaphone" aria-hidden="true"></i>\s*([^<]*)<')


def escalated(unit, raiser, manager, *, resolve: bool):
    report = make_urgent_report(unit, raiser, route=True, escalated_at=timezone.now())
    services.urgent_report_acknowledge(report=report, actor=manager)
    if resolve:
        services.urgent_report_resolve(report=report, actor=manager, resolution="已与客户沟通解决")
    report.refresh_from_db()
    return report


def pages(client, user, report) -> list[str]:
    client.force_login(user)
    return [
        client.get(reverse("visits:urgent_list"), {"status": "all"}).content.decode(),
        client.get(report.get_absolute_url()).content.decode(),
    ]


def test_a_resolved_report_shows_no_escalation_icon(client, unit_a, supervisor_a, manager_a):
    report = escalated(unit_a, supervisor_a, manager_a, resolve=True)
    for page in pages(client, manager_a, report):
        assert report.title in page
        assert "bi-megaphone" not in page


def test_an_escalated_report_still_open_is_marked_with_a_word(
    client, unit_a, supervisor_a, manager_a
):
    report = escalated(unit_a, supervisor_a, manager_a, resolve=False)
    for page in pages(client, manager_a, report):
        labels = MARK.findall(page)
        assert labels and all(label.strip() == "已升级" for label in labels)
