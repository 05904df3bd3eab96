"""Working an urgent report: acknowledge, comment, reassign, resolve.

Each action is allowed to the right people only, says in Chinese why not,
notifies who should know, and happens once however often it is submitted.
"""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from crm_site.accounts.models import Role
from crm_site.core.models import Notification
from tests.factories import make_user
from visits.models import UrgentReportEvent

pytestmark = pytest.mark.django_db


def post(client, name, report, follow=True, **data):
    return client.post(reverse(f"visits:{name}", args=[report.pk]), data, follow=follow)


def refused(client, user, name, report, **data) -> str:
    """`user` posts action `name` on `report`: the page it gets, after checking
    that the report's status stayed as it was."""
    status = report.status
    client.force_login(user)
    page = post(client, name, report, **data).content.decode()
    report.refresh_from_db()
    assert report.status == status
    return page


def notes(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


@pytest.fixture
def with_emails(supervisor_a, manager_a):
    for person in (supervisor_a, manager_a):
        person.email = f"{person.username}@example.com"
        person.save()


def test_the_assigned_manager_acknowledges_and_the_supervisor_is_told(
    client, urgent_a, manager_a, supervisor_a, with_emails, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "urgent_acknowledge", urgent_a, comment="今天下午联系客户")
    assert "已确认" in response.content.decode()
    urgent_a.refresh_from_db()
    assert urgent_a.status == "acknowledged" and urgent_a.acknowledged_at
    event = urgent_a.events.get(kind="acknowledged")
    assert (event.actor, event.comment) == (manager_a, "今天下午联系客户")
    assert len(notes(supervisor_a, "urgent_acknowledged")) == 1
    assert [m.to for m in mail.outbox] == [["supervisor_a@example.com"]]


def test_acknowledging_twice_changes_it_once(client, urgent_a, manager_a, supervisor_a):
    client.force_login(manager_a)
    post(client, "urgent_acknowledge", urgent_a)
    second = post(client, "urgent_acknowledge", urgent_a)
    assert "没有任何改动" in second.content.decode()
    assert urgent_a.events.filter(kind="acknowledged").count() == 1
    assert len(notes(supervisor_a, "urgent_acknowledged")) == 1


def test_another_manager_of_the_unit_cannot_acknowledge_it(client, urgent_a, unit_a):
    colleague = make_user(Role.MANAGER, unit_a)
    assert "只有被分派的经理才能确认" in refused(client, colleague, "urgent_acknowledge", urgent_a)


def test_a_pending_report_cannot_be_acknowledged_yet(client, unit_a, supervisor_a, manager_a):
    from tests.factories import make_urgent_report

    report = make_urgent_report(unit_a, supervisor_a, assignee=manager_a)  # pending
    assert report.status == "pending"
    assert "待分派" in refused(client, manager_a, "urgent_acknowledge", report)


def test_a_supervisor_comments_and_the_manager_is_told(client, urgent_a, supervisor_a, manager_a):
    client.force_login(supervisor_a)
    response = post(
        client, "urgent_comment", urgent_a, comment="客户今天又来电催促", token=uuid.uuid4()
    )
    assert "客户今天又来电催促" in response.content.decode()
    assert urgent_a.events.filter(kind="commented", actor=supervisor_a).count() == 1
    [note] = notes(manager_a, "urgent_comment")
    # Written in the manager's language: a full-width colon in Chinese.
    assert note.body == f"{supervisor_a.get_full_name()}：客户今天又来电催促"
    assert notes(supervisor_a, "urgent_comment") == []


def test_a_double_clicked_comment_is_kept_once(client, urgent_a, supervisor_a):
    client.force_login(supervisor_a)
    token = uuid.uuid4()
    post(client, "urgent_comment", urgent_a, comment="请尽快处理", token=token)
    post(client, "urgent_comment", urgent_a, comment="请尽快处理", token=token)
    assert urgent_a.events.filter(kind="commented").count() == 1


def test_an_empty_comment_is_refused_in_chinese(client, urgent_a, supervisor_a):
    client.force_login(supervisor_a)
    response = post(
        client, "urgent_comment", urgent_a, follow=False, comment=" ", token=uuid.uuid4()
    )
    assert response.status_code == 400
    assert (
        "这个字段是必填项" in response.content.decode() or "请填写留言" in response.content.decode()
    )
    assert not urgent_a.events.filter(kind="commented").exists()


def test_resolving_needs_a_written_resolution(client, urgent_a, manager_a):
    client.force_login(manager_a)
    response = post(client, "urgent_resolve", urgent_a, follow=False, resolution="")
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    urgent_a.refresh_from_db()
    assert urgent_a.status == "routed"


def test_the_assigned_manager_resolves_and_the_supervisor_reads_the_resolution(
    client, urgent_a, manager_a, supervisor_a, with_emails, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    post(client, "urgent_acknowledge", urgent_a)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "urgent_resolve", urgent_a, resolution="已与客户高层会谈，给予阶段性优惠。")
    urgent_a.refresh_from_db()
    assert urgent_a.status == "resolved" and urgent_a.resolved_at
    assert urgent_a.resolution == "已与客户高层会谈，给予阶段性优惠。"
    [note] = notes(supervisor_a, "urgent_resolved")
    assert "已与客户高层会谈" in note.body
    assert mail.outbox[-1].to == ["supervisor_a@example.com"]
    client.force_login(supervisor_a)
    page = client.get(urgent_a.get_absolute_url())
    assert "已与客户高层会谈" in page.content.decode()
    assert page.context["actions"] == []


def test_resolving_straight_from_routed_also_counts_as_acknowledged(client, urgent_a, manager_a):
    client.force_login(manager_a)
    post(client, "urgent_resolve", urgent_a, resolution="电话沟通后已解决")
    urgent_a.refresh_from_db()
    assert urgent_a.status == "resolved" and urgent_a.acknowledged_at == urgent_a.resolved_at


def test_resolving_twice_resolves_once(client, urgent_a, manager_a, supervisor_a):
    client.force_login(manager_a)
    post(client, "urgent_resolve", urgent_a, resolution="已解决")
    post(client, "urgent_resolve", urgent_a, resolution="已解决")
    assert urgent_a.events.filter(kind="resolved").count() == 1
    assert len(notes(supervisor_a, "urgent_resolved")) == 1


def test_a_supervisor_cannot_resolve(client, urgent_a, supervisor_a):
    page = refused(client, supervisor_a, "urgent_resolve", urgent_a, resolution="我来处理")
    assert "只有被分派的经理才能办结" in page


def test_nobody_comments_on_a_resolved_report(client, urgent_a, manager_a, supervisor_a):
    client.force_login(manager_a)
    post(client, "urgent_resolve", urgent_a, resolution="已解决")
    client.force_login(supervisor_a)
    response = post(client, "urgent_comment", urgent_a, comment="还有问题", token=uuid.uuid4())
    assert "已解决" in response.content.decode()
    assert not urgent_a.events.filter(kind="commented").exists()


@pytest.fixture
def colleague(unit_a):
    return make_user(Role.MANAGER, unit_a, username="colleague", full_name="吴经理")


def test_the_assigned_manager_reassigns_with_a_reason_and_the_new_one_is_told(
    client, urgent_a, manager_a, colleague, django_capture_on_commit_callbacks
):
    colleague.email = "colleague@example.com"
    colleague.save()
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, "urgent_reassign", urgent_a, to=colleague.pk, reason="吴经理负责该客户"
        )
    assert "吴经理" in response.content.decode()
    urgent_a.refresh_from_db()
    assert urgent_a.assignee == colleague and urgent_a.status == "routed"
    event = urgent_a.events.get(kind="reassigned")
    assert (event.data["from"], event.data["to"], event.comment) == (
        manager_a.pk,
        colleague.pk,
        "吴经理负责该客户",
    )
    assert len(notes(colleague, "urgent_assigned")) == 1
    assert mail.outbox[-1].to == ["colleague@example.com"]
    # The new manager now acknowledges it; the former one no longer can.
    client.force_login(manager_a)
    assert post(client, "urgent_acknowledge", urgent_a).status_code == 200
    urgent_a.refresh_from_db()
    assert urgent_a.status == "routed"


