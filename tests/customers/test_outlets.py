"""The outlet register (网点): pages per role, admin edits with their audit rows
and stale-edit refusal, the .xlsx export read back and the all-or-nothing import."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from crm_site.core.models import AuditLog
from customers.models import Outlet
from customers.outlets import xlsx as outlet_xlsx
from customers.xlsx import column_header
from tests import factories as f
from tests.customers.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlets(unit_a, unit_b, region_sh):
    return {
        "pudong": f.make_outlet(
            unit_a, code="SH001", name="上海浦东网点", region=region_sh, manager_name="陈经理"
        ),
        "hub": f.make_outlet(unit_a, code="SH-HUB", name="上海分拨中心", kind="hub"),
        "closed": f.make_outlet(unit_a, code="SH009", name="上海闵行网点", is_active=False),
        "gz": f.make_outlet(unit_b, code="GZ001", name="广州天河网点"),
    }


def codes(response):
    return [o.code for o in response.context["page_obj"]]


# --- the register -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "manager_a"])
def test_members_of_a_unit_see_its_outlets_only(client, outlets, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("outlets:list"))
    assert response.status_code == 200
    assert codes(response) == ["SH-HUB", "SH001", "SH009"]
    assert "广州天河网点" not in response.content.decode()


def test_an_admin_sees_every_units_outlets(client, outlets, admin_user):
    client.force_login(admin_user)
    assert codes(client.get(reverse("outlets:list"))) == ["GZ001", "SH-HUB", "SH001", "SH009"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "sh0"}, ["SH001", "SH009"]),
        ({"q": "分拨"}, ["SH-HUB"]),
        ({"kind": "hub"}, ["SH-HUB"]),
        ({"active": "no"}, ["SH009"]),
        ({"active": "yes", "kind": "outlet"}, ["SH001"]),
        ({"sort": "-code"}, ["SH009", "SH001", "SH-HUB"]),
        ({"sort": "name"}, ["SH-HUB", "SH001", "SH009"]),
    ],
)
def test_search_filters_and_sorting_narrow_the_register(
    client, outlets, supervisor_a, params, expected
):
    client.force_login(supervisor_a)
    assert codes(client.get(reverse("outlets:list"), params)) == expected


def test_filter_by_region(client, outlets, supervisor_a, region_sh):
    client.force_login(supervisor_a)
    assert codes(client.get(reverse("outlets:list"), {"region": region_sh.pk})) == ["SH001"]


def test_no_match_says_so(client, outlets, supervisor_a):
    client.force_login(supervisor_a)
    html = client.get(reverse("outlets:list"), {"q": "不存在"}).content.decode()
    assert "没有符合筛选条件的网点" in html


def test_an_empty_register_invites_the_admin_to_add_one(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("outlets:list")).content.decode()
    assert "还没有网点" in html and reverse("outlets:create") in html


def test_the_register_pages_at_25(client, unit_a, supervisor_a):
    for i in range(30):
        f.make_outlet(unit_a, code=f"P{i:03d}")
    client.force_login(supervisor_a)
    assert len(codes(client.get(reverse("outlets:list")))) == 25
    assert codes(client.get(reverse("outlets:list"), {"page": 2})) == [
        f"P{i:03d}" for i in range(25, 30)
    ]


# --- the outlet page --------------------------------------------------------------


def test_the_outlet_page_shows_details_and_customers_served(client, outlets, supervisor_a, staff_a):
    pudong = outlets["pudong"]
    f.make_customer(pudong.unit, code="C-1", name="上海远航物流", serving_outlet=pudong)
    f.make_customer(pudong.unit, code="C-2", name="上海恒顺", serving_outlet=outlets["hub"])
    client.force_login(supervisor_a)
    response = client.get(pudong.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "上海浦东网点" in html and "陈经理" in html and "上海" in html
    assert "上海远航物流" in html and "上海恒顺" not in html
    figures = {str(label): value for label, value, _url, _tone in response.context["figures"]}
    assert figures["服务客户"] == 1


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b", "manager_b"])
def test_another_units_outlet_is_not_found(client, outlets, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(outlets["pudong"].get_absolute_url()).status_code == 404


def test_staff_see_only_their_own_customers_on_the_outlet_page(client, outlets, staff_a, staff_a2):
    pudong = outlets["pudong"]
    f.make_customer(pudong.unit, name="张三的客户", visiting_person=staff_a, serving_outlet=pudong)
    f.make_customer(pudong.unit, name="李四的客户", visiting_person=staff_a2, serving_outlet=pudong)
    client.force_login(staff_a)
    html = client.get(pudong.get_absolute_url()).content.decode()
    assert "张三的客户" in html and "李四的客户" not in html
    assert reverse("outlets:edit", args=[pudong.pk]) not in html


# --- admin edits ------------------------------------------------------------------


def form_data(outlet=None, **fields):
    data = {
        "code": "SH002",
        "name": "上海徐汇营业部",
        "kind": "office",
        "unit": "",
        "region": "",
        "address": "上海市徐汇区漕溪北路88号",
        "manager_name": "吴经理",
        "manager_phone": "021-64001234",
        "is_active": "on",
    }
    if outlet is not None:
        data |= {
            "code": outlet.code,
            "name": outlet.name,
            "kind": outlet.kind,
            "unit": outlet.unit_id,
            "region": outlet.region_id or "",
            "version": outlet.version,
        }
    return data | fields


def test_an_admin_adds_an_outlet_and_the_audit_log_says_so(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("outlets:create"), form_data(unit=unit_a.pk))
    outlet = Outlet.objects.get(code="SH002")
    assert response.status_code == 302 and response["Location"] == outlet.get_absolute_url()
    assert outlet.unit == unit_a and outlet.kind == "office"
    row = AuditLog.objects.get(action="outlets.create")
    assert row.object_id == str(outlet.pk) and row.actor == admin_user


def test_the_form_speaks_chinese_when_a_field_is_missing_or_the_code_is_taken(
    client, admin_user, outlets
):
    client.force_login(admin_user)
    response = client.post(reverse("outlets:create"), form_data(code="SH001", name="", unit=""))
    errors = response.context["form"].errors
    assert "已存在使用该编码的网点" in errors["code"][0]
    assert "请填写网点名称" in errors["name"][0]
    assert "营业单位为必填项" in errors["unit"][0]
    assert not Outlet.objects.filter(name="").exists()


def test_an_admin_edits_an_outlet_and_the_audit_row_names_the_fields(client, admin_user, outlets):
    pudong = outlets["pudong"]
    client.force_login(admin_user)
    response = client.post(
        reverse("outlets:edit", args=[pudong.pk]),
        form_data(pudong, manager_name="新经理", manager_phone="13800000000"),
    )
    assert response.status_code == 302
    pudong.refresh_from_db()
    assert pudong.manager_name == "新经理" and pudong.version == 1
    row = AuditLog.objects.get(action="outlets.update")
    assert row.data == {"fields": ["address", "manager_name", "manager_phone"]}
    assert "新经理" not in str(row.data)  # personal data stays out of the log


def test_a_stale_edit_is_refused_naming_what_changed(client, admin_user, outlets):
    pudong = outlets["pudong"]
    loaded = form_data(pudong, name="我的名称")
    client.force_login(admin_user)
    page = client.get(reverse("outlets:edit", args=[pudong.pk]))
    loaded["version_digest"] = page.context["form"].initial["version_digest"]
    client.post(reverse("outlets:edit", args=[pudong.pk]), form_data(pudong, name="同事的名称"))
    response = client.post(reverse("outlets:edit", args=[pudong.pk]), loaded)
    assert response.status_code == 200
    assert "同事的名称" in " ".join(response.context["form"].non_field_errors())
    pudong.refresh_from_db()
    assert pudong.name == "同事的名称"


@pytest.mark.parametrize("persona", ["staff_a", "supervisor_a", "manager_a"])
def test_no_one_but_an_admin_edits_the_register(client, outlets, persona, request, unit_a):
    client.force_login(request.getfixturevalue(persona))
    pudong = outlets["pudong"]
    assert client.get(reverse("outlets:edit", args=[pudong.pk])).status_code == 403
    assert client.post(reverse("outlets:create"), form_data(unit=unit_a.pk)).status_code == 403
    assert client.post(reverse("outlets:deactivate", args=[pudong.pk])).status_code == 403
    assert client.get(reverse("outlets:import")).status_code == 403
    assert not Outlet.objects.filter(code="SH002").exists()
    assert Outlet.objects.get(pk=pudong.pk).is_active


def test_a_deactivated_outlet_stays_on_its_customers_but_is_not_offered(
    client, admin_user, outlets, supervisor_a
):
    pudong = outlets["pudong"]
    customer = f.make_customer(pudong.unit, serving_outlet=pudong)
    client.force_login(admin_user)
    client.post(reverse("outlets:deactivate", args=[pudong.pk]))
    pudong.refresh_from_db()
    assert not pudong.is_active
    assert AuditLog.objects.filter(action="outlets.deactivate", object_id=str(pudong.pk)).exists()
    customer.refresh_from_db()
    assert customer.serving_outlet == pudong
    client.force_login(supervisor_a)
    new_form = client.get(reverse("customers:create")).context["form"]
    assert pudong not in new_form.fields["serving_outlet"].queryset
    edit_form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    assert pudong in edit_form.fields["serving_outlet"].queryset
    client.force_login(admin_user)
    client.post(reverse("outlets:activate", args=[pudong.pk]))
    assert Outlet.objects.get(pk=pudong.pk).is_active


# --- export and import ----------------------------------------------------------------


def read_sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_register_in_scope(client, outlets, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(reverse("outlets:export"), {"active": "yes"})
    rows = read_sheet(b"".join(response.streaming_content))
    assert rows[0][:4] == ["网点编码", "网点名称", "网点类型", "营业单位"]
    assert [r[0] for r in rows[1:]] == ["SH-HUB", "SH001"]
    assert rows[2][2] == "网点" and rows[1][2] == "分拨中心" and rows[2][8] == "是"
    assert AuditLog.objects.get(action="outlets.export").data["rows"] == 2


def test_staff_do_not_export_the_register(client, outlets, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("outlets:export")).status_code == 403


def workbook(rows, headers=None) -> bytes:
    keys = headers or [c.key for c in outlet_xlsx.COLUMNS]
    wb = Workbook()
    ws = wb.active
    by_key = outlet_xlsx.COLUMN_BY_KEY
    ws.append([column_header(by_key[k]) if k in by_key else k for k in keys])
    for row in rows:
        ws.append([row.get(k) for k in keys])
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def post_import(client, content: bytes):
    return client.post(reverse("outlets:import"), {"file": upload(content, "outlets.xlsx")})


def test_an_exported_register_imports_unchanged(client, outlets, admin_user):
    client.force_login(admin_user)
    content = b"".join(client.get(reverse("outlets:export")).streaming_content)
    response = post_import(client, content)
    assert response.status_code == 302
    assert Outlet.objects.count() == 4
    assert AuditLog.objects.get(action="outlets.import").data["updated"] == {}


def test_an_import_adds_and_updates_outlets(client, outlets, admin_user, unit_b):
    client.force_login(admin_user)
    content = workbook(
        [
            {"code": "GZ002", "name": "广州白云分拨中心", "kind": "分拨中心", "unit": "华南营业部"},
            {"code": "SH001", "name": "上海浦东网点", "kind": "网点", "unit": "A",
             "manager_name": "新经理", "is_active": "否"},
        ],
        headers=["code", "name", "kind", "unit", "manager_name", "is_active"],
    )  # fmt: skip
    response = post_import(client, content)
    assert response.status_code == 302
    new = Outlet.objects.get(code="GZ002")
    assert new.unit == unit_b and new.kind == "hub" and new.is_active
    pudong = Outlet.objects.get(code="SH001")
    assert pudong.manager_name == "新经理" and not pudong.is_active and pudong.version == 1
    row = AuditLog.objects.get(action="outlets.import")
    assert row.data["created"] == ["GZ002"]
    assert row.data["updated"] == {"SH001": ["is_active", "manager_name"]}


def test_an_import_with_any_bad_row_changes_nothing_and_lists_each_error(
    client, outlets, admin_user
):
    client.force_login(admin_user)
    content = workbook(
        [
            {"code": "NEW1", "name": "新网点", "kind": "网点", "unit": "A"},
            {"code": "NEW2", "name": "", "kind": "仓库", "unit": "不存在的单位"},
            {"code": "NEW1", "name": "重复", "kind": "网点", "unit": "A"},
            {"code": "SH001", "name": "改名", "kind": "网点", "unit": "A", "is_active": "也许"},
        ]
    )
    response = post_import(client, content)
    assert response.status_code == 400
    errors = [(e["row"], e["column"], e["message"]) for e in response.context["plan"].errors]
    assert (3, "营业单位", "没有名为“不存在的单位”的营业单位。") in errors
    assert any(row == 4 and "第 2 行" in message for row, _c, message in errors)
    assert any(row == 5 and column == "启用" for row, column, _m in errors)
    assert not Outlet.objects.filter(code__startswith="NEW").exists()
    assert Outlet.objects.get(code="SH001").name == "上海浦东网点"
    assert not AuditLog.objects.filter(action="outlets.import").exists()
    html = response.content.decode()
    assert "未导入任何数据" in html


def test_a_bad_kind_or_a_missing_name_is_said_on_its_row(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = post_import(
        client, workbook([{"code": "X1", "name": "", "kind": "仓库", "unit": "A"}])
    )
    messages = {e["column"]: e["message"] for e in response.context["plan"].errors}
    assert "请填写网点名称" in messages["网点名称"]
    assert "仓库" in messages["网点类型"]


def test_a_file_without_the_required_columns_is_refused_whole(client, admin_user):
    client.force_login(admin_user)
    response = post_import(client, workbook([{"code": "X1"}], headers=["code"]))
    assert response.status_code == 400
    assert "缺少必填列" in " ".join(response.context["form"].errors["file"])


def test_the_template_has_the_register_columns(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.get(reverse("outlets:import_template"))
    rows = read_sheet(b"".join(response.streaming_content))
    assert rows[0] == [column_header(c) for c in outlet_xlsx.COLUMNS]
