"""Journey 7, in a real browser with a real Celery worker: a supervisor filters
and sorts the customer list, exports it, changes one address in the downloaded
.xlsx, imports the file back, sees a preview with exactly that change, applies
it and finds the new address on the customer card.
"""

import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import DESKTOP
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NEW_ADDRESS = "上海市浦东新区张江路 88 号 3 号仓"


@pytest.fixture
def book(unit_a, unit_b, staff_a, staff_a2):
    """Unit A: three customers the rule grades A (revenue 1,800, 1,200 and 1,500
    万元) and two it grades lower; unit B: one more grade A, out of scope."""
    big = {"scale": "large", "trend": "growing", "address": "上海市闵行区"}
    for i, (name, revenue) in enumerate(
        [("华润物流客户", 1800), ("申通仓储客户", 1200), ("远洋贸易客户", 1500)], start=1
    ):
        make_customer(
            unit_a,
            code=f"C40000{i}",
            name=name,
            annual_revenue=Decimal(revenue),
            visiting_person=staff_a,
            **big,
        )
    make_customer(unit_a, code="C400004", name="小型零售客户", annual_revenue=50)
    make_customer(unit_a, code="C400005", name="电商新客户", visiting_person=staff_a2)
    make_customer(unit_b, code="C400006", name="别的单位大客户", annual_revenue=2000, **big)


def check_again(j):
    """axe once more on a page already checked, now in another state."""
    j.axe_checked.discard(j.page.url.split("?")[0])
    j.check_accessibility()


def names_on_page(page) -> list[str]:
    return page.locator(".customer-table tbody a.customer-name").all_inner_texts()


def test_a_supervisor_exports_edits_one_cell_and_imports_the_change_back(
    journey, book, supervisor_a, celery_worker, tmp_path
):
    j = journey(DESKTOP)
    page = j.login("supervisor_a", then="/customers/")
    assert "共 5 位客户" in page.locator(".page-header").inner_text()
    j.check_accessibility()
    j.shot("list")

    # Filter: grade A. Sort: revenue, highest first (a second click reverses).
    page.select_option("select[name=grade]", "A")
    page.wait_for_url(re.compile(r".*grade=A.*"))
    assert "共 3 位客户" in page.locator(".page-header").inner_text()
    assert "已筛选" in page.locator(".page-header").inner_text()
    revenue = page.locator(".customer-table thead a.sort-link", has_text="年营业额")
    revenue.click()
    page.wait_for_url(re.compile(r".*sort=revenue.*"))
    page.locator(".customer-table thead a.sort-link", has_text="年营业额").click()
    page.wait_for_url(re.compile(r".*sort=-revenue.*"))
    assert names_on_page(page) == ["华润物流客户", "远洋贸易客户", "申通仓储客户"]
    check_again(j)
    j.shot("filtered-sorted")

    # Export what is shown: the same three rows in the same order.
    with page.expect_download() as download:
        page.locator("#export-link").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    workbook = load_workbook(exported)
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["客户编码", "客户名称", "营业单位"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["华润物流客户", "远洋贸易客户", "申通仓储客户"]
    revenue_col = headers.index("年营业额（万元）")
    assert [r[revenue_col] for r in rows] == [1800, 1500, 1200]

    # One cell changed: the address of 远洋贸易客户.
    address_col = headers.index("地址") + 1
    assert sheet.cell(row=3, column=address_col).value == "上海市闵行区"
    sheet.cell(row=3, column=address_col).value = NEW_ADDRESS
    edited = tmp_path / "客户清单-改地址.xlsx"
    workbook.save(edited)

    # Import it back: the worker checks every row, the preview shows one change.
    page = j.goto("/customers/import/")
    j.check_accessibility()
    j.shot("import-upload")
    page.set_input_files("input[type=file][name=file]", str(edited))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r".*/customers/import/[0-9a-f-]+/$"))
    page.locator("#update-count").wait_for(timeout=60_000)
    assert page.locator("#update-count").inner_text() == "1"
    assert page.locator("#create-count").inner_text() == "0"
    assert page.locator("#error-count").inner_text() == "0"
    assert "2 行没有变化。" in page.locator("main").inner_text()
    updated = page.locator("section[aria-labelledby=updates-title] tbody tr")
    assert updated.count() == 1
    assert updated.locator("td").all_inner_texts()[1:] == ["C400003", "远洋贸易客户", "地址"]
    j.check_accessibility()
    j.shot("preview")

    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.get_by_role("button", name="确认导入").click()
    page.locator(".import-state.import-applied").wait_for(timeout=60_000)
    assert asked and "导入" in asked[0]  # applying asks first
    assert "已更新" in page.locator(".stat-update").inner_text()
    assert page.locator("#update-count").inner_text() == "1"
    check_again(j)
    j.shot("applied")

    # The card shows the new address; the other customers kept theirs.
    page = j.goto("/customers/?q=C400003")
    page.get_by_role("link", name="远洋贸易客户").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    assert NEW_ADDRESS in page.locator("main").inner_text()
    history = page.locator(".history-list").first.inner_text()
    assert f"地址: 上海市闵行区 → {NEW_ADDRESS}" in history, history
    assert page.locator(".grade-badge").first.inner_text().strip() == "A"
    j.check_accessibility()
    j.shot("customer-card")
    page = j.goto("/customers/?q=C400001")
    page.get_by_role("link", name="华润物流客户").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    assert "上海市闵行区" in page.locator("main").inner_text()
    j.check_accessibility()
    assert not j.console_errors, j.console_errors
