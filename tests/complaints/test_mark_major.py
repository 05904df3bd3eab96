"""An investigation can find a normal complaint to be major: from then on its
solution needs a manager's approval. It never goes back to normal."""

import pytest
from django.urls import reverse

from complaints import services
from complaints.forms import FindingsForm, ProposeForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigating(complaint_a, staff_a):
    return services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)


def test_findings_can_mark_the_complaint_major_and_its_solution_then_awaits_a_manager(
    investigating, staff_a, supervisor_a
):
    deadline = investigating.deadline
    c = services.complaint_record_findings(
        complaint=investigating,
        actor=staff_a,
        cause="装车未加固",
        responsible_department="分拨中心",
        major=True,
    )
    assert (c.severity, c.status, c.deadline) == ("major", "investigating", deadline)
    event = c.events.order_by("-at", "-pk").first()
    assert event.comment == "已标记为重大投诉：处理方案须经业务经理审批。\n装车未加固"
    c = services.complaint_propose(
        complaint=c,
        actor=supervisor_a,
        cause=c.cause,
        responsible_department=c.responsible_department,
        solution="赔偿",
    )
    assert c.status == "awaiting_approval"


def test_findings_without_the_tick_leave_the_severity_alone(investigating, staff_a):
    c = services.complaint_record_findings(
        complaint=investigating, actor=staff_a, cause="天气原因", responsible_department="车队"
    )
    assert c.severity == "normal"
    assert c.events.order_by("-at", "-pk").first().comment == "天气原因"


def test_a_major_complaint_is_not_offered_the_tick_and_only_findings_offer_it(
    investigating, customer_a, staff_a
):
    assert "major" in FindingsForm(prefix="findings", complaint=investigating).fields
    assert "major" not in ProposeForm(prefix="propose", complaint=investigating).fields
    services.complaint_record_findings(
        complaint=investigating, actor=staff_a, cause="x", responsible_department="y", major=True
    )
    assert "major" not in FindingsForm(prefix="findings", complaint=investigating).fields


def test_the_detail_page_marks_it_major_from_the_findings_form(client, investigating, staff_a):
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[investigating.pk, "findings"])
    page = client.get(investigating.get_absolute_url()).content.decode()
    assert 'name="findings-major"' in page and "重大投诉" in page
    response = client.post(
        url,
        {
            "findings-cause": "货物倾倒",
            "findings-responsible_department": "分拨中心",
            "findings-major": "on",
        },
    )
    assert response.status_code == 302
    investigating.refresh_from_db()
    assert investigating.severity == "major"
    page = client.get(investigating.get_absolute_url()).content.decode()
    assert 'name="findings-major"' not in page
