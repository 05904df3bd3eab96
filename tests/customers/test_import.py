"""Import from .xlsx: preview with every row error, apply all or nothing, hostile files refused."""

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import Workbook

from crm_site.core.models import AuditLog, Notification
from customers import xlsx
from customers.models import (
    Customer,
    CustomerChange,
    CustomerImport,
    GradeChange,
    LogisticsService,
)
from customers.services import imports as import_services
from tests.customers.conftest import upload, workbook_bytes

pytestmark = pytest.mark.django_db

NEW_ROW = {
    "code": "A-100",
    "name": "上海瑞丰医药有限公司",
    "unit": "华东营业部",
    "nature": "生产企业",
    "scale": "大型",
    "annual_revenue": 1500,
    "trend": "上升",
    "region": "SH",
    "visiting_person": "李四 (staff_a2)",
    "services": "订单处理、拣货",
}


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Run what is sent on commit (the check and apply tasks, eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def preview(client, jobs):
    """Upload `content`, let the check task run, open the preview page."""

    def _preview(content: bytes, name: str = "customers.xlsx"):
        with jobs():
            client.post(
                reverse("customers:import"),
                {"file": upload(content, name), "form_token": uuid.uuid4()},
            )
        record = CustomerImport.objects.order_by("-created_at").first()
        return client.get(record.get_absolute_url()), record

    return _preview


@pytest.fixture
def apply(client, jobs):
    """Ask to apply `record`, let the apply task run, open the page it redirects to."""

    def _apply(record):
        with jobs():
            response = client.post(reverse("customers:import_apply", args=[record.pk]))
        record.refresh_from_db()
        return client.get(response["Location"])

    return _apply


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_clean_file_is_previewed_then_applied_in_one_go(
    client, supervisor_a, book, settings, preview, apply
):
    client.force_login(supervisor_a)
    update = {"code": "A-002", "name": "上海恒通贸易", "unit": "华东营业部", "annual_revenue": 900}
    response, record = preview(workbook_bytes([NEW_ROW, update], headers=list(NEW_ROW)))
    html = response.content.decode()
    assert record.state == "previewed" and record.result["error_count"] == 0
    assert (record.result["create_count"], record.result["update_count"]) == (1, 1)
    assert "上海瑞丰医药有限公司" in html and "年营业额（万元）" in html
    assert not Customer.objects.filter(code="A-100").exists()  # nothing written before apply
    # Kept on the server, keyed to the uploader, not in the session.
    assert record.file.name.startswith(f"customer-imports/{supervisor_a.pk}/")
    assert "xlsx" not in str(dict(client.session))

    response = apply(record)
    assert record.state == "applied"
    html = response.content.decode()
    assert "已新建" in html and "已更新" in html
    note = Notification.objects.get(recipient=supervisor_a)
    assert note.title == "导入完成：新建 1 位客户，更新 1 位。"
    created = Customer.objects.get(code="A-100")
    assert (created.grade, created.visiting_person.username, created.region.code) == (
        "A",
        "staff_a2",
        "SH",
    )
    assert sorted(created.services.values_list("name", flat=True)) == ["拣货", "订单处理"]
    assert Customer.objects.get(code="A-002").annual_revenue == 900
    assert CustomerChange.objects.filter(kind="imported").count() == 2
    assert GradeChange.objects.filter(source="import").count() == 2  # A-100 new, A-002 C→B
    assert AuditLog.objects.get(action="customers.import").data["created"] == 1
    assert stored_files(settings) == []  # the upload is deleted once applied


def test_applying_twice_imports_once(client, supervisor_a, book, preview, apply):
    client.force_login(supervisor_a)
    _response, record = preview(workbook_bytes([NEW_ROW], headers=list(NEW_ROW)))
    apply(record)
    response = apply(record)
    assert "该文件已经导入过了" in response.content.decode()
    assert Customer.objects.filter(code="A-100").count() == 1


def test_every_row_error_is_listed_with_row_column_and_a_chinese_message(
    client, supervisor_a, book, salesperson_a, preview
):
    client.force_login(supervisor_a)
    rows = [
        NEW_ROW | {"nature": "外星企业"},  # row 2
        NEW_ROW | {"code": "A-101", "annual_revenue": "很多"},  # row 3
        NEW_ROW | {"code": "A-102", "annual_revenue": -5},  # row 4
        NEW_ROW | {"code": "A-103", "region": "火星"},  # row 5
        NEW_ROW | {"code": "A-104", "visiting_person": "nobody"},  # row 6
        NEW_ROW | {"code": "A-105", "visiting_person": "王五 (staff_b)"},  # row 7
        NEW_ROW | {"code": "A-106", "visiting_person": "周销售 (sales_a)"},  # row 8
        NEW_ROW | {"code": "A-101"},  # row 9: duplicate of row 3
        NEW_ROW | {"code": "B-001"},  # row 10: another unit's customer
        NEW_ROW | {"code": "A-107", "unit": "华南营业部"},  # row 11
        NEW_ROW | {"code": "A-108", "name": ""},  # row 12
        NEW_ROW | {"code": "A-109", "annual_revenue": 12.345},  # row 13
    ]
    response, record = preview(workbook_bytes(rows, headers=list(NEW_ROW)))
    errors = {(e["row"], e["column"]): e["message"] for e in record.result["errors"]}
    assert errors == {
        (
            2,
            "nature",
        ): "无法识别“外星企业”，请填写：生产企业、经销商、零售商、电商、贸易公司、其他。",
        (3, "annual_revenue"): "请填写数字，例如 1250.50。",
        (4, "annual_revenue"): "营业额不能为负数。",
        (5, "region"): "没有名为“火星”的地区。",
        (6, "visiting_person"): "在您所辖营业单位的人员中找不到“nobody”。",
        (7, "visiting_person"): "在您所辖营业单位的人员中找不到“王五 (staff_b)”。",
        (
            8,
            "assignment_override_reason",
        ): "周销售 是上海地区的销售人员，请在“例外指派理由”列填写理由。",
        (9, "code"): "客户编码 A-101 与第 3 行重复。",
        (10, "code"): "客户编码 B-001 已被占用。",
        (11, "unit"): "营业单位“华南营业部”不在您的管辖范围内。",
        (12, "name"): "客户名称为必填项。",
        (13, "annual_revenue"): "最多保留两位小数。",
    }
    html = response.content.decode()
    assert (
        "行错误" in html and "所有错误更正之前不会导入任何数据" in html and "确认导入" not in html
    )
    assert record.state == "discarded" and not record.file
    assert Customer.objects.count() == 3


def test_a_reason_column_lets_a_supervisor_import_the_exception(
    client, supervisor_a, book, preview, apply
):
    client.force_login(supervisor_a)
    row = NEW_ROW | {
        "visiting_person": "周销售 (sales_a)",
        "assignment_override_reason": "客户指定",
    }
    _response, record = preview(workbook_bytes([row], headers=list(row)))
    apply(record)
    customer = Customer.objects.get(code="A-100")
    assert (customer.assignment_override_reason, customer.assignment_override_by) == (
        "客户指定",
        supervisor_a,
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (["code", "name"], "缺少必填列：营业单位。"),
        (["code", "name", "unit", "电话号码"], "无法识别的列：电话号码。"),
        (["code", "name", "unit", "name"], "重复的列：客户名称。"),
    ],
)
def test_missing_unknown_or_repeated_columns_refuse_the_file(
    client, supervisor_a, book, headers, message, preview
):
    client.force_login(supervisor_a)
    response, record = preview(
        workbook_bytes([["A-100", "甲", "华东营业部", "x"]], headers=headers)
    )
    assert record.result["file_error"] == message
    assert message in response.content.decode()


