"""Journey 5, in a real browser with a real Celery worker: a daily report of
October changes after the summary was built; supervisor 赵主管 sees the summary
is out of date, rebuilds it (the worker does it, the page updates by itself),
writes the commentary, submits, exports the paper-form .xlsx and checks it;
manager 孙经理 reviews it on a phone.

The charts draw under the CSP, each page passes axe and fits a phone.
"""

import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports import services
from tests.e2e.conftest import DESKTOP, PHONE, confirm_click
from tests.factories import make_daily_report, make_entry
from tests.reports.conftest import OCTOBER, october  # noqa: F401 - the fixture
from tests.support.sheets import row_starting, rows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COMMENTARY = "十月走访基本到位，电话回访需加强；乙客户下月重点跟进。"
REVIEW = "同意，电话回访纳入十一月考核。"


@pytest.fixture
def summary(october, unit_a, staff_a):  # noqa: F811
    built = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    # Filed after the build: the summary no longer matches the daily reports.
    report = make_daily_report(staff_a, date(2026, 10, 27))
    make_entry(report, october["d1"], kind="visit", at="15:00", opinions="希望提供夜间收货")
    return built


def check_again(j):
    """axe once more on a page already checked, now in another state."""
    j.axe_checked.discard(j.page.url.split("?")[0])
    j.check_accessibility()


def test_the_supervisor_rebuilds_annotates_submits_and_exports_and_the_manager_reviews(
    journey, summary, supervisor_a, manager_a, celery_worker, tmp_path
):
    supervisor = journey(DESKTOP, suffix="supervisor")
    page = supervisor.login("supervisor_a", then="/reports/monthly/")
    row = page.locator("tr", has_text="华东营业部").filter(has_text="2026年10月")
    supervisor.check_accessibility()
    supervisor.shot("list")
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/reports/monthly/\d+/$"))
    summary_path = page.url.removeprefix(supervisor.base)

    # The figures of the first build, and a notice that the reports changed.
    page.wait_for_selector("#chart-grades canvas")
    page.wait_for_selector("#chart-trend canvas")
    assert page.locator("#kpi-compliance").inner_text() == "34.9%"
    assert page.locator("#kpi-opinions").inner_text() == "3"
    assert "本月日报在报告生成后有变更。" in page.locator(".stale-alert").inner_text()
    supervisor.check_accessibility()
    supervisor.shot("stale")

    # Rebuild: the worker builds, the page notices and shows the new figures.
    page.locator(".summary-actions").get_by_role("button", name="立即重新生成").click()
    page.wait_for_load_state("domcontentloaded")
    assert "正在根据最新日报重新生成月报" in page.locator(".alert-info").first.inner_text()
    supervisor.shot("rebuilding")
    expect(page.locator("#kpi-opinions")).to_have_text("4", timeout=60_000)
    expect(page.locator("#rebuilding")).to_have_count(0)
    assert page.locator(".stale-alert").count() == 0
    assert "希望提供夜间收货" in page.locator(".summary-opinions").inner_text()
    assert "第 2 次生成" in page.locator(".summary-meta").inner_text()
    check_again(supervisor)
    supervisor.shot("rebuilt")

    # Commentary, then submit (the browser asks to confirm).
    page.fill("textarea[name=commentary]", COMMENTARY)
    confirm_click(page.locator("button[name=action][value=submit]"))
    page.wait_for_selector("#commentary-text")
    assert "月报已提交给本单位业务经理。" in page.locator(".alert-success").inner_text()
    assert "已提交" in page.locator(".summary-status").first.inner_text()
    assert page.locator("#commentary-text").inner_text() == COMMENTARY
    assert "赵主管" in page.locator(".summary-meta").inner_text()
    check_again(supervisor)
    supervisor.shot("submitted")

    # The .xlsx laid out like the paper form, with what the page says.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename == "monthly-summary-A-2026-10.xlsx"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    table = rows(sheet)
    assert table[0][0] == "每月巡访情况报告书"
    assert table[1][0] == "营业单位：华东营业部"
    assert table[1][5] == "报告月份：2026年10月"
    assert table[2][0].startswith("编制（客服主管）：赵主管")
    assert table[2][5] == "审核（业务经理）：—"
    overview = row_starting(table, "一、") + 2
    assert table[overview - 1][0] == "客户"
    assert table[overview][0] == 4  # customers
    assert table[overview][8] == 4  # opinions, with the one filed after the first build
    opinions = row_starting(table, "五、")
    assert table[opinions + 1][0] == "共 4 条。"
    texts = [r[5] for r in table[opinions + 3 : opinions + 7]]
    assert "希望提供夜间收货" in texts
    commentary = row_starting(table, "九、")
    assert table[commentary + 1][0] == COMMENTARY
    assert not supervisor.console_errors, supervisor.console_errors

    # 孙经理 reviews it on a phone.
    manager = journey(PHONE, suffix="manager")
    mpage = manager.login("manager_a", then="/reports/monthly/")
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    manager.shot("list")
    mpage = manager.goto(summary_path)
    mpage.wait_for_selector("#chart-grades canvas")
    assert mpage.locator("#commentary-text").inner_text() == COMMENTARY
    assert mpage.locator("#kpi-opinions").inner_text() == "4"
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    mpage.fill("textarea[name=review_comment]", REVIEW)
    mpage.locator(".review-form button[type=submit]").click()
    mpage.wait_for_selector("#review-text")
    assert "月报已审核，已通知客服主管。" in mpage.locator(".alert-success").inner_text()
    assert mpage.locator("#review-text").inner_text() == REVIEW
    assert "已审阅" in mpage.locator(".summary-status").first.inner_text()
    manager.assert_no_horizontal_scroll()
    check_again(manager)
    manager.shot("reviewed")
    assert not manager.console_errors, manager.console_errors

    # The supervisor sees the review.
    page = supervisor.goto(summary_path)
    assert page.locator("#review-text").inner_text() == REVIEW
    assert "孙经理" in page.locator(".summary-meta").inner_text()
    check_again(supervisor)
    supervisor.shot("reviewed")
