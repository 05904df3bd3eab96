"""Two people writing one complaint's findings or solution at once: the second
save is refused with what the first wrote, and keeps its input."""

import pytest
from django.test import Client
from django.urls import reverse

from complaints import services
from complaints.models import Complaint
from tests import factories as f
from tests.support.forms import page_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigating(complaint_a, staff_a):
    return services.complaint_start_investigation(complaint=complaint_a, actor=staff_a)


def opened(user, complaint, action):
    client = Client()
    client.force_login(user)
    page = client.get(complaint.get_absolute_url())
    forms = {a["name"]: a["form"] for a in page.context["actions"]}
    return client, forms[action]


THEIR_FINDINGS = {"cause": "司机绕路", "responsible_department": "运输部"}


@pytest.mark.parametrize(
    ("action", "mine", "kept"),
    [
        ("findings", {"cause": "仓库晚发货", "responsible_department": "仓储部"}, "cause"),
        (
            "propose",
            {"cause": "仓库晚发货", "responsible_department": "仓储部", "solution": "赔偿运费"},
            "solution",
        ),
    ],
)
def test_a_stale_save_of_shared_complaint_fields_is_refused(
    investigating, supervisor_a, unit_a, action, mine, kept
):
    # The colleague records findings (the complaint stays under investigation)
    # while the supervisor has the findings or the solution form open.
    colleague = f.make_user("supervisor", unit_a, username="sup_a2", full_name="郑主管")
    first, first_form = opened(supervisor_a, investigating, action)
    second, second_form = opened(colleague, investigating, "findings")
    findings_url = reverse("complaints:action", args=[investigating.pk, "findings"])
    assert second.post(findings_url, page_post(second_form, **THEIR_FINDINGS)).status_code == 302

    url = reverse("complaints:action", args=[investigating.pk, action])
    refused = first.post(url, page_post(first_form, **mine))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "郑主管" in text and "在您打开表单后保存了此记录" in text and "司机绕路" in text
    stored = Complaint.objects.get(pk=investigating.pk)
    assert (stored.status, stored.cause, stored.solution) == ("investigating", "司机绕路", "")
    bound = {a["name"]: a["form"] for a in refused.context["actions"]}[action]
    assert bound[kept].value() == mine[kept]
