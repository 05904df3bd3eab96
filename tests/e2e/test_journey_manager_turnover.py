"""Journey: a manager imports a month of turnover from an .xlsx, sees a
customer move grade because the twelve months now point up, sets the unit's
target for the month and reads the gap page's chart and table.

Under the shipped rule a medium manufacturer with 50-200 (10k CNY) of revenue
scores 20 + 12 + 15 = 47 points before its trend: stable (8) is 55, grade C;
growing (15) is 62, grade B (60). 恒升制造 has sold 80,000 a month for 23
months; November's 200,000 makes its last twelve months 1,080,000 against
960,000 the year before (+12.5 %, the fitted line rising): growing, so it
moves C → B. 平稳物流 sells 100,000 every month: stable, and stays at C.

The grading rule's own preview page is the administrators' (a manager cannot
open it); the import starts the regrade at once (the test's tasks run eagerly),
and the import's message links to what that regrade moved in the manager's
units: 恒升制造 C → B, its trend stable → growing and its points 55 → 62. The
manager then reads the move on the customer's turnover page (the computed
trend) and its card (the grade and its history).
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm_site.core import months
from customers.models import Customer
from customers.revenue.models import MonthlyTurnover
from tests.e2e.conftest import DESKTOP
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MONTH = date(2026, 11, 1)


@pytest.fixture
def trading(unit_a, staff_a):
    mover = make_customer(
        unit_a, code="HS001", name="恒升制造", visiting_person=staff_a, annual_revenue=100
    )
    steady = make_customer(
        unit_a, code="PW001", name="平稳物流", visiting_person=staff_a, annual_revenue=120
    )
    assert (mover.grade, steady.grade, mover.trend) == ("C", "C", "stable")
    rows = []
    for back in range(23, 0, -1):
        month = months.shift(MONTH, -back)
        rows.append(MonthlyTurnover(customer=mover, month=month, amount=Decimal(80000)))
        rows.append(MonthlyTurnover(customer=steady, month=month, amount=Decimal(100000)))
    MonthlyTurnover.objects.bulk_create(rows)
    return mover, steady


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["客户编码", "月份（YYYY-MM）", "营业额（元）"])
    ws.append(["HS001", "2026-11", 200000])
    ws.append(["PW001", "2026-11", 100000])
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def _cells(page, selector: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.split("\t")]
        for row in page.locator(f"{selector} tbody tr").all_inner_texts()
    ]


def test_a_manager_imports_turnover_sees_a_grade_move_sets_a_target_and_reads_the_gap(
    journey, manager_a, unit_a, trading
):
    mover, steady = trading
    j = journey(viewport=DESKTOP)
    page = j.login("manager_a", then="/customers/turnover/import/")
    j.check_accessibility()
    j.shot("import-page")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "turnover-2026-11.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _workbook(),
            }
        ],
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/customers/turnover/$"))
    alerts = page.locator(".alert").all_inner_texts()
    assert any("营业额已导入：新增 2 条，替换 0 条，未变 0 条。" in t for t in alerts), alerts
    assert any("营业额导入：1 个客户的营业额或趋势有变化" in t for t in alerts), alerts
    j.check_accessibility()
    j.shot("imported")
    assert MonthlyTurnover.objects.filter(month=MONTH).count() == 2

    # The message's link: what this import's regrade moved in the manager's units.
    page.get_by_role("link", name="查看本次导入引起的等级变化").click()
    page.wait_for_url(re.compile(r".*/customers/turnover/regrade/\d+/$"))
    moves = _cells(page, "#grade-moves")
    assert moves == [
        [mover.code, f"{mover.name} 营业额", unit_a.name, "C → B", "稳定 → 上升", "55 → 62 (+7)"]
    ], moves
    j.check_accessibility()
    j.shot("regrade-moves")
    page.get_by_role("link", name=mover.name, exact=True).click()
    page.wait_for_url(re.compile(rf".*/customers/{mover.pk}/$"))

    # The mover's twelve months now point up: growing, and the regrade moved it C → B.
    page = j.goto(f"/customers/{mover.pk}/turnover/")
    figures = page.locator("#revenue-figures").inner_text()
    assert "108.00" in figures and "上升" in figures, figures
    j.check_accessibility()
    j.shot("mover-turnover")
    page = j.goto(f"/customers/{mover.pk}/")
    history = page.locator(".grade-history").inner_text()
    assert "C → B" in history, history
    # The card's score: the trend is now worth 15 points, 62 in all (B from 60).
    assert "62 分" in page.locator("main").inner_text()
    j.shot("mover-card")
    mover.refresh_from_db()
    steady.refresh_from_db()
    assert (mover.grade, mover.trend, mover.annual_revenue) == ("B", "growing", Decimal("108.00"))
    assert (steady.grade, steady.trend) == ("C", "stable")
    page = j.goto(f"/customers/{steady.pk}/turnover/")
    assert "稳定" in page.locator("#revenue-figures").inner_text()

    # The unit's target for November.
    page = j.goto("/customers/turnover/targets/")
    page.select_option("select[name=unit]", str(unit_a.pk))
    page.fill("input[name=month]", "2026-11")
    page.fill("input[name=amount]", "250000")
    page.get_by_role("button", name="保存目标").click()
    page.wait_for_url(re.compile(r".*/customers/turnover/targets/$"))
    assert _cells(page, "table")[0][:2] == ["2026-11", unit_a.name]
    j.check_accessibility()
    j.shot("target-set")

    # The gap page: January to November, the target only in November.
    page = j.goto(f"/reports/revenue/?unit={unit_a.pk}&month=2026-11")
    by_month = _cells(page, "#gap-by-month")
    assert by_month[0] == ["2026-01", "180000.00", "—", "—", "—"]
    assert by_month[10] == ["2026-11", "300000.00", "250000.00", "50000.00", "120.0"]
    assert by_month[11] == ["本年累计", "2100000.00", "250000.00", "1850000.00", "840.0"]
    grades = {row[0]: row[1] for row in _cells(page, "#gap-by-grade")}
    assert grades == {"B": "1000000.00", "C": "1100000.00"}
    rises = _cells(page, "#gap-rises")
    assert rises[0][0] == f"{mover.code} {mover.name}"
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart-revenue-gap'))"
    )
    series = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-revenue-gap'))"
        ".getOption().series.map(s => s.data)"
    )
    assert series[0] == [180000.0] * 10 + [300000.0]
    assert series[1] == [None] * 10 + [250000.0]
    j.check_accessibility()
    j.shot("gap")
    assert not j.console_errors, j.console_errors
    assert Customer.objects.get(pk=mover.pk).grade == "B"
