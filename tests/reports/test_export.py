"""The .xlsx export, laid out like the paper 每月巡访情况报告书."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_site.core.models import AuditLog
from reports import services
from tests.reports.conftest import OCTOBER
from tests.support.sheets import row_starting, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(october, unit_a, supervisor_a, manager_a):
    summary = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    services.summary_submit(
        summary=summary, actor=supervisor_a, commentary='=HYPERLINK("x")本月平稳'
    )
    services.summary_review(summary=summary, actor=manager_a, comment="同意。")
    summary.refresh_from_db()
    return summary


def download(client, user, summary):
    client.force_login(user)
    response = client.get(reverse("reports:monthly_export", args=[summary.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="monthly-summary-A-2026-10.xlsx"' in response["Content-Disposition"]
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_the_export_has_the_title_unit_month_and_who_prepared_and_reviewed_it(
    client, supervisor_a, signed
):
    sheet = download(client, supervisor_a, signed).active
    assert sheet.title == "每月巡访情况报告书"
    table = rows(sheet)
    assert table[0][0] == "每月巡访情况报告书"
    assert table[1][0] == "营业单位：华东营业部"
    assert table[1][5] == "报告月份：2026年10月"
    assert table[2][0].startswith("编制（客服主管）：赵主管")
    assert table[2][5].startswith("审核（业务经理）：孙经理")
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}


def test_every_section_is_a_titled_table_in_chinese(client, manager_a, signed):
    table = rows(download(client, manager_a, signed).active)
    titles = [
        row[0]
        for row in table
        if isinstance(row[0], str)
        and row[0][:2]
        in {"一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"}
    ]
    assert titles == [
        "一、概况",
        "二、按客户等级的走访和电话完成情况",
        "三、按巡访专员的完成情况",
        "四、未按要求走访或电话联系的客户",
        "五、客户意见、建议或希望",
        "六、市场行情与竞争对手动向",
        "七、巡访紧急报告",
        "八、客户投诉",
        "九、客服主管意见",
        "十、业务经理审核意见",
    ]
    grades = row_starting(table, "二、")
    assert table[grades + 2][:4] == ["等级", "等级名称", "客户", "应走访"]
    a_row = table[grades + 3]
    assert a_row[0] == "A" and a_row[2:5] == [1, 3, 2]
    behind = row_starting(table, "四、")
    assert [table[behind + 3 + i][2] for i in range(3)] == ["甲客户", "乙客户", "丙客户"]
    opinions = row_starting(table, "五、")
    assert table[opinions + 1][0] == "共 3 条。"
    assert table[opinions + 3][2] == "甲客户" and table[opinions + 3][5] == "希望增加周末班次"
    complaints = row_starting(table, "八、")
    assert table[complaints + 3][:3] == [3, 2, 1]


def test_numbers_are_numbers_with_formats_and_columns_have_widths(client, supervisor_a, signed):
    sheet = download(client, supervisor_a, signed).active
    table = rows(sheet)
    overview = row_starting(table, "一、") + 3  # title, header, values (1-based row = index + 1)
    total_percent = sheet.cell(row=overview, column=8)
    assert total_percent.value == pytest.approx(0.349)
    assert total_percent.number_format == "0.0%"
    assert sheet.cell(row=overview, column=1).number_format == "0"
    assert sheet.column_dimensions["C"].width == 22
    assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHIJ")
    opinion = row_starting(table, "五、") + 4
    # A real date cell, shown the way the tables show a date (2026年11月5日 14:05).
    assert sheet.cell(row=opinion, column=2).number_format == 'yyyy"年"m"月"d"日" hh:mm'


def test_text_that_looks_like_a_formula_is_written_as_text(client, supervisor_a, signed):
    sheet = download(client, supervisor_a, signed).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value in ("=SUM(A1:A9)",)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    commentary = [
        c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")
    ]
    assert commentary and commentary[0].data_type == "s"


def test_the_export_is_audited_and_scoped(client, supervisor_b, supervisor_a, signed):
    client.force_login(supervisor_b)
    assert client.get(reverse("reports:monthly_export", args=[signed.pk])).status_code == 404
    download(client, supervisor_a, signed)
    assert AuditLog.objects.filter(
        action="reports.monthly_export", object_id=str(signed.pk)
    ).exists()