class TestHostileFiles:
    """Each leaves the database unchanged and nothing on disk."""

    @pytest.fixture(autouse=True)
    def _unchanged(self, client, supervisor_a, book, settings):
        client.force_login(supervisor_a)
        before = (Customer.objects.count(), CustomerChange.objects.count())
        yield
        assert (Customer.objects.count(), CustomerChange.objects.count()) == before
        assert stored_files(settings) == []

    def test_a_zip_bomb_is_refused_from_its_directory_before_inflating(
        self, client, monkeypatch, preview
    ):
        monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
        monkeypatch.setattr(xlsx, "load_workbook", lambda *a, **k: pytest.fail("parsed a bomb"))
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(workbook_bytes([NEW_ROW]))) as good,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
        ):
            for info in good.infolist():
                bomb.writestr(info.filename, good.read(info))
            bomb.writestr("xl/media/padding.bin", b"\0" * (4 * 1024 * 1024))  # 4 MB of zeros
        assert len(buffer.getvalue()) < 64 * 1024
        _response, record = preview(buffer.getvalue())
        assert "文件解压后超过 1 MB" in record.result["file_error"]

    def test_a_file_that_is_not_a_workbook_is_refused(self, client, preview):
        _response, record = preview(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "customers.xlsx")
        assert "这不是有效的 Excel（.xlsx）文件" in record.result["file_error"]

    def test_a_zip_that_is_not_a_workbook_is_refused(self, client, preview):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        _response, record = preview(buffer.getvalue())
        assert "这不是有效的 Excel（.xlsx）文件" in record.result["file_error"]

    def test_entity_expansion_in_the_xml_is_refused(self, client, preview):
        laughs = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        )
        source = io.BytesIO(workbook_bytes([NEW_ROW]))
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(source) as good,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bad,
        ):
            for info in good.infolist():
                data = good.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = laughs.encode() + data.split(b"?>", 1)[-1]
                bad.writestr(info.filename, data)
        _response, record = preview(buffer.getvalue())
        assert "不安全的 XML" in record.result["file_error"]

    def test_a_formula_is_refused_not_evaluated(self, client, preview):
        wb = Workbook()
        ws = wb.active
        ws.append(["客户编码", "客户名称", "营业单位"])
        ws.append(["A-100", '=HYPERLINK("http://evil.example","点我")', "华东营业部"])
        ws.append(["A-101", "=1+1", "华东营业部"])
        buffer = io.BytesIO()
        wb.save(buffer)
        _response, record = preview(buffer.getvalue())
        assert [(e["row"], e["column"], e["message"]) for e in record.result["errors"]] == [
            (2, "name", "不接受公式，请直接填写数值或文字。"),
            (3, "name", "不接受公式，请直接填写数值或文字。"),
        ]

    def test_too_many_rows_are_refused(self, client, monkeypatch, preview):
        monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
        rows = [NEW_ROW | {"code": f"A-{i}"} for i in range(200, 204)]
        _response, record = preview(workbook_bytes(rows, headers=list(NEW_ROW)))
        assert record.result["file_error"] == "文件超过 3 行上限，请拆分为多个文件。"

    def test_a_file_over_the_size_limit_is_refused(self, client, monkeypatch):
        monkeypatch.setattr(xlsx, "MAX_UPLOAD_BYTES", 2048)
        response = client.post(
            reverse("customers:import"), {"file": upload(b"x" * 4096), "form_token": uuid.uuid4()}
        )
        assert response.context["form"].errors["file"] == [
            "文件超过 0 MB 上限，请拆分为多个文件后再上传。"
        ]
        assert not CustomerImport.objects.exists()

    def test_an_oversized_request_is_refused_before_its_body_is_read(self, client, monkeypatch):
        from customers.views import excel

        monkeypatch.setattr(excel, "ENVELOPE_BYTES", 0)
        monkeypatch.setattr(xlsx, "MAX_UPLOAD_BYTES", 2048)
        response = client.post(
            reverse("customers:import"), {"file": upload(b"x" * 4096), "form_token": uuid.uuid4()}
        )
        assert response.status_code == 413
        assert "文件超过" in response.content.decode()

    def test_an_old_xls_is_refused_by_its_name(self, client):
        response = client.post(
            reverse("customers:import"),
            {"file": upload(b"\xd0\xcf\x11\xe0", "a.xls"), "form_token": uuid.uuid4()},
        )
        assert "不支持 .xls 或 .csv" in response.content.decode()


