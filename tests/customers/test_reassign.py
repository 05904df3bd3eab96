"""Supervisors reassign visiting persons in bulk, within their unit, all or none."""

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerChange

pytestmark = pytest.mark.django_db


def reassign(client, customers, person, reason=""):
    return client.post(
        reverse("customers:reassign"),
        {
            "customers": [c.pk for c in customers],
            "visiting_person": person.pk,
            "override_reason": reason,
            "next": "/customers/?grade=C",
        },
        follow=True,
    )


def test_a_supervisor_reassigns_ticked_customers_to_a_colleague(
    client, supervisor_a, book, staff_a2
):
    client.force_login(supervisor_a)
    response = reassign(client, [book["mine"], book["colleague"]], staff_a2)
    assert response.redirect_chain[-1][0] == "/customers/?grade=C"
    assert "已将 1 位客户改派给 李四 巡访" in response.content.decode()
    assert Customer.objects.get(code="A-001").visiting_person == staff_a2
    change = CustomerChange.objects.get(kind="assigned")
    assert change.actor == supervisor_a and change.changes["visiting_person"] == ["张三", "李四"]


def test_a_person_outside_the_unit_is_refused(client, admin_user, book, staff_b):
    client.force_login(admin_user)
    response = reassign(client, [book["mine"]], staff_b)
    assert "王五 不是客户 A-001 所属营业单位的成员" in response.content.decode()
    assert Customer.objects.get(code="A-001").visiting_person.username == "staff_a"


def test_customers_of_another_unit_cannot_be_ticked(client, supervisor_a, book, staff_a2):
    client.force_login(supervisor_a)
    response = reassign(client, [book["mine"], book["other_unit"]], staff_a2)
    assert "请从您的客户名单中选择客户" in response.content.decode()
    assert Customer.objects.get(code="A-001").visiting_person.username == "staff_a"


def test_a_regions_salesperson_needs_a_reason_and_keeps_it(
    client, supervisor_a, book, salesperson_a
):
    client.force_login(supervisor_a)
    response = reassign(client, [book["mine"]], salesperson_a)
    assert "请填写例外指派理由" in response.content.decode()
    reassign(client, [book["mine"]], salesperson_a, reason="客户要求")
    customer = Customer.objects.get(code="A-001")
    assert (customer.visiting_person, customer.assignment_override_reason) == (
        salesperson_a,
        "客户要求",
    )
