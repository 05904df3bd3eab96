"""The register's .xlsx: the same rows as the register, Chinese headers, no formulas."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.filters import ComplaintFilter
from complaints.models import Complaint
from crm_site.core.models import AuditLog
from tests import factories as f

pytestmark = pytest.mark.django_db


def export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("complaints:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="complaints-')
    return load_workbook(io.BytesIO(response.content))


def register_numbers(client, user, **params) -> list[str]:
    """Every number the register shows for these filters, page by page."""
    client.force_login(user)
    numbers, page = [], 1
    while True:
        html = client.get(reverse("complaints:list"), params | {"page": page}).content.decode()
        numbers += re.findall(r'class="fw-semibold">(TS-\d{4}-\d{6})</a>', html)
        if f"page={page + 1}" not in html:
            return numbers
        page += 1


@pytest.fixture
def many(customer_a, customer_a2, staff_a, supervisor_a):
    now = timezone.now()
    made = []
    for i in range(32):
        made.append(
            f.make_complaint(
                customer_a if i % 2 else customer_a2,
                by=staff_a if i % 2 else supervisor_a,
                severity="major" if i % 3 == 0 else "normal",
                category=["delay", "damage", "loss", "billing"][i % 4],
                received_at=now - timedelta(days=i),
            )
        )
    Complaint.objects.filter(pk__in=[c.pk for c in made[:5]]).update(
        deadline=now - timedelta(hours=1)
    )
    return made


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"severity": "major"},
        {"overdue": "on"},
        {"status": "open", "sort": "deadline"},
        {"q": "上海乙"},
    ],
)
def test_the_export_has_exactly_the_registers_rows_in_its_order(client, many, supervisor_a, params):
    sheet = export(client, supervisor_a, **params).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == register_numbers(client, supervisor_a, **params)
    assert exported  # the filters above all match something


def test_the_export_rows_carry_the_complaints_fields(client, customer_a, staff_a, supervisor_a):
    complaint = f.make_complaint(
        customer_a, by=staff_a, complainant="赵先生", contact_phone="13800001111", severity="major"
    )
    sheet = export(client, supervisor_a).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert header[:4] == ["编号", "客户编码", "客户", "营业单位"]
    assert row["编号"] == complaint.number
    assert row["客户"] == customer_a.name
    assert row["投诉人"] == "赵先生"
    assert row["联系电话"] == "13800001111"
    assert row["严重程度"] == "重大"
    assert row["状态"] == "已受理"
    assert row["投诉方式"] == "电话"
    assert row["处理期限"] == timezone.localtime(complaint.deadline).replace(tzinfo=None)


def test_the_export_carries_the_regulatory_due_date(client, customer_a, staff_a, supervisor_a):
    received = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    transfer = f.make_complaint(
        customer_a,
        by=staff_a,
        channel="postal_12305",
        received_at=received,
        regulatory_due=received + timedelta(days=3),
    )
    older = f.make_complaint(customer_a, by=staff_a, received_at=received - timedelta(days=1))
    Complaint.objects.filter(pk=older.pk).update(regulatory_due=None)
    sheet = export(client, supervisor_a).active
    header = [c.value for c in sheet[1]]
    assert header[header.index("处理期限") + 1] == "法定处理期限"
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    due = rows[transfer.number]["法定处理期限"]
    assert due == timezone.localtime(transfer.regulatory_due).replace(tzinfo=None)
    assert sheet.cell(row=2, column=header.index("法定处理期限") + 1).number_format == (
        sheet.cell(row=2, column=header.index("处理期限") + 1).number_format
    )
    assert rows[older.number]["法定处理期限"] is None


def test_text_that_a_spreadsheet_would_run_is_escaped(client, customer_a, staff_a):
    f.make_complaint(
        customer_a,
        by=staff_a,
        complainant='=HYPERLINK("http://evil.example","点我")',
        content="+cmd|' /C calc'!A0",
        contact_phone="-1",
        demand="@SUM(1+1)",
    )
    workbook = export(client, staff_a)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    # Read back as typed, as text cells with Excel's quote prefix (never a formula).
    hostile = {
        "投诉人": '=HYPERLINK("http://evil.example","点我")',
        "投诉内容": "+cmd|' /C calc'!A0",
        "联系电话": "-1",
        "客户要求": "@SUM(1+1)",
    }
    for column, text in hostile.items():
        cell = cells[column]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), column
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_is_recorded_in_the_audit_log_with_its_filters(client, many, supervisor_a):
    export(client, supervisor_a, severity="major")
    entry = AuditLog.objects.get(action="complaints.export")
    assert entry.actor == supervisor_a
    assert entry.data["filters"] == {"severity": "major"}
    assert (
        entry.data["rows"]
        == ComplaintFilter(
            {"severity": "major"},
            queryset=Complaint.objects.visible_to(supervisor_a),
            user=supervisor_a,
        ).qs.count()
    )


def test_an_empty_export_still_has_its_headers(client, staff_a, categories):
    sheet = export(client, staff_a).active
    assert sheet.max_row == 1
    assert sheet["A1"].value == "编号"


def test_an_export_job_writes_the_same_rows_as_the_register_under_every_kind_of_filter(
    client, supervisor_a, staff_a, unit_a, settings, django_capture_on_commit_callbacks
):
    from crm_site.core.models import ExportJob

    customer = f.make_customer(unit_a, visiting_person=staff_a)
    for _ in range(3):
        f.make_complaint(customer=customer, by=staff_a)
    params = {
        "status": "open",
        "received_from": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "unit": str(unit_a.pk),
        "sort": "-number",
    }
    direct = [
        r[0]
        for r in export(client, supervisor_a, **params).active.iter_rows(
            min_row=2, values_only=True
        )
    ]
    settings.CRM_EXPORT_SYNC_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("complaints:export"), params)
    job = ExportJob.objects.get(user=supervisor_a, kind="complaints")
    assert job.params["filters"]["unit"] == unit_a.pk
    assert job.params["filters"]["sort"] == ["-number"]
    job.refresh_from_db()
    download = client.get(reverse("core:export_download", args=[job.pk]))
    rows = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [r[0] for r in rows.iter_rows(min_row=2, values_only=True)] == direct
    assert len(direct) == 3 and direct == sorted(direct, reverse=True)
