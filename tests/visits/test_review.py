"""/visits/reports/review/: the supervisor's queue, flagged entries first; review or return."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_daily_report, make_entry
from visits import services
from visits.models import DailyReport

pytestmark = pytest.mark.django_db


def submitted(user, day, customer, **entry_fields):
    report = make_daily_report(user, day)
    make_entry(report, customer, **entry_fields)
    services.daily_report_submit(report=report, actor=user)
    return report


def test_reports_with_flagged_entries_come_first_in_the_queue(
    client, supervisor_a, staff_a, staff_a2, customer_a, unit_a
):
    from tests.factories import make_customer

    today = timezone.localdate()
    older_plain = submitted(staff_a, today - timedelta(days=2), customer_a)
    theirs = make_customer(unit_a, grade="B", visiting_person=staff_a2)
    flagged = submitted(
        staff_a2,
        today - timedelta(days=1),
        theirs,
        needs_escalation=True,
        escalation_reason="对手推出新服务",
    )
    client.force_login(supervisor_a)
    response = client.get(reverse("visits:review"))
    order = [r.pk for r in response.context["page_obj"].object_list]
    assert order == [flagged.pk, older_plain.pk]
    assert "对手推出新服务" in response.content.decode()


def test_flagged_entries_lead_the_report_for_the_reviewer(
    client, supervisor_a, staff_a, customer_a, customer_d, report_a
):
    make_entry(report_a, customer_a, at="09:00")
    make_entry(report_a, customer_d, at="15:00", needs_escalation=True, escalation_reason="紧急")
    services.daily_report_submit(report=report_a, actor=staff_a)
    client.force_login(supervisor_a)
    entries = list(client.get(report_a.get_absolute_url()).context["entries"])
    assert [e.customer for e in entries] == [customer_d, customer_a]


@pytest.mark.usefixtures("report_a_submitted")
def test_returning_needs_a_comment_and_the_staff_member_sees_it(
    client, supervisor_a, staff_a, report_a
):
    client.force_login(supervisor_a)
    url = reverse("visits:report_review", args=[report_a.pk])
    response = client.post(url, {"action": "return", "comment": ""}, follow=True)
    assert "退回" in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.SUBMITTED
    client.post(url, {"action": "return", "comment": "请补充客户的具体需求"})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.RETURNED
    assert report_a.reviewed_by == supervisor_a
    client.force_login(staff_a)
    assert "请补充客户的具体需求" in client.get(report_a.get_absolute_url()).content.decode()
    from crm_site.core.models import Notification

    note = Notification.objects.get(recipient=staff_a, kind="visits.report_returned")
    assert note.title == f"您 {report_a.date:%Y-%m-%d} 的日报表已被退回"
    assert note.body == "请补充客户的具体需求" and note.url == report_a.get_absolute_url()


@pytest.mark.usefixtures("report_a_submitted")
def test_marking_reviewed_from_the_queue_goes_back_to_the_queue(client, supervisor_a, report_a):
    client.force_login(supervisor_a)
    queue = reverse("visits:review")
    response = client.post(
        reverse("visits:report_review", args=[report_a.pk]), {"action": "review", "next": queue}
    )
    assert response["Location"] == queue
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.REVIEWED
    assert report_a.pk not in [r.pk for r in client.get(queue).context["page_obj"].object_list]


def test_nobody_reviews_their_own_report(supervisor_a, customer_a):
    report = make_daily_report(supervisor_a)
    make_entry(report, customer_a)
    services.daily_report_submit(report=report, actor=supervisor_a)
    with pytest.raises(services.PermissionDenied):
        services.daily_report_review(report=report, actor=supervisor_a)


def test_drafts_are_not_in_the_queue_and_cannot_be_reviewed(
    client, supervisor_a, report_a, customer_a
):
    make_entry(report_a, customer_a)
    client.force_login(supervisor_a)
    assert not client.get(reverse("visits:review")).context["page_obj"].object_list
    client.post(reverse("visits:report_review", args=[report_a.pk]), {"action": "review"})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.DRAFT
