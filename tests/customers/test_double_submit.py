"""A create form sent twice (a double click, a retry on a phone) creates one
record; the repeat goes to the first one (customer, contact, import upload)."""

import pytest
from django.urls import reverse

from customers.models import Contact, Customer, CustomerImport
from tests.customers.conftest import upload, workbook_bytes
from tests.support.forms import page_post

pytestmark = pytest.mark.django_db


def new_contact(book):
    return reverse("customers:contact_create", args=[book["mine"].pk]), {
        "name": "刘丽华",
        "mobile": "13400007919",
    }


def new_customer(book):
    return reverse("customers:create"), {
        "code": "N-009",
        "name": "苏州新港物流",
        "nature": "manufacturer",
        "scale": "medium",
        "annual_revenue": "120",
        "trend": "stable",
        "status": "active",
    }


@pytest.mark.parametrize(
    ("form", "rows", "created"),
    [
        (new_contact, Contact.objects.all, lambda: Customer.objects.get(code="A-001")),
        (new_customer, Customer.objects.all, lambda: Customer.objects.get(code="N-009")),
    ],
    ids=["contact", "customer"],
)
def test_the_same_create_form_sent_twice_creates_one(
    client, supervisor_a, book, form, rows, created
):
    client.force_login(supervisor_a)
    url, fields = form(book)
    before = rows().count()
    data = page_post(client.get(url).context["form"], **fields)
    first = client.post(url, data)
    again = client.post(url, data)
    assert rows().count() == before + 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert first["Location"].startswith(created().get_absolute_url())


def test_two_new_contact_forms_create_two(client, supervisor_a, book):
    client.force_login(supervisor_a)
    url, fields = new_contact(book)
    for name in ("甲", "乙"):
        form = client.get(url).context["form"]
        assert client.post(url, page_post(form, **fields | {"name": name})).status_code == 302
    assert Contact.objects.count() == 2


def test_the_same_upload_sent_twice_is_kept_and_checked_once(client, supervisor_a, book):
    client.force_login(supervisor_a)
    url = reverse("customers:import")
    token = client.get(url).context["form"].initial["form_token"]
    content = workbook_bytes([{"code": "N-010", "name": "苏州新港物流"}], headers=["code", "name"])
    first = client.post(url, {"file": upload(content), "form_token": token})
    again = client.post(url, {"file": upload(content), "form_token": token})
    assert CustomerImport.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == CustomerImport.objects.get().get_absolute_url()