def test_a_failure_while_writing_rolls_everything_back(
    client, supervisor_a, book, monkeypatch, preview, apply
):
    client.force_login(supervisor_a)
    _response, record = preview(workbook_bytes([NEW_ROW], headers=list(NEW_ROW)))

    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(import_services.GradeChange.objects, "bulk_create", broken)
    response = apply(record)
    assert "在此期间客户资料已被他人修改" in response.content.decode()
    assert not Customer.objects.filter(code="A-100").exists()
    record.refresh_from_db()
    assert record.state == "discarded"


def test_rows_are_checked_again_when_applied(client, supervisor_a, book, unit_b, preview, apply):
    client.force_login(supervisor_a)
    row = {"code": "A-002", "name": "上海恒通贸易（新）", "unit": "华东营业部"}
    _response, record = preview(workbook_bytes([row], headers=list(row)))
    Customer.objects.filter(code="A-002").update(unit=unit_b)  # moved out of scope meanwhile
    response = apply(record)
    assert record.state == "discarded"
    assert "客户编码 A-002 已被占用" in response.content.decode()
    assert Customer.objects.get(code="A-002").name == "上海恒通贸易"


def test_an_exported_list_imports_unchanged(
    client, admin_user, supervisor_a, book, salesperson_a, preview, apply
):
    from customers import services

    mine = book["mine"]
    mine.name = "=1+1 远航"  # formula-looking text survives as text
    mine.notes = "@注意：旺季\n提前锁定运力"
    mine.annual_revenue = "1234.56"
    mine.save()
    services.customers_reassign(
        actor=supervisor_a,
        customer_ids=[book["colleague"].pk],
        visiting_person=salesperson_a,
        override_reason="客户要求",
    )
    book["colleague"].services.set(LogisticsService.objects.filter(code__in=["customs", "picking"]))
    client.force_login(admin_user)
    content = b"".join(client.get(reverse("customers:export")).streaming_content)
    before = list(Customer.objects.order_by("pk").values())
    history = CustomerChange.objects.count()

    _response, record = preview(content, "导出.xlsx")
    assert record.result["error_count"] == 0, record.result
    assert (record.result["create_count"], record.result["update_count"]) == (0, 0)
    assert record.result["unchanged_count"] == 3
    apply(record)
    assert list(Customer.objects.order_by("pk").values()) == before
    assert CustomerChange.objects.count() == history
    services = Customer.objects.get(code="A-002").services.values_list("code", flat=True)
    assert sorted(services) == ["customs", "picking"]


