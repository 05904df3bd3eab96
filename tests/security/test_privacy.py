"""Personal data of one customer's people (China's PIPL): exported on request,
anonymised on request; the customer's statistics stay; both audited."""

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from complaints.models import Complaint
from complaints.services import complaint_figures
from crm_site.core.models import AuditLog
from customers import services as customer_services
from customers.models import Contact, Customer, CustomerChange
from tests.factories import make_complaint, make_contact, make_visit
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
PERSONAL = [
    "陈联系人",
    "刘小红",
    PHONE,
    "liu@example.com",
    "liu_wechat",
    "浦东新区世纪大道 8 号",
    "王投诉",
]


@pytest.fixture
def people(world):
    """Two contacts (one through the service, so the card's history holds its values),
    a complaint with its complainant, and a visit."""
    customer_services.contact_create(
        customer=world.customer,
        actor=world.staff,
        fields={
            "name": "刘小红",
            "position": "物流经理",
            "organisation": "采购部",
            "mobile": PHONE,
            "email": "liu@example.com",
            "wechat": "liu_wechat",
            "address": "浦东新区世纪大道 8 号",
            "care_kind": "birthday",
            "care_date": date(1985, 6, 1),
            "notes": "喜欢早上联系",
        },
    )
    make_complaint(world.customer, by=world.staff, complainant="王投诉", contact_phone=PHONE)
    make_visit(world.customer, world.staff)
    return world


def export(client, customer, fmt=None):
    params = {"format": fmt} if fmt else {}
    return client.get(reverse("customers:personal_data", args=[customer.pk]), params)


def test_a_supervisor_exports_the_personal_data_of_one_customer_as_json(client, people):
    sign_in(client, people, "supervisor")
    response = export(client, people.customer, "json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data-SEC-A1.json"'
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["customer"] == {"code": "SEC-A1", "name": "上海安全物流"}
    liu = next(c for c in data["contacts"] if c["name"] == "刘小红")
    assert (liu["mobile"], liu["email"], liu["wechat"], liu["care_date"]) == (
        PHONE,
        "liu@example.com",
        "liu_wechat",
        "1985-06-01",
    )
    assert {c["complainant"] for c in data["complaints"]} >= {"王投诉"}
    assert len(data["contacts"]) == 2


def test_the_xlsx_export_has_a_sheet_of_contacts_and_one_of_complainants(client, people):
    sign_in(client, people, "admin")
    response = export(client, people.customer)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["联系人", "投诉人"]
    contacts = list(workbook["联系人"].iter_rows(values_only=True))
    assert contacts[0][:3] == ("姓名", "单位", "职务")
    assert any(row[0] == "刘小红" and PHONE in row for row in contacts[1:])
    complainants = list(workbook["投诉人"].iter_rows(values_only=True))
    assert any("王投诉" in row for row in complainants[1:])


def test_an_export_is_audited_with_counts_and_no_personal_data(client, people):
    sign_in(client, people, "supervisor")
    export(client, people.customer, "json")
    entry = AuditLog.objects.get(action="customers.personal_data_export")
    assert (entry.actor, entry.object_id) == (people.supervisor, str(people.customer.pk))
    assert entry.data == {"format": "json", "contacts": 2, "complaints": 2}
    text = json.dumps(entry.data, ensure_ascii=False) + entry.summary
    assert not [value for value in PERSONAL if value in text]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 403), ("staff_other", 403), ("supervisor_other", 404), ("manager", 200)],
)
def test_only_supervisors_and_up_of_the_customers_unit_export_or_anonymise(
    client, people, persona, status
):
    sign_in(client, people, persona)
    assert export(client, people.customer).status_code == status
    url = reverse("customers:anonymise", args=[people.customer.pk])
    assert client.get(url).status_code == status


def anonymise(client, customer, **data):
    url = reverse("customers:anonymise", args=[customer.pk])
    return client.post(url, {"reason": "2026-11-20 电话申请删除", "confirm": customer.code} | data)


