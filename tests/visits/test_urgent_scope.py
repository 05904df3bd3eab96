"""Who sees which urgent report: every urgent URL for every persona.

Staff get 403 on every urgent page; a report of another unit is 404 (its
existence is not revealed); supervisors read and comment on their unit's.
"""

import pytest
from django.urls import reverse

from tests.factories import make_urgent_report, make_user

pytestmark = pytest.mark.django_db

LIST_URLS = ["visits:urgent_list", "visits:urgent_rows", "visits:urgent_create"]
ACTIONS = ["urgent_acknowledge", "urgent_comment", "urgent_reassign", "urgent_resolve"]


@pytest.mark.parametrize("name", LIST_URLS)
def test_staff_get_403_on_the_queue_the_rows_and_the_raise_form(client, staff_a, name):
    client.force_login(staff_a)
    assert client.get(reverse(name)).status_code == 403


def test_staff_get_403_on_a_report_of_their_own_unit_and_on_every_action(client, staff_a, urgent_a):
    client.force_login(staff_a)
    assert client.get(urgent_a.get_absolute_url()).status_code == 403
    for action in ACTIONS:
        url = reverse(f"visits:{action}", args=[urgent_a.pk])
        assert client.post(url, {"comment": "x"}).status_code == 403


def test_staff_cannot_raise_by_posting_the_form_either(client, staff_a, unit_a):
    client.force_login(staff_a)
    response = client.post(reverse("visits:urgent_create"), {"unit": unit_a.pk, "title": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["supervisor_a", "manager_a", "admin_user"])
def test_supervisors_managers_and_admins_open_the_queue_and_the_report(
    client, request, persona, urgent_a
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("visits:urgent_list")).status_code == 200
    response = client.get(urgent_a.get_absolute_url())
    assert response.status_code == 200
    assert urgent_a.title in response.content.decode()


@pytest.mark.parametrize("persona", ["supervisor_b", "manager_b"])
def test_another_units_report_is_404_for_its_page_and_every_action(
    client, request, persona, urgent_a
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(urgent_a.get_absolute_url()).status_code == 404
    for action in ACTIONS:
        url = reverse(f"visits:{action}", args=[urgent_a.pk])
        assert client.post(url, {"comment": "x", "resolution": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ["supervisor_b", "manager_b"])
def test_another_units_report_is_not_in_the_queue(client, request, persona, urgent_a, urgent_b):
    client.force_login(request.getfixturevalue(persona))
    rows = client.get(reverse("visits:urgent_list")).context["page_obj"].object_list
    assert [r.pk for r in rows] == [urgent_b.pk]


def test_a_manager_sees_a_report_of_another_unit_routed_to_them_as_fallback(
    client, unit_b, supervisor_b, manager_a
):
    # Unit B has no manager of its own: its report falls back to manager_a.
    report = make_urgent_report(unit_b, supervisor_b, route=True)
    assert report.assignee == manager_a
    client.force_login(manager_a)
    assert client.get(report.get_absolute_url()).status_code == 200
    rows = client.get(reverse("visits:urgent_list")).context["page_obj"].object_list
    assert report in list(rows)


def test_an_admin_sees_every_units_reports(client, admin_user, urgent_a, urgent_b):
    client.force_login(admin_user)
    rows = client.get(reverse("visits:urgent_list")).context["page_obj"].object_list
    assert {r.pk for r in rows} == {urgent_a.pk, urgent_b.pk}


def test_a_supervisor_reads_and_comments_but_is_offered_no_other_action(
    client, supervisor_a, urgent_a
):
    client.force_login(supervisor_a)
    response = client.get(urgent_a.get_absolute_url())
    assert [name for name, _form in response.context["actions"]] == ["comment"]
    response = client.post(reverse("visits:urgent_acknowledge", args=[urgent_a.pk]), follow=True)
    assert "只有被分派的经理才能确认" in response.content.decode()
    urgent_a.refresh_from_db()
    assert urgent_a.status == "routed"


def test_a_user_without_a_role_gets_403(client, unit_a):
    nobody = make_user("staff", unit_a)
    nobody.groups.clear()
    client.force_login(nobody)
    assert client.get(reverse("visits:urgent_list")).status_code == 403
