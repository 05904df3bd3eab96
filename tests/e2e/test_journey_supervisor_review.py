"""Journey 2: the supervisor returns a daily report with a comment, the staff
member corrects and resubmits it on her phone, the supervisor marks it
reviewed and raises an urgent report from the entry she flagged.

Routing runs eagerly here; journey 3 has the real worker.
"""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, confirm_click
from tests.factories import make_customer, make_daily_report, make_entry
from visits import services

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_report(staff_a, unit_a):
    """Today's report of staff_a, submitted: a plain visit and a flagged call
    (just after midnight, so that editing an entry is never refused as still
    to come, whatever the hour the suite runs)."""
    plain = make_customer(unit_a, name="上海远航物流", grade="B", visiting_person=staff_a)
    flagged = make_customer(unit_a, name="杭州顺达仓储", grade="A", visiting_person=staff_a)
    report = make_daily_report(staff_a)
    make_entry(report, plain, kind="visit", at="00:05", effect="", opinions="客户询问冷链运输报价")
    make_entry(
        report,
        flagged,
        kind="call",
        at="00:10",
        market="竞争对手推出仓配一体化套餐，报价低约20%",
        needs_escalation=True,
        escalation_reason="竞争对手降价幅度大，客户考虑转移仓储业务",
    )
    services.daily_report_submit(report=report, actor=staff_a)
    return report


def review_queue(boss, report):
    """The review queue's page, and the report's card in it."""
    page = boss.goto("/visits/reports/review/")
    return page, page.locator(f"#report-{report.pk}")


def test_supervisor_returns_staff_resubmits_supervisor_reviews_and_raises_an_urgent_report(
    journey, staff_a, supervisor_a, manager_a, submitted_report
):
    report = submitted_report
    boss = journey(DESKTOP, suffix="supervisor")
    boss.login("supervisor_a")
    boss.check_accessibility()
    boss.shot("home")
    page, card = review_queue(boss, report)
    assert "待审阅的日报表 1" in page.locator("h1").inner_text()
    assert "张三" in card.inner_text()
    # The flagged entry leads the report.
    entries = card.locator(".review-entries > li")
    assert entries.count() == 2
    assert "杭州顺达仓储" in entries.first.inner_text()
    assert "需上报" in entries.first.inner_text()
    boss.check_accessibility()
    boss.shot("review-queue")

    # Returning without a comment is refused, with a reason (after the
    # confirmation every return asks for).
    questions = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    card.get_by_role("button", name="退回修改").click()
    page.get_by_text("退回日报表时请说明需要修改的内容。").wait_for()
    assert "已提交" in page.locator("h1").inner_text()
    boss.check_accessibility()
    boss.shot("return-refused")

    page, card = review_queue(boss, report)
    card.locator("textarea[name=comment]").fill("上海远航物流的拜访效果没有写，请补充后重新提交。")
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    card.get_by_role("button", name="退回修改").click()
    page.get_by_text("的日报表已连同您的意见退回。").wait_for()
    assert "没有等待您审阅的日报表。" in page.content()
    assert len(questions) == 2 and all("退回" in q for q in questions), questions
    boss.shot("returned")

    staff = journey(PHONE, suffix="staff")
    phone = staff.login("staff_a")
    assert "主管已退回：请查看意见后重新提交。" in phone.content()
    assert phone.locator("#notification-bell .nav-count").inner_text() == "1"
    staff.check_accessibility()
    staff.shot("home-returned")
    phone.get_by_role("link", name="打开今日日报表").click()
    phone.wait_for_url(re.compile(r".*/visits/reports/\d+/$"))
    returned = phone.locator(".alert-warning")
    assert "赵主管 于" in returned.inner_text()
    assert "上海远航物流的拜访效果没有写" in returned.inner_text()
    assert "已退回" in phone.locator("h1").inner_text()
    staff.assert_no_horizontal_scroll()
    staff.check_accessibility()
    staff.shot("report-returned")

    # On a phone the entries are one-line rows: a tap opens one.
    row = phone.locator(".entry-card", has_text="上海远航物流")
    row.locator(".entry-toggle").click()
    row.get_by_role("link", name="编辑").click()
    phone.wait_for_url(re.compile(r".*/entries/\d+/$"))
    staff.check_accessibility()
    phone.fill("textarea[name=effect]", "客户同意下月起将华东线路交由我司承运")
    phone.get_by_role("button", name="保存记录").click()
    phone.get_by_text("上海远航物流 的记录已保存。").wait_for()
    assert "客户同意下月起将华东线路交由我司承运" in phone.locator(".entry-card").first.inner_text()
    assert phone.locator("#submit-title").inner_text() == "重新提交"
    confirm_click(phone.locator(".submit-card button[type=submit]"))
    phone.get_by_text("日报表已提交给主管。").wait_for()
    assert "已提交" in phone.locator("h1").inner_text()
    staff.assert_no_horizontal_scroll()
    staff.shot("resubmitted")

    page, card = review_queue(boss, report)
    assert "待审阅的日报表 1" in page.locator("h1").inner_text()
    assert "客户同意下月起将华东线路交由我司承运" in card.inner_text()
    card.locator("textarea[name=comment]").fill("已补充，审阅通过。")
    card.get_by_role("button", name="审阅通过").click()
    page.get_by_text("的日报表已审阅通过。").wait_for()
    assert "没有等待您审阅的日报表。" in page.content()
    boss.shot("reviewed")

    page = boss.goto(f"/visits/reports/{report.pk}/")
    assert "赵主管 已于" in page.locator(".alert-success").inner_text()
    assert "已审阅" in page.locator("h1").inner_text()
    flagged = page.locator(".entry-card.entry-flagged")
    assert "杭州顺达仓储" in flagged.inner_text()
    boss.check_accessibility()
    boss.shot("report-reviewed")
    flagged.get_by_role("link", name="提出紧急报告").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/new/\?entry=\d+$"))
    assert "杭州顺达仓储" in page.locator(".urgent-source").inner_text()
    assert page.input_value("input[name=title]").startswith("杭州顺达仓储")
    assert "竞争对手推出仓配一体化套餐" in page.input_value("textarea[name=details]")
    boss.check_accessibility()
    boss.shot("urgent-prefilled")
    page.select_option("select[name=category]", label="同行推出新的服务")
    page.fill("textarea[name=proposal]", "建议经理批准针对该客户的仓储优惠方案")
    page.get_by_role("button", name="提交给业务经理").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert "紧急报告已提交，正在分派给业务经理。" in page.content()
    assert "孙经理" in page.content()
    boss.check_accessibility()
    boss.shot("urgent-raised")

    # Back on the report, the entry links to its urgent report instead.
    page = boss.goto(f"/visits/reports/{report.pk}/")
    flagged = page.locator(".entry-card.entry-flagged")
    assert re.search(r"紧急报告 #\d+ · ", flagged.inner_text())
    assert flagged.get_by_role("link", name="提出紧急报告").count() == 0
    boss.shot("report-links-urgent")
    assert not boss.console_errors and not staff.console_errors
