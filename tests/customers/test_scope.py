"""Every customer page for every persona: out of scope is 404, a forbidden role is 403."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import CustomerImport, GradingRule
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def listed(client, **params):
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    return {c.code for c in response.context["page_obj"]}


def exported(client):
    response = client.get(reverse("customers:export"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[
        0
    ]
    return {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("staff_a", {"A-001"}),
        ("staff_b", {"B-001"}),
        ("supervisor_a", {"A-001", "A-002"}),
        ("manager_a", {"A-001", "A-002"}),
        ("supervisor_b", {"B-001"}),
        ("admin_user", {"A-001", "A-002", "B-001"}),
    ],
)
def test_list_and_export_show_only_the_customers_in_scope(client, request, book, persona, codes):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == codes
    assert exported(client) == codes


def test_a_sales_owner_sees_their_customers_too(client, book, salesperson_a):
    book["colleague"].sales_owner = salesperson_a
    book["colleague"].save()
    client.force_login(salesperson_a)
    assert listed(client) == {"A-002"}


@pytest.mark.parametrize("page", ["detail", "edit", "contact_create"])
def test_staff_of_the_other_unit_get_404_on_the_card_and_its_forms(client, book, staff_b, page):
    client.force_login(staff_b)
    url = reverse(f"customers:{page}", args=[book["mine"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "改名"}).status_code == 404


@pytest.mark.parametrize("page", ["detail", "edit"])
def test_staff_get_404_on_a_colleagues_customer(client, book, staff_a, page):
    client.force_login(staff_a)
    assert client.get(reverse(f"customers:{page}", args=[book["colleague"].pk])).status_code == 404
    assert client.get(reverse(f"customers:{page}", args=[book["mine"].pk])).status_code == 200


def test_another_units_contact_cannot_be_edited_or_removed(client, book, staff_b):
    contact = make_contact(book["mine"])
    client.force_login(staff_b)
    args = [book["mine"].pk, contact.pk]
    assert client.get(reverse("customers:contact_edit", args=args)).status_code == 404
    assert client.post(reverse("customers:contact_delete", args=args)).status_code == 404
    assert book["mine"].contacts.count() == 1


def test_supervisors_get_404_for_another_units_customer(client, book, supervisor_b):
    client.force_login(supervisor_b)
    assert client.get(book["mine"].get_absolute_url()).status_code == 404
    assert client.get(reverse("customers:pin_grade", args=[book["mine"].pk])).status_code == 404


@pytest.mark.parametrize(
    "name", ["import", "import_template", "pin_grade", "unpin_grade", "reassign"]
)
def test_staff_get_403_on_supervisor_pages(client, book, staff_a, name):
    client.force_login(staff_a)
    args = [book["mine"].pk] if name in ("pin_grade", "unpin_grade") else []
    url = reverse(f"customers:{name}", args=args)
    assert client.post(url).status_code == 403
    if name not in ("unpin_grade", "reassign"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "manager_a"])
def test_only_admins_open_the_grading_pages(client, request, book, persona):
    client.force_login(request.getfixturevalue(persona))
    rule = GradingRule.objects.current()
    urls = [reverse("customers:grading"), reverse("customers:rule_version", args=[rule.version])]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("customers:regrade_now")).status_code == 403


def test_admins_open_the_grading_pages(client, book, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("customers:grading")).status_code == 200
    assert client.get(reverse("customers:rule_version", args=[1])).status_code == 200


def test_an_upload_is_only_visible_to_its_uploader(client, book, supervisor_a, supervisor):
    from tests import factories as f

    other = f.make_user("supervisor", book["mine"].unit, username="supervisor_a2")
    record = CustomerImport.objects.create(created_by=supervisor_a, original_name="a.xlsx")
    client.force_login(other)
    assert client.get(record.get_absolute_url()).status_code == 404
    assert client.post(reverse("customers:import_apply", args=[record.pk])).status_code == 404
    client.force_login(supervisor_a)
    assert client.get(record.get_absolute_url()).status_code == 200


def test_the_picker_and_filters_offer_only_people_and_units_in_scope(
    client, book, supervisor_a, staff_b
):
    client.force_login(supervisor_a)
    form = client.get(reverse("customers:create")).context["form"]
    assert staff_b not in form.fields["visiting_person"].queryset
    assert list(form.fields["unit"].queryset) == [book["mine"].unit]
    flt = client.get(reverse("customers:list")).context["filter"]
    assert list(flt.filters["unit"].queryset) == [book["mine"].unit]
    assert staff_b.pk not in [pk for pk, _name in flt.form.fields["visiting_person"].choices]