def test_reassigning_needs_a_reason(client, urgent_a, manager_a, colleague):
    client.force_login(manager_a)
    response = post(client, "urgent_reassign", urgent_a, follow=False, to=colleague.pk, reason="")
    assert response.status_code == 400
    urgent_a.refresh_from_db()
    assert urgent_a.assignee == manager_a


def test_a_resent_reassignment_moves_it_once(client, urgent_a, manager_a, colleague):
    client.force_login(manager_a)
    post(client, "urgent_reassign", urgent_a, to=colleague.pk, reason="换人")
    again = post(client, "urgent_reassign", urgent_a, to=colleague.pk, reason="换人")
    assert "没有任何改动" in again.content.decode()
    assert urgent_a.events.filter(kind="reassigned").count() == 1
    assert len(notes(colleague, "urgent_assigned")) == 1


def test_another_manager_of_the_unit_may_take_it_over_but_a_supervisor_may_not(
    client, urgent_a, supervisor_a, colleague
):
    client.force_login(supervisor_a)
    response = post(client, "urgent_reassign", urgent_a, to=colleague.pk, reason="请吴经理处理")
    assert "只有被分派的经理、本单位经理或管理员才能改派" in response.content.decode()
    client.force_login(colleague)
    post(client, "urgent_reassign", urgent_a, to=colleague.pk, reason="我来接手")
    urgent_a.refresh_from_db()
    assert urgent_a.assignee == colleague


def test_the_reassign_list_offers_active_managers_with_the_units_own_first(
    client, urgent_a, manager_a, colleague, unit_b, manager_b
):
    client.force_login(manager_a)
    form = dict(client.get(urgent_a.get_absolute_url()).context["actions"])["reassign"]
    assert list(form.fields["to"].queryset) == [colleague, manager_b]


def test_every_step_is_on_the_timeline_with_who_and_when(client, urgent_a, manager_a, supervisor_a):
    client.force_login(manager_a)
    post(client, "urgent_acknowledge", urgent_a)
    post(client, "urgent_comment", urgent_a, comment="正在协调运输部", token=uuid.uuid4())
    post(client, "urgent_resolve", urgent_a, resolution="已书面答复客户")
    kinds = list(urgent_a.events.values_list("kind", flat=True))
    assert kinds == ["raised", "routed", "acknowledged", "commented", "resolved"]
    page = client.get(urgent_a.get_absolute_url()).content.decode()
    for text in ("正在协调运输部", "已书面答复客户", supervisor_a.get_full_name()):
        assert text in page
    assert UrgentReportEvent.objects.filter(report=urgent_a, actor=None).count() == 1  # routing