def test_anonymising_replaces_every_personal_field_and_keeps_the_statistics(client, people):
    customer = people.customer
    visits_before = customer.visits.count()
    complaints_before = Complaint.objects.filter(customer=customer).count()
    figures_before = complaint_figures(
        unit_id=people.unit_a.pk, start=date(2020, 1, 1), end=date(2030, 12, 31)
    )
    sign_in(client, people, "supervisor")
    response = anonymise(client, customer)
    assert response.status_code == 302

    contacts = Contact.objects.filter(customer=customer).order_by("pk")
    assert [c.name for c in contacts] == ["已匿名联系人 1", "已匿名联系人 2"]
    for c in contacts:
        assert (c.mobile, c.phone, c.email, c.wechat, c.address, c.organisation) == ("",) * 6
        assert (c.position, c.notes, c.care_date, c.care_kind) == ("", "", None, "")
    complaints = Complaint.objects.filter(customer=customer)
    assert {(c.complainant, c.contact_phone) for c in complaints} == {("已匿名", "")}
    # Nothing personal left anywhere on the card, its history included.
    history = json.dumps(
        list(CustomerChange.objects.filter(customer=customer).values_list("changes", flat=True)),
        ensure_ascii=False,
    )
    assert not [value for value in PERSONAL if value in history]
    html = client.get(customer.get_absolute_url()).content.decode()
    assert not [value for value in PERSONAL if value in html]
    assert "个人信息已匿名化" in html
    assert not Customer.objects.search(PHONE).exists()
    # The statistics stay.
    assert customer.visits.count() == visits_before
    assert complaints.count() == complaints_before
    assert contacts.count() == 2
    assert (
        complaint_figures(unit_id=people.unit_a.pk, start=date(2020, 1, 1), end=date(2030, 12, 31))
        == figures_before
    )
    customer.refresh_from_db()
    assert (customer.name, customer.grade) == ("上海安全物流", "A")


def test_anonymising_is_audited_with_counts_and_the_request(client, people):
    sign_in(client, people, "supervisor")
    anonymise(client, people.customer)
    entry = AuditLog.objects.get(action="customers.anonymise")
    assert entry.actor == people.supervisor
    assert entry.data == {"contacts": 2, "complaints": 2, "history": 1}
    assert "电话申请删除" in entry.summary
    text = json.dumps(entry.data, ensure_ascii=False) + entry.summary
    assert not [value for value in PERSONAL if value in text]


def test_a_wrong_confirmation_code_anonymises_nothing(client, people):
    sign_in(client, people, "supervisor")
    response = anonymise(client, people.customer, confirm="SEC-B1")
    assert response.status_code == 200
    assert "这不是该客户的编码" in response.content.decode()
    assert Contact.objects.filter(name="刘小红", mobile=PHONE).exists()
    assert not AuditLog.objects.filter(action="customers.anonymise").exists()


def test_anonymising_twice_changes_nothing_more(client, people):
    sign_in(client, people, "supervisor")
    anonymise(client, people.customer)
    first = list(Contact.objects.order_by("pk").values())
    anonymise(client, people.customer)
    assert list(Contact.objects.order_by("pk").values()) == first


def test_the_export_after_anonymising_holds_only_placeholders(client, people):
    sign_in(client, people, "supervisor")
    anonymise(client, people.customer)
    data = json.loads(export(client, people.customer, "json").content)
    text = json.dumps(data, ensure_ascii=False)
    assert not [value for value in PERSONAL if value in text]


def test_the_card_offers_the_actions_to_supervisors_only(client, people):
    url = people.customer.get_absolute_url()
    sign_in(client, people, "supervisor")
    html = client.get(url).content.decode()
    assert reverse("customers:personal_data", args=[people.customer.pk]) in html
    assert reverse("customers:anonymise", args=[people.customer.pk]) in html
    sign_in(client, people, "staff")
    html = client.get(url).content.decode()
    assert reverse("customers:anonymise", args=[people.customer.pk]) not in html


def test_a_contact_name_that_looks_like_a_formula_is_exported_as_text(client, people):
    make_contact(people.customer, name='=HYPERLINK("http://x","y")')
    sign_in(client, people, "supervisor")
    sheet = load_workbook(io.BytesIO(export(client, people.customer).content))["联系人"]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
