"""The scoped customer picker: autocomplete and the form field only offer the user's customers."""

import pytest
from django import forms
from django.urls import reverse

from customers.fields import CustomerField, customer_label
from customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(unit_a, unit_b, staff_a, staff_b):
    return {
        "mine": make_customer(unit_a, name="上海远航物流", visiting_person=staff_a),
        "colleague": make_customer(unit_a, name="上海远东贸易"),
        "other_unit": make_customer(unit_b, name="上海远景电商", visiting_person=staff_b),
    }


def search(client, q):
    response = client.get(reverse("customers:autocomplete"), {"q": q})
    assert response.status_code == 200
    return {r["name"] for r in response.json()["results"]}


def test_staff_autocomplete_offers_only_their_own_customers(client, staff_a, customers):
    client.force_login(staff_a)
    assert search(client, "上海远") == {"上海远航物流"}


def test_supervisor_autocomplete_offers_the_units_customers(client, supervisor_a, customers):
    client.force_login(supervisor_a)
    assert search(client, "上海远") == {"上海远航物流", "上海远东贸易"}


def test_autocomplete_matches_code_prefix(client, admin_user, customers):
    client.force_login(admin_user)
    code = customers["other_unit"].code
    assert search(client, code) == {"上海远景电商"}


def test_autocomplete_needs_a_login(client, customers):
    assert client.get(reverse("customers:autocomplete"), {"q": "上海"}).status_code == 302


class PickForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(queryset=Customer.objects.visible_to(user))


def test_field_accepts_a_label_or_a_bare_code_in_scope(staff_a, customers):
    mine = customers["mine"]
    assert PickForm({"customer": customer_label(mine)}, user=staff_a).is_valid()
    form = PickForm({"customer": mine.code}, user=staff_a)
    assert form.is_valid() and form.cleaned_data["customer"] == mine


def test_field_refuses_a_customer_outside_the_scope_in_chinese(staff_a, customers):
    form = PickForm({"customer": customers["other_unit"].code}, user=staff_a)
    assert not form.is_valid()
    assert "找不到该客户" in form.errors["customer"][0]


def test_field_shows_the_chosen_customer_as_code_and_name(staff_a, customers):
    mine = customers["mine"]
    html = str(PickForm(initial={"customer": mine}, user=staff_a)["customer"])
    assert f'value="{mine.code} · 上海远航物流"' in html
    assert "data-autocomplete-url" in html
