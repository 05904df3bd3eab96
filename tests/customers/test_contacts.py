"""Contacts on the card: add, edit, remove; one primary contact; history of each change."""

import uuid

import pytest
from django.urls import reverse

from customers.models import Contact, CustomerChange

pytestmark = pytest.mark.django_db


def add(client, customer, **data):
    data.setdefault("form_token", str(uuid.uuid4()))
    return client.post(reverse("customers:contact_create", args=[customer.pk]), data)


def test_staff_add_a_contact_with_a_birthday(client, staff_a, book):
    client.force_login(staff_a)
    response = add(
        client,
        book["mine"],
        name="刘丽华",
        mobile="13400007919",
        care_kind="birthday",
        care_date="1978-04-04",
        is_primary="on",
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.name, str(contact.care_date), contact.is_primary) == (
        "刘丽华",
        "1978-04-04",
        True,
    )
    change = CustomerChange.objects.get(kind="contact")
    assert change.actor == staff_a and change.changes["action"] == "added"


def test_a_contact_needs_a_way_to_reach_them(client, staff_a, book):
    client.force_login(staff_a)
    response = add(client, book["mine"], name="无联系方式")
    assert "请至少填写一种联系方式" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_care_date_needs_its_kind(client, staff_a, book):
    client.force_login(staff_a)
    response = add(client, book["mine"], name="王建国", mobile="139", care_date="1980-01-02")
    assert response.context["form"].errors["care_kind"] == ["请注明该日期是生日还是纪念日。"]


def test_a_new_primary_contact_replaces_the_old_one(client, staff_a, book):
    client.force_login(staff_a)
    add(client, book["mine"], name="甲", mobile="1", is_primary="on")
    add(client, book["mine"], name="乙", mobile="2", is_primary="on")
    assert list(Contact.objects.filter(is_primary=True).values_list("name", flat=True)) == ["乙"]


def test_editing_records_the_changed_fields(client, staff_a, book):
    client.force_login(staff_a)
    add(client, book["mine"], name="甲", mobile="13900000001")
    contact = Contact.objects.get()
    client.post(
        reverse("customers:contact_edit", args=[book["mine"].pk, contact.pk]),
        {"name": "甲", "mobile": "13900000002"},
    )
    change = CustomerChange.objects.filter(kind="contact").first()
    assert change.changes["fields"] == {"mobile": ["13900000001", "13900000002"]}


def test_removing_a_contact_is_recorded(client, staff_a, book):
    client.force_login(staff_a)
    add(client, book["mine"], name="甲", mobile="1")
    contact = Contact.objects.get()
    client.post(reverse("customers:contact_delete", args=[book["mine"].pk, contact.pk]))
    assert not Contact.objects.exists()
    assert CustomerChange.objects.filter(kind="contact").first().changes["action"] == "removed"
