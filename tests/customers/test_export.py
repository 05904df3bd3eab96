"""Export of the filtered list to .xlsx: Chinese headers, scope, no formula can run, audited."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_site.core.models import AuditLog
from customers import xlsx
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def export(client, **params) -> bytes:
    response = client.get(reverse("customers:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def test_the_export_has_chinese_headers_and_one_row_per_customer(client, supervisor_a, book):
    make_contact(book["mine"], name="刘丽华", mobile="13400007919", is_primary=True)
    client.force_login(supervisor_a)
    header, *data = rows(export(client))
    assert header[:5] == ("客户编码", "客户名称", "营业单位", "等级", "等级分值")
    assert "年营业额（万元）" in header and "巡访专员" in header and "主要联系人" in header
    first = dict(zip(header, data[0], strict=True))
    assert first["客户编码"] == "A-001" and first["等级"] == "A" and first["客户性质"] == "生产企业"
    assert first["年营业额（万元）"] == 1200 and first["巡访专员"] == "张三 (staff_a)"
    assert first["主要联系人"] == "刘丽华" and first["联系电话"] == "13400007919"
    assert len(data) == 2


def test_the_export_takes_the_lists_filters(client, supervisor_a, book):
    client.force_login(supervisor_a)
    assert [r[0] for r in rows(export(client, grade="C"))[1:]] == ["A-002"]
    assert [r[0] for r in rows(export(client, sort="-revenue"))[1:]] == ["A-001", "A-002"]


def test_staff_of_the_other_unit_do_not_get_these_rows(client, staff_b, book):
    client.force_login(staff_b)
    assert [r[0] for r in rows(export(client))[1:]] == ["B-001"]
    assert [r[0] for r in rows(export(client, unit=book["mine"].unit_id))[1:]] == ["B-001"]


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://x","点我")', "+86 21 5000", "-1+2", "@SUM(A1)"]
)
def test_text_that_looks_like_a_formula_is_stored_as_text(client, supervisor_a, book, payload):
    book["mine"].name = payload
    book["mine"].save()
    client.force_login(supervisor_a)
    content = export(client)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the file
    cell = load_workbook(io.BytesIO(content)).worksheets[0]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)


def test_every_export_is_audited_with_its_filters_and_row_count(client, supervisor_a, book):
    client.force_login(supervisor_a)
    export(client, grade="A", q="A-00")
    entry = AuditLog.objects.get(action="customers.export")
    assert entry.actor == supervisor_a
    assert entry.data["rows"] == 1
    assert entry.data["filters"] == {"grade": "A", "q": "…"}  # no phone number in the log


def test_the_blank_template_has_the_import_columns_and_instructions(client, supervisor_a, book):
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:import_template"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(wb.worksheets[0].iter_rows(values_only=True))
    assert list(header) == [xlsx.column_header(c) for c in xlsx.IMPORT_COLUMNS]
    assert wb.sheetnames == ["客户", "填写说明"]
    instructions = dict(wb.worksheets[1].iter_rows(values_only=True))
    assert instructions["必填列"] == "客户编码、客户名称、营业单位"
