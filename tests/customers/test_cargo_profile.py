"""The cargo profile (货物与运输需求) and the serving outlet on the customer card:
the form's fieldset, the card's section, the list's filters, the import and
the export."""

import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers import xlsx
from customers.models import Customer, CustomerChange, CustomerImport
from tests import factories as f
from tests.customers.conftest import upload, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pudong(unit_a):
    return f.make_outlet(unit_a, code="SH001", name="上海浦东网点")


@pytest.fixture
def cold(unit_a, staff_a, pudong):
    return f.make_customer(
        unit_a,
        code="K-COLD",
        name="上海鲜达冷链",
        visiting_person=staff_a,
        serving_outlet=pudong,
        equipment="cold_chain,tail_lift",
        transport_modes="road,express",
        load_type="ltl",
        cargo_goods="冷冻食品",
        appointment_required=True,
        shipments_per_month=320,
    )


@pytest.fixture
def truck(unit_a, staff_a):
    return f.make_customer(
        unit_a,
        code="K-FTL",
        name="上海钢联",
        visiting_person=staff_a,
        equipment="flatbed",
        load_type="ftl",
    )


@pytest.fixture
def both(unit_a, staff_a):
    return f.make_customer(unit_a, code="K-BOTH", name="上海综合", load_type="both")


def codes(response):
    return [row.code for row in response.context["page_obj"]]


def edit_data(customer, **fields):
    data = {
        "code": customer.code,
        "name": customer.name,
        "nature": customer.nature,
        "scale": customer.scale,
        "annual_revenue": "100",
        "trend": customer.trend,
        "status": customer.status,
        "unit": customer.unit_id,
        "version": customer.version,
    }
    return data | fields


def test_the_card_shows_the_cargo_profile_and_the_serving_outlet(client, cold, staff_a):
    client.force_login(staff_a)
    html = client.get(cold.get_absolute_url()).content.decode()
    assert "货物与运输需求" in html
    assert "冷冻食品" in html and "冷链" in html and "尾板" in html and "零担" in html
    assert "公路" in html and "快递" in html and "需预约" in html and "每月 320 票" in html
    assert "上海浦东网点" in html and cold.serving_outlet.get_absolute_url() in html


def test_a_card_without_a_profile_invites_to_record_one(client, truck, unit_a, staff_a):
    plain = f.make_customer(unit_a, visiting_person=staff_a)
    client.force_login(staff_a)
    html = client.get(plain.get_absolute_url()).content.decode()
    assert "尚未记录货物与运输需求" in html


def test_the_form_saves_the_profile_and_the_history_names_it(client, cold, staff_a, pudong):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:edit", args=[cold.pk]),
        edit_data(
            cold,
            visiting_person=staff_a.pk,
            serving_outlet=pudong.pk,
            equipment=["container", "cold_chain"],
            transport_modes=["rail"],
            special_handling=["dangerous"],
            load_type="both",
            cargo_density="heavy",
            packaging="托盘",
            delivery_windows="工作日 9:00–17:00",
            receipt_return="on",
            tonnage_per_month="12.5",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    cold.refresh_from_db()
    assert cold.equipment == "cold_chain,container"
    assert cold.transport_modes == "rail" and cold.special_handling == "dangerous"
    assert cold.load_type == "both" and cold.receipt_return and not cold.appointment_required
    assert str(cold.tonnage_per_month) == "12.50"
    change = CustomerChange.objects.filter(customer=cold).latest("at")
    assert change.changes["equipment"] == ["cold_chain,tail_lift", "cold_chain,container"]
    history = client.get(cold.get_absolute_url()).content.decode()
    assert "冷链、集装箱" in history


def test_a_serving_outlet_of_another_unit_is_refused(client, cold, supervisor_a, unit_b):
    gz = f.make_outlet(unit_b, code="GZ001")
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:edit", args=[cold.pk]), edit_data(cold, serving_outlet=gz.pk)
    )
    assert response.status_code == 200
    assert "serving_outlet" in response.context["form"].errors
    cold.refresh_from_db()
    assert cold.serving_outlet.code == "SH001"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"equipment": "cold_chain"}, ["K-COLD"]),
        ({"equipment": "flatbed"}, ["K-FTL"]),
        ({"equipment": "chain"}, ["K-BOTH", "K-COLD", "K-FTL"]),  # not a choice: ignored
        ({"load_type": "ltl"}, ["K-BOTH", "K-COLD"]),
        ({"load_type": "ftl"}, ["K-BOTH", "K-FTL"]),
        ({"load_type": "both"}, ["K-BOTH"]),
        ({"transport_mode": "express"}, ["K-COLD"]),
    ],
)
def test_the_customer_list_filters_by_cargo_needs(
    client, cold, truck, both, supervisor_a, params, expected
):
    client.force_login(supervisor_a)
    assert codes(client.get(reverse("customers:list"), params)) == expected


