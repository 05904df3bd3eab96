"""The green channel's 24-hour hotline owner: set on the card's form by a
supervisor (staff cannot change it)."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.customers.test_customer_forms import edit_data

pytestmark = pytest.mark.django_db


def test_a_supervisor_names_the_hotline_owner_on_the_cards_form(client, supervisor_a, book):
    customer = book["mine"]
    client.force_login(supervisor_a)
    data = edit_data(customer, hotline_owner=supervisor_a.pk)
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    customer.refresh_from_db()
    assert customer.hotline_owner == supervisor_a


def test_staff_cannot_change_the_hotline_owner(client, staff_a, supervisor_a, book):
    customer = book["mine"]
    client.force_login(staff_a)
    data = edit_data(customer, hotline_owner=supervisor_a.pk)
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert Customer.objects.get(pk=customer.pk).hotline_owner is None


def test_the_hotline_owner_must_be_someone_the_editor_may_pick(client, supervisor_a, staff_b, book):
    customer = book["mine"]
    client.force_login(supervisor_a)
    data = edit_data(customer, hotline_owner=staff_b.pk)
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 200
    assert "hotline_owner" in response.context["form"].errors