def test_openpyxl_reads_workbook_parts_through_defusedxml():
    # Worksheets and shared strings go through the standard library's iterparse,
    # which is why xlsx.check_archive refuses any DTD in any part first.
    import openpyxl.xml
    from openpyxl.xml import functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert functions.fromstring.__module__.startswith("defusedxml")


def test_a_check_whose_message_was_lost_is_sent_again_by_the_sweeper(supervisor_a, book):
    from datetime import timedelta

    from django.utils import timezone

    from customers import services

    record = services.customer_import_upload(
        actor=supervisor_a, upload=upload(workbook_bytes([NEW_ROW], headers=list(NEW_ROW)))
    )  # on_commit never fires here: as if the broker had been down
    assert record.state == "checking"
    assert services.customer_imports_sweep() == 0  # too fresh to be lost
    CustomerImport.objects.filter(pk=record.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    assert services.customer_imports_sweep() == 1
    record.refresh_from_db()
    assert record.state == "previewed" and record.result["create_count"] == 1


def test_a_second_delivery_of_the_apply_message_does_nothing(
    client, supervisor_a, book, preview, apply
):
    from customers import services

    client.force_login(supervisor_a)
    _response, record = preview(workbook_bytes([NEW_ROW], headers=list(NEW_ROW)))
    apply(record)
    assert services.customer_import_apply(import_id=str(record.pk)) is False
    assert Customer.objects.filter(code="A-100").count() == 1
    assert CustomerChange.objects.filter(kind="imported").count() == 1


@pytest.mark.services
def test_a_real_worker_checks_and_applies_an_upload(
    celery_worker, settings, supervisor_a, unit_a, region_sh, staff_a2
):
    from customers import services
    from tests.support.services import ROOT, wait_until

    settings.MEDIA_ROOT = ROOT / "media"  # where the worker process looks

    # A flushed transactional database has no service catalogue: leave services out.
    row = {k: v for k, v in NEW_ROW.items() if k != "services"}
    record = services.customer_import_upload(
        actor=supervisor_a, upload=upload(workbook_bytes([row], headers=list(row)))
    )
    wait_until(lambda: CustomerImport.objects.get(pk=record.pk).state != "checking", timeout=60)
    record.refresh_from_db()
    assert record.state == "previewed", record.result
    assert services.customer_import_request_apply(actor=supervisor_a, record=record)
    wait_until(
        lambda: CustomerImport.objects.filter(pk=record.pk, state="applied").exists(), timeout=60
    )
    assert Customer.objects.get(code="A-100").visiting_person == staff_a2


def test_what_the_model_limits_is_reported_by_its_own_fields_in_the_users_language(
    client, supervisor_a, book, preview
):
    client.force_login(supervisor_a)
    rows = [
        NEW_ROW | {"name": "长" * 201},  # row 2
        NEW_ROW | {"code": "A-101", "annual_revenue": "10000000000000"},  # row 3
        NEW_ROW | {"code": "A-102", "address": "路" * 301, "region": "火星"},  # row 4
        NEW_ROW | {"code": "A" * 33},  # row 5
        NEW_ROW | {"code": "A-103", "annual_revenue": "1e40"},  # row 6: too long to round
    ]
    _response, record = preview(workbook_bytes(rows, headers=[*NEW_ROW, "address"]))
    errors = {(e["row"], e["column"]): e["message"] for e in record.result["errors"]}
    assert set(errors) == {
        (2, "name"),
        (3, "annual_revenue"),
        (4, "address"),
        (4, "region"),  # every error of a row is listed, the model's and the file's
        (5, "code"),
        (6, "annual_revenue"),
    }
    assert "200" in errors[(2, "name")] and "确保" in errors[(2, "name")]
    assert "300" in errors[(4, "address")]
    assert "32" in errors[(5, "code")]
    assert "14" in errors[(3, "annual_revenue")] and "14" in errors[(6, "annual_revenue")]
    assert record.state == "discarded" and Customer.objects.count() == 3


def test_a_rule_added_to_a_model_field_is_enforced_on_import_rows_and_on_the_card_form(
    client, supervisor_a, book, monkeypatch, preview
):
    """One validation source: the importer holds no copy of the model's rules to update."""
    from django.core.exceptions import ValidationError

    from customers.forms import CustomerForm
    from tests.customers.test_customer_forms import form_data

    def no_id_numbers(value):
        if "身份证" in value:
            raise ValidationError("备注中不得记录身份证号。", code="id_number")

    field = Customer._meta.get_field("notes")
    monkeypatch.setitem(field.__dict__, "validators", [*field.validators, no_id_numbers])
    client.force_login(supervisor_a)
    rows = [
        NEW_ROW | {"notes": "联系人身份证 310101..."},
        NEW_ROW | {"code": "A-101", "notes": "旺季提前锁定运力"},
    ]
    _response, record = preview(workbook_bytes(rows, headers=[*NEW_ROW, "notes"]))
    assert [(e["row"], e["column"], e["message"]) for e in record.result["errors"]] == [
        (2, "notes", "备注中不得记录身份证号。")
    ]
    card = CustomerForm(form_data(book["mine"].unit, notes="身份证 310101"), user=supervisor_a)
    assert card.errors["notes"] == ["备注中不得记录身份证号。"]


def test_a_check_added_to_the_card_form_is_enforced_on_import_rows(
    client, supervisor_a, book, monkeypatch, preview
):
    from django.core.exceptions import ValidationError

    from customers import forms

    def clean_address(form):
        address = form.cleaned_data["address"]
        if address and not address.startswith("上海"):
            raise ValidationError("地址须以城市开头。")
        return address

    monkeypatch.setattr(forms.CustomerFieldsForm, "clean_address", clean_address, raising=False)
    client.force_login(supervisor_a)
    rows = [NEW_ROW | {"address": "浦东新区"}, NEW_ROW | {"code": "A-101", "address": "上海浦东"}]
    _response, record = preview(workbook_bytes(rows, headers=[*NEW_ROW, "address"]))
    assert [(e["row"], e["column"], e["message"]) for e in record.result["errors"]] == [
        (2, "address", "地址须以城市开头。")
    ]


def test_a_visiting_person_of_another_unit_in_scope_is_refused_by_the_card_forms_rule(
    client, admin_user, book, staff_b, preview
):
    client.force_login(admin_user)
    row = NEW_ROW | {"visiting_person": "王五 (staff_b)"}  # in an admin's scope, not of 华东营业部
    _response, record = preview(workbook_bytes([row], headers=list(row)))
    assert [(e["row"], e["column"], e["message"]) for e in record.result["errors"]] == [
        (2, "visiting_person", "王五 不是华东营业部的成员。")
    ]
