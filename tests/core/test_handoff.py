"""Whose move it is: the "awaiting me" home panel and the notice at each handoff.

One function per workflow says whose move each state is
(crm_site.core.handoff); the home panel lists what is the user's move, inside
their scope, and the workflow kernel notifies whoever it has just become.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from crm_site.core.models import Notification
from tests.factories import make_complaint, make_customer, make_daily_report, make_entry
from visits import services as visit_services

pytestmark = pytest.mark.django_db


def handoffs(user):
    return list(Notification.objects.filter(recipient=user, kind="handoff"))


def awaiting_panel(client, user) -> dict:
    client.force_login(user)
    panels = client.get(reverse("home")).context["home_panels"]
    return next(p for p in panels if p["template"] == "core/partials/_home_awaiting_me.html")


def awaiting_names(client, user) -> dict[str, list[str]]:
    panel = awaiting_panel(client, user)
    return {
        str(group["label"]): [item["name"] for item in group["items"]]
        for group in panel["awaiting_groups"]
    }


@pytest.fixture
def complaint_a(unit_a, staff_a):
    customer = make_customer(unit_a, name="华东制造", visiting_person=staff_a)
    return make_complaint(customer, by=staff_a)


def test_recording_findings_hands_the_complaint_to_the_supervisors_who_are_told(
    complaint_a, staff_a, supervisor_a, supervisor_b, manager_a
):
    complaint_services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    assert handoffs(supervisor_a) == []
    complaint_services.complaint_record_findings(
        complaint=complaint_a, actor=staff_a, cause="分拨中心漏扫", responsible_department="运营部"
    )
    [note] = handoffs(supervisor_a)
    assert complaint_a.number in note.title and note.body == "提出处理方案"
    assert note.url == complaint_a.get_absolute_url()
    assert handoffs(supervisor_b) == [] and handoffs(manager_a) == [] and handoffs(staff_a) == []
    # Findings amended later: still the supervisors' move, nobody is told twice.
    complaint_services.complaint_record_findings(
        complaint=complaint_a,
        actor=staff_a,
        cause="分拨中心漏扫两次",
        responsible_department="运营部",
    )
    assert len(handoffs(supervisor_a)) == 1


def test_a_resolved_complaint_stays_with_the_staff_member_who_owes_the_notice(
    client, complaint_a, staff_a, supervisor_a
):
    complaint_services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    complaint_services.complaint_propose(
        complaint=complaint_a,
        actor=supervisor_a,
        cause="漏扫",
        responsible_department="运营部",
        solution="补发并赔偿运费",
    )
    complaint_services.complaint_resolve(complaint=complaint_a, actor=supervisor_a)
    [note] = handoffs(staff_a)
    assert note.body == "书面通知客户处理结果"
    client.force_login(staff_a)
    home = client.get(reverse("home")).content.decode()
    assert "我的未结投诉" in home and 'id="home-complaints-open">1<' in home
    assert awaiting_names(client, staff_a)["投诉"] == [complaint_a.number]
    # Notified: the return visit is still theirs; closed: off every list.
    complaint_services.complaint_notify_customer(
        complaint=complaint_a, actor=staff_a, notified_on=timezone.localdate(), means="letter"
    )
    assert "投诉" in awaiting_names(client, staff_a)
    complaint_services.complaint_return_visit(complaint=complaint_a, actor=staff_a, satisfied=True)
    assert "投诉" not in awaiting_names(client, staff_a)
    assert complaint_a.number not in client.get(reverse("home")).content.decode()


def test_each_role_sees_its_own_moves_and_nothing_outside_its_scope(
    client, unit_a, staff_a, staff_a2, staff_b, supervisor_a, supervisor_b, manager_a, manager_b
):
    yesterday = timezone.localdate() - timedelta(days=1)
    customer = make_customer(unit_a, visiting_person=staff_a)
    submitted = make_daily_report(staff_a, yesterday)
    make_entry(submitted, customer, at="09:00")
    visit_services.daily_report_submit(report=submitted, actor=staff_a)
    complaint = make_complaint(customer, by=staff_a, severity="major")
    complaint_services.complaint_start_investigation(complaint=complaint, actor=staff_a)
    complaint_services.complaint_propose(
        complaint=complaint,
        actor=supervisor_a,
        cause="破损",
        responsible_department="运营部",
        solution="全额赔偿",
    )

    assert awaiting_names(client, supervisor_a) == {"日报表": [str(submitted)]}
    assert awaiting_names(client, manager_a) == {"投诉": [complaint.number]}
    assert awaiting_names(client, staff_a) == {}
    for outsider in (staff_a2, staff_b, supervisor_b, manager_b):
        assert awaiting_names(client, outsider) == {}, outsider
    # The supervisor was told of the submitted report; the manager's approval
    # notice is the complaint's own (not repeated as a handoff).
    assert [n.body for n in handoffs(supervisor_a)] == ["审阅日报表"]
    assert handoffs(manager_a) == []

    visit_services.daily_report_return(report=submitted, actor=supervisor_a, comment="请补充")
    assert awaiting_names(client, staff_a) == {"日报表": [str(submitted)]}
    assert "日报表" not in awaiting_names(client, supervisor_a)
    assert awaiting_names(client, staff_a2) == {}


def test_the_panel_says_when_nothing_is_waiting(client, staff_a):
    client.force_login(staff_a)
    assert "没有等待您处理的事项。" in client.get(reverse("home")).content.decode()


def test_a_report_returned_on_an_earlier_day_stays_on_the_staff_home_until_resubmitted(
    client, unit_a, staff_a, supervisor_a
):
    day = timezone.localdate() - timedelta(days=3)
    report = make_daily_report(staff_a, day)
    make_entry(report, make_customer(unit_a, visiting_person=staff_a), at="09:00")
    visit_services.daily_report_submit(report=report, actor=staff_a)
    visit_services.daily_report_return(report=report, actor=supervisor_a, comment="请补充效果")
    client.force_login(staff_a)
    home = client.get(reverse("home")).content.decode()
    assert "被退回待修改 (1)" in home and f"{day:%Y-%m-%d}" in home
    visit_services.daily_report_submit(report=report, actor=staff_a)
    assert "被退回待修改" not in client.get(reverse("home")).content.decode()
    # The resubmission is a handoff back to the supervisor.
    assert [n.body for n in handoffs(supervisor_a)] == ["审阅日报表", "审阅日报表"]
