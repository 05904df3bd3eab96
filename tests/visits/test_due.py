"""/visits/due/: my customers with visits or calls due, most urgent first, and "log a call"."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer, make_visit
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def d_customer_visited_this_month(customer_d, staff_a):
    """Grade D: two visits a month (both done today) and one call a week (not done)."""
    for _ in range(2):
        make_visit(customer_d, staff_a, kind="visit", occurred_at=timezone.now())
    return customer_d


def test_the_due_list_shows_what_each_customer_still_needs(
    client, staff_a, customer_a, d_customer_visited_this_month
):
    client.force_login(staff_a)
    response = client.get(reverse("visits:due"))
    html = response.content.decode()
    assert customer_a.name in html and d_customer_visited_this_month.name in html
    assert "本月走访 0/3" in html
    assert "本周电话 0/1" in html
    assert response.context["due_count"] == 2


def test_logging_a_call_shrinks_the_due_list(client, staff_a, d_customer_visited_this_month):
    customer = d_customer_visited_this_month
    client.force_login(staff_a)
    assert customer.name in client.get(reverse("visits:due")).content.decode()
    response = client.post(
        reverse("visits:log_call", args=[customer.pk]),
        {"form_token": str(uuid.uuid4()), "next": reverse("visits:due")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("visits:due")
    call = Visit.objects.get(kind="call")
    assert (call.customer, call.user, call.source) == (customer, staff_a, Visit.Source.DIRECT)
    page = client.get(reverse("visits:due"))
    assert f'id="due-{customer.pk}"' not in page.content.decode()
    assert page.context["up_to_date"] == 1


def test_logging_a_call_by_fetch_answers_json_without_leaving_the_page(
    client, staff_a, customer_a, d_customer_visited_this_month
):
    client.force_login(staff_a)
    url = reverse("visits:log_call", args=[customer_a.pk])
    data = {"form_token": str(uuid.uuid4())}
    reply = client.post(url, data, headers={"Accept": "application/json"}).json()
    assert reply["ok"] and reply["created"]
    assert "本周电话 1/2" in reply["html"]  # the row, redrawn: still one call and visits due
    done = client.post(
        reverse("visits:log_call", args=[d_customer_visited_this_month.pk]),
        {"form_token": str(uuid.uuid4())},
        headers={"Accept": "application/json"},
    ).json()
    assert done["html"] == ""  # nothing due any more: the row goes away


def test_a_resent_log_a_call_records_one_call(client, staff_a, customer_a):
    client.force_login(staff_a)
    data = {"form_token": str(uuid.uuid4())}
    url = reverse("visits:log_call", args=[customer_a.pk])
    client.post(url, data)
    second = client.post(url, data, headers={"Accept": "application/json"}).json()
    assert second["created"] is False
    assert Visit.objects.count() == 1


def test_overdue_customers_come_first(client, staff_a, unit_a, monkeypatch):
    relaxed = make_customer(unit_a, name="宽松客户", grade="D", visiting_person=staff_a)
    urgent = make_customer(unit_a, name="紧急客户", grade="A", visiting_person=staff_a)
    client.force_login(staff_a)
    rows = client.get(reverse("visits:due")).context["page_obj"].object_list
    names = [row.customer.name for row in rows]
    assert names.index(urgent.name) < names.index(relaxed.name)


def test_lost_customers_and_other_peoples_customers_are_not_listed(
    client, staff_a, staff_a2, unit_a
):
    lost = make_customer(
        unit_a, name="已流失客户", grade="A", status="lost", visiting_person=staff_a
    )
    theirs = make_customer(unit_a, name="同事的客户", grade="A", visiting_person=staff_a2)
    client.force_login(staff_a)
    html = client.get(reverse("visits:due")).content.decode()
    assert lost.name not in html and theirs.name not in html


def test_a_supervisor_can_look_at_a_staff_members_due_list(
    client, supervisor_a, staff_a, customer_a
):
    client.force_login(supervisor_a)
    html = client.get(reverse("visits:due"), {"person": staff_a.pk}).content.decode()
    assert customer_a.name in html


def test_the_due_page_runs_a_fixed_number_of_queries(
    client, staff_a, unit_a, django_assert_max_num_queries
):
    for i in range(15):
        make_customer(unit_a, name=f"客户{i}", grade="ABCD"[i % 4], visiting_person=staff_a)
    client.force_login(staff_a)
    client.get(reverse("visits:due"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visits:due"))
    assert response.context["due_count"] == 15
