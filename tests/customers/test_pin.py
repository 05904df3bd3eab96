"""Pinning a grade by hand (supervisor, with a reason): rules leave it alone until unpinned."""

import pytest
from django.urls import reverse

from customers.models import GradeChange

pytestmark = pytest.mark.django_db


def test_a_supervisor_pins_a_grade_with_a_reason(client, supervisor_a, book):
    customer = book["colleague"]
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:pin_grade", args=[customer.pk]), {"grade": "A", "reason": "集团战略客户"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.grade, customer.grade_pinned, customer.grade_pinned_by) == (
        "A",
        True,
        supervisor_a,
    )
    change = GradeChange.objects.get(customer=customer)
    assert (change.old_grade, change.new_grade, change.source, change.reason) == (
        "C",
        "A",
        "pin",
        "集团战略客户",
    )


def test_a_pin_needs_a_reason(client, supervisor_a, book):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:pin_grade", args=[book["colleague"].pk]), {"grade": "A"}
    )
    assert response.context["form"].errors["reason"] == ["这个字段是必填项。"]


def test_unpinning_lets_the_rule_grade_again(client, supervisor_a, book):
    customer = book["colleague"]
    client.force_login(supervisor_a)
    client.post(
        reverse("customers:pin_grade", args=[customer.pk]), {"grade": "A", "reason": "试用"}
    )
    client.post(reverse("customers:unpin_grade", args=[customer.pk]))
    customer.refresh_from_db()
    assert (customer.grade, customer.grade_pinned) == ("C", False)
    assert GradeChange.objects.filter(customer=customer).first().source == "unpin"


def test_staff_cannot_pin(client, staff_a, book):
    client.force_login(staff_a)
    url = reverse("customers:pin_grade", args=[book["mine"].pk])
    assert client.post(url, {"grade": "D", "reason": "x"}).status_code == 403