def test_the_list_filters_by_serving_outlet_from_the_outlet_page(
    client, cold, truck, supervisor_a, pudong
):
    client.force_login(supervisor_a)
    outlet_page = client.get(pudong.get_absolute_url()).content.decode()
    link = f"{reverse('customers:list')}?serving_outlet={pudong.pk}"
    assert link in outlet_page
    response = client.get(link)
    assert codes(response) == ["K-COLD"]
    assert 'name="serving_outlet"' in response.content.decode()


def test_unused_cargo_filters_leave_the_filter_bar_as_it_was(client, cold, supervisor_a):
    client.force_login(supervisor_a)
    html = client.get(reverse("customers:list")).content.decode()
    for name in ("serving_outlet", "equipment", "transport_mode", "load_type"):
        assert f'name="{name}"' not in html
    used = client.get(reverse("customers:list"), {"equipment": "cold_chain"}).content.decode()
    assert 'name="equipment"' in used and 'name="load_type"' not in used


def test_the_export_holds_the_profile_and_the_outlet_code(client, cold, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:export"), {"equipment": "cold_chain"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    row = dict(zip(header, rows[1], strict=True))
    assert len(rows) == 2
    assert row["服务网点编码"] == "SH001"
    assert row["所需设备"] == "冷链、尾板"
    assert row["运输方式"] == "公路、快递"
    assert row["零担/整车"] == "零担"
    assert row["预约送货"] == "是" and row["签收回单"] == "否"
    assert row["每月票数"] == 320


def _import(client, rows, jobs):
    with jobs():
        client.post(
            reverse("customers:import"),
            {"file": upload(workbook_bytes(rows)), "form_token": uuid.uuid4()},
        )
    return CustomerImport.objects.order_by("-created_at").first()


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_import_sets_the_profile_and_the_serving_outlet(
    client, supervisor_a, pudong, staff_a2, jobs
):
    client.force_login(supervisor_a)
    row = {
        "code": "K-NEW",
        "name": "上海新客户",
        "unit": "华东营业部",
        "serving_outlet": "SH001",
        "equipment": "冷链、集装箱",
        "transport_modes": "公路、rail",
        "load_type": "整车",
        "cargo_density": "轻泡货",
        "appointment_required": "是",
        "receipt_return": "否",
        "shipments_per_month": 40,
        "tonnage_per_month": 8.25,
    }
    record = _import(client, [row], jobs)
    assert record.state == CustomerImport.State.PREVIEWED, record.result
    with jobs():
        client.post(reverse("customers:import_apply", args=[record.pk]))
    customer = Customer.objects.get(code="K-NEW")
    assert customer.serving_outlet == pudong
    assert customer.equipment == "cold_chain,container"
    assert customer.transport_modes == "road,rail"
    assert customer.load_type == "ftl" and customer.cargo_density == "light"
    assert customer.appointment_required and not customer.receipt_return
    assert customer.shipments_per_month == 40 and str(customer.tonnage_per_month) == "8.25"


def test_an_import_row_with_bad_cargo_values_or_a_foreign_outlet_fails_whole(
    client, supervisor_a, pudong, unit_b, jobs
):
    f.make_outlet(unit_b, code="GZ001")
    client.force_login(supervisor_a)
    rows = [
        {"code": "K-OK", "name": "好行", "unit": "华东营业部", "serving_outlet": "SH001"},
        {"code": "K-BAD", "name": "坏行", "unit": "华东营业部", "equipment": "冷链、飞船",
         "appointment_required": "也许", "serving_outlet": "GZ001", "shipments_per_month": "很多"},
    ]  # fmt: skip
    record = _import(client, rows, jobs)
    assert record.state == CustomerImport.State.DISCARDED
    errors = {e["column"]: e["message"] for e in record.result["errors"]}
    assert "飞船" in errors["equipment"]
    assert "是" in errors["appointment_required"]
    assert "GZ001" in errors["serving_outlet"]
    assert "shipments_per_month" in errors
    assert not Customer.objects.filter(code__in=["K-OK", "K-BAD"]).exists()


def test_the_import_template_lists_the_cargo_columns(client, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:import_template"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in next(wb.worksheets[0].iter_rows())]
    for key in ("serving_outlet", "equipment", "load_type", "receipt_return"):
        assert xlsx.column_header(xlsx.COLUMN_BY_KEY[key]) in header
