"""Who sees which complaint: every page, every role (DESIGN.md: 404 outside scope, 403 for a page the role may never use)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import Complaint
from crm_site.accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

SEES_A = {"staff_a", "supervisor_a", "manager_a", "admin_user"}
PERSONAS = [
    "staff_a",
    "staff_a2",
    "staff_b",
    "supervisor_a",
    "supervisor_b",
    "manager_a",
    "manager_b",
    "admin_user",
]
OBJECT_PAGES = ["complaints:detail", "complaints:print", "complaints:notice"]


@pytest.fixture
def resolved_a(customer_a, staff_a):
    complaint = f.make_complaint(customer_a, by=staff_a, cause="绕路", solution="减免运费")
    Complaint.objects.filter(pk=complaint.pk).update(status="resolved", resolved_at=timezone.now())
    return complaint


@pytest.mark.parametrize("page", OBJECT_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_complaint_page_is_404_outside_the_users_scope(
    request, client, resolved_a, persona, page
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(page, args=[resolved_a.pk]))
    assert response.status_code == (200 if persona in SEES_A else 404)


@pytest.mark.parametrize("persona", ["staff_a2", "staff_b", "supervisor_b", "manager_b"])
def test_actions_on_a_complaint_outside_scope_are_404(request, client, complaint_a, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("complaints:action", args=[complaint_a.pk, "start"])
    assert client.post(url, {}).status_code == 404
    complaint_a.refresh_from_db()
    assert complaint_a.status == "received"


def test_staff_see_complaints_about_their_customers_logged_by_someone_else(
    client, customer_a, staff_a, supervisor_a
):
    complaint = f.make_complaint(customer_a, by=supervisor_a)
    assert complaint.handler == supervisor_a
    client.force_login(staff_a)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200


def test_staff_see_complaints_they_handle_for_customers_not_theirs(
    client, customer_a2, staff_a, supervisor_a
):
    complaint = f.make_complaint(customer_a2, by=supervisor_a, handler=staff_a)
    client.force_login(staff_a)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200


def test_a_manager_of_two_units_sees_both(client, complaint_a, complaint_b, unit_a, unit_b):
    manager = f.make_user("manager", [unit_a, unit_b], username="manager_ab")
    assert set(Complaint.objects.visible_to(manager)) == {complaint_a, complaint_b}


@pytest.fixture
def no_role_user(db):
    return User.objects.create_user("norole", password="x-pass-2026")


def test_a_user_without_a_role_may_not_log_and_sees_nothing(client, complaint_a, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("complaints:create")).status_code == 403
    assert client.get(reverse("complaints:detail", args=[complaint_a.pk])).status_code == 404
    html = client.get(reverse("complaints:list")).content.decode()
    assert complaint_a.number not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_register_lists_only_the_users_complaints(
    request, client, complaint_a, complaint_b, persona
):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("complaints:list")).content.decode()
    assert (complaint_a.number in html) == (persona in SEES_A)
    sees_b = persona in {"staff_b", "supervisor_b", "manager_b", "admin_user"}
    assert (complaint_b.number in html) == sees_b


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b", "manager_b"])
def test_the_export_holds_only_the_users_complaints(
    request, client, complaint_a, complaint_b, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("complaints:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [complaint_b.number]


@pytest.mark.parametrize(
    "persona, received", [("staff_b", 1), ("supervisor_a", 2), ("admin_user", 3)]
)
def test_the_figures_count_only_the_users_complaints(
    request, client, customer_a, staff_a, complaint_a, complaint_b, persona, received
):
    f.make_complaint(customer_a, by=staff_a)
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("complaints:stats")).content.decode()
    assert f'id="kpi-received">{received}<' in html


@pytest.mark.parametrize(
    "url_name", ["complaints:list", "complaints:create", "complaints:export", "complaints:stats"]
)
def test_every_page_needs_a_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_unit_filter_offers_only_the_users_units(client, supervisor_a, unit_b, complaint_b):
    client.force_login(supervisor_a)
    html = client.get(reverse("complaints:list")).content.decode()
    assert "华南营业部" not in html
    # Asking for the other unit by id shows nothing of it either.
    html = client.get(reverse("complaints:list"), {"unit": unit_b.pk}).content.decode()
    assert complaint_b.number not in html
