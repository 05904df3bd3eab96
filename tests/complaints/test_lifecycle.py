"""Each step of a complaint's handling: who may take it, where it leads, its history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintEvent
from crm_site.core.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def propose(complaint, actor):
    return services.complaint_propose(
        complaint=complaint,
        actor=actor,
        cause="司机绕路，未按约定线路送货。",
        responsible_department="运输部",
        solution="减免本单运费，并向客户书面致歉。",
    )


def kinds(complaint):
    return list(complaint.events.values_list("kind", flat=True))


def test_logging_gives_a_number_a_deadline_a_handler_and_a_first_event(customer_a, staff_a):
    complaint = f.make_complaint(customer_a, by=staff_a)
    year = timezone.localdate().year
    assert complaint.number.startswith(f"TS-{year}-")
    assert complaint.status == "received"
    assert complaint.unit == customer_a.unit
    assert complaint.handler == staff_a
    assert complaint.deadline > complaint.received_at
    event = complaint.events.get()
    assert (event.kind, event.actor, event.to_status) == ("logged", staff_a, "received")


def test_a_normal_complaint_runs_from_received_to_closed(complaint_a, staff_a, supervisor_a):
    c = services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    assert c.status == "investigating"
    c = services.complaint_record_findings(
        complaint=c, actor=staff_a, cause="司机绕路", responsible_department="运输部"
    )
    assert (c.status, c.responsible_department) == ("investigating", "运输部")
    c = propose(c, supervisor_a)
    assert c.status == "proposed"
    c = services.complaint_resolve(complaint=c, actor=supervisor_a)
    assert c.status == "resolved" and c.resolved_at and c.resolved_by == supervisor_a
    c = services.complaint_notify_customer(
        complaint=c, actor=staff_a, notified_on=timezone.localdate(), means="letter"
    )
    assert (c.status, c.notified_on, c.notice_means) == ("notified", timezone.localdate(), "letter")
    c = services.complaint_return_visit(
        complaint=c, actor=staff_a, satisfied=True, note="客户表示满意"
    )
    assert c.status == "closed" and c.satisfied is True and c.closed_at
    assert kinds(c) == [
        "logged",
        "investigation_started",
        "findings",
        "proposed",
        "resolved",
        "notified",
        "return_visit",
        "closed",
    ]
    closed = c.events.get(kind="closed")
    assert (closed.from_status, closed.to_status, closed.actor) == ("notified", "closed", staff_a)


def test_a_major_complaint_needs_a_managers_approval(customer_a, staff_a, supervisor_a, manager_a):
    c = f.make_complaint(customer_a, by=staff_a, severity="major")
    services.complaint_start_investigation(complaint=c, actor=staff_a)
    c = propose(c, supervisor_a)
    assert c.status == "awaiting_approval"
    # Managers of the unit are told.
    assert Notification.objects.filter(recipient=manager_a, kind="complaint_approval").exists()
    with pytest.raises(ValidationError, match="经理批准"):
        services.complaint_resolve(complaint=c, actor=supervisor_a)
    c = services.complaint_approve(complaint=c, actor=manager_a, comment="同意减免")
    assert (c.status, c.approved_by, c.approval_comment) == ("approved", manager_a, "同意减免")
    c = services.complaint_resolve(complaint=c, actor=supervisor_a)
    assert c.status == "resolved"


def test_a_sent_back_solution_is_reworked_and_proposed_again(
    customer_a, staff_a, supervisor_a, manager_a
):
    c = f.make_complaint(customer_a, by=staff_a, severity="major")
    services.complaint_start_investigation(complaint=c, actor=staff_a)
    propose(c, supervisor_a)
    with pytest.raises(ValidationError):
        services.complaint_send_back(complaint=c, actor=manager_a, comment="  ")
    c = services.complaint_send_back(complaint=c, actor=manager_a, comment="赔偿标准过高")
    assert c.status == "sent_back"
    assert Notification.objects.filter(recipient=supervisor_a, kind="complaint_sent_back").exists()
    c = propose(c, supervisor_a)
    assert c.status == "awaiting_approval"
    assert c.approved_at is None


def test_an_unsatisfied_customer_reopens_the_complaint_with_a_new_deadline(
    complaint_a, staff_a, supervisor_a
):
    c = services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    c = propose(c, supervisor_a)
    c = services.complaint_resolve(complaint=c, actor=supervisor_a)
    c = services.complaint_notify_customer(
        complaint=c, actor=staff_a, notified_on=timezone.localdate(), means="email"
    )
    Complaint.objects.filter(pk=c.pk).update(
        reminded_at=timezone.now(), escalated_at=timezone.now()
    )
    old_deadline = c.deadline
    c = services.complaint_return_visit(
        complaint=c, actor=staff_a, satisfied=False, note="仍未赔付"
    )
    assert c.status == "investigating"
    assert c.reopened_count == 1
    assert c.satisfied is False
    assert c.resolved_at is None and c.notified_on is None
    assert c.reminded_at is None and c.escalated_at is None
    assert c.deadline >= old_deadline
    assert kinds(c)[-2:] == ["return_visit", "reopened"]
    # And it can be worked again.
    c = propose(c, supervisor_a)
    assert c.status == "proposed"


def test_a_double_submit_moves_the_complaint_only_once(complaint_a, staff_a):
    stale = Complaint.objects.get(pk=complaint_a.pk)
    services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    with pytest.raises(ValidationError, match="刚刚"):
        services.complaint_start_investigation(complaint=stale, actor=staff_a)
    assert complaint_a.events.filter(kind="investigation_started").count() == 1


def test_an_illegal_transition_says_what_the_status_is_and_why(complaint_a, supervisor_a):
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_resolve(complaint=complaint_a, actor=supervisor_a)
    message = excinfo.value.messages[0]
    assert "已受理" in message
    assert "处理方案" in message


def test_a_double_posted_form_shows_a_message_instead_of_an_error(client, complaint_a, staff_a):
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint_a.pk, "start"])
    assert client.post(url, {"start-comment": ""}).status_code == 302
    response = client.post(url, {"start-comment": ""}, follow=True)
    assert response.status_code == 200
    assert "只有刚受理的投诉才能开始调查" in response.content.decode()
    assert complaint_a.events.filter(kind="investigation_started").count() == 1


# --- permissions --------------------------------------------------------------

ROLE_TABLE = {
    # action: personas allowed (all of unit A unless noted)
    "start": {"staff_a", "supervisor_a", "manager_a", "admin_user"},
    "propose": {"supervisor_a", "manager_a", "admin_user"},
    "approve": {"manager_a", "admin_user"},
}
PERSONAS = [
    "staff_a",
    "staff_a2",
    "supervisor_a",
    "manager_a",
    "supervisor_b",
    "manager_b",
    "admin_user",
]


def _ready_for(action, complaint, staff, supervisor):
    if action in ("propose", "approve"):
        services.complaint_start_investigation(complaint=complaint, actor=staff)
    if action == "approve":
        propose(complaint, supervisor)
    return Complaint.objects.get(pk=complaint.pk)


def _do(action, complaint, actor):
    if action == "start":
        return services.complaint_start_investigation(complaint=complaint, actor=actor)
    if action == "propose":
        return propose(complaint, actor)
    return services.complaint_approve(complaint=complaint, actor=actor)


@pytest.mark.parametrize("action", sorted(ROLE_TABLE))
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_right_roles_may_take_each_step(request, action, persona, customer_a, staff_a):
    supervisor = request.getfixturevalue("supervisor_a")
    complaint = f.make_complaint(customer_a, by=staff_a, severity="major")
    complaint = _ready_for(action, complaint, staff_a, supervisor)
    actor = request.getfixturevalue(persona)
    if persona in ROLE_TABLE[action]:
        _do(action, complaint, actor)
        assert complaint.events.filter(actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            _do(action, complaint, actor)


def test_staff_may_work_only_complaints_they_logged_or_handle(
    customer_a, staff_a, staff_a2, supervisor_a
):
    complaint = f.make_complaint(customer_a, by=staff_a)
    with pytest.raises(PermissionDenied):
        services.complaint_start_investigation(complaint=complaint, actor=staff_a2)
    services.complaint_assign(complaint=complaint, actor=supervisor_a, handler=staff_a2)
    complaint.refresh_from_db()
    assert Notification.objects.filter(recipient=staff_a2, kind="complaint_assigned").exists()
    services.complaint_start_investigation(complaint=complaint, actor=staff_a2)
    assert complaint.events.filter(kind="investigation_started", actor=staff_a2).exists()


def test_a_handler_must_belong_to_the_complaints_unit(complaint_a, supervisor_a, staff_b):
    with pytest.raises(ValidationError):
        services.complaint_assign(complaint=complaint_a, actor=supervisor_a, handler=staff_b)


def test_staff_cannot_log_a_complaint_for_a_customer_outside_their_book(customer_a2, staff_a):
    with pytest.raises(PermissionDenied):
        f.make_complaint(customer_a2, by=staff_a)


def test_a_letter_needs_its_acknowledgement_date(customer_a, staff_a, categories):
    from complaints.models import ComplaintCategory

    with pytest.raises(ValidationError) as excinfo:
        services.complaint_log(
            actor=staff_a,
            customer=customer_a,
            channel="letter",
            received_at=timezone.now(),
            complainant="李女士",
            content="来函投诉",
            category=ComplaintCategory.objects.get(code="damage"),
        )
    assert "acknowledged_on" in excinfo.value.message_dict


def test_the_detail_page_offers_only_the_actions_the_role_allows(
    client, customer_a, staff_a, supervisor_a, manager_a
):
    c = f.make_complaint(customer_a, by=staff_a, severity="major")
    services.complaint_start_investigation(complaint=c, actor=staff_a)
    propose(c, supervisor_a)
    url = reverse("complaints:detail", args=[c.pk])
    approve_form = reverse("complaints:action", args=[c.pk, "approve"])
    client.force_login(supervisor_a)
    assert approve_form not in client.get(url).content.decode()
    client.force_login(manager_a)
    html = client.get(url).content.decode()
    assert approve_form in html
    assert reverse("complaints:action", args=[c.pk, "send_back"]) in html


def test_posting_an_action_the_role_may_not_take_is_forbidden(client, complaint_a, staff_a):
    services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint_a.pk, "propose"])
    response = client.post(
        url,
        {"propose-cause": "x", "propose-responsible_department": "y", "propose-solution": "z"},
    )
    assert response.status_code == 403
    complaint_a.refresh_from_db()
    assert complaint_a.status == "investigating"


def test_the_whole_flow_works_through_the_pages(client, complaint_a, staff_a, supervisor_a):
    def post(user, action, data):
        client.force_login(user)
        url = reverse("complaints:action", args=[complaint_a.pk, action])
        data = {f"{action}-{k}": v for k, v in data.items()}
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    post(staff_a, "start", {"comment": "已联系运输部"})
    post(
        supervisor_a,
        "propose",
        {"cause": "绕路", "responsible_department": "运输部", "solution": "减免运费"},
    )
    post(supervisor_a, "resolve", {"comment": ""})
    post(staff_a, "notify", {"notified_on": timezone.localdate().isoformat(), "means": "letter"})
    post(staff_a, "return_visit", {"satisfied": "yes", "note": "满意"})
    complaint_a.refresh_from_db()
    assert complaint_a.status == "closed"
    html = client.get(reverse("complaints:detail", args=[complaint_a.pk])).content.decode()
    assert "已结案" in html
    assert "已联系运输部" in html


def test_a_missing_field_is_shown_on_the_form_in_chinese(
    client, complaint_a, staff_a, supervisor_a
):
    services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)
    client.force_login(supervisor_a)
    url = reverse("complaints:action", args=[complaint_a.pk, "propose"])
    response = client.post(
        url, {"propose-cause": "绕路", "propose-responsible_department": "运输部"}
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert ComplaintEvent.objects.filter(complaint=complaint_a, kind="proposed").count() == 0
