"""Smaller points, in a real browser:

- 赵主管 follows "待您提交" from home and lands on the commentary form of last
  month's summary; scrolled away, a "填写主管意见" button stays on screen and
  jumps back to the form;
- 赵主管's 待巡访 opens on the whole unit, with whose customer each row is;
- an urgent report stuck in routing alerts 孙经理, who takes it over
  ("由我接手"); the timeline says so, and a comment is a 留言 on the button
  and in the timeline alike.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm_site.core import months
from reports import services as report_services
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_customer
from visits.models import UrgentReport, UrgentReportEvent
from visits.urgent import routing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_awaiting_your_submission_lands_on_the_commentary_and_a_button_jumps_back_to_it(
    journey, supervisor_a, staff_a, unit_a
):
    for i in range(8):
        make_customer(unit_a, name=f"华东客户{i}", grade="ABCD"[i % 4], visiting_person=staff_a)
    last_month = months.shift(months.first_of(timezone.localdate()), -1)
    report_services.summary_build(unit_id=unit_a.pk, month=last_month)

    supervisor = journey(PHONE, suffix="supervisor")
    page = supervisor.login("supervisor_a")
    page.locator(".home-summary-last").get_by_role("link", name="待您提交").click()
    page.wait_for_url(re.compile(r".*/reports/monthly/\d+/#commentary$"))
    textarea = page.locator("textarea[name=commentary]")
    jump = page.get_by_role("link", name="填写主管意见")
    expect(textarea).to_be_in_viewport()
    expect(jump).to_be_hidden()
    supervisor.shot("landed-on-commentary")

    # Back at the top of a long page, the button is on screen.
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * 844
    expect(jump).to_be_visible()
    expect(jump).to_be_in_viewport()
    expect(textarea).not_to_be_in_viewport()
    supervisor.check_accessibility()
    supervisor.assert_no_horizontal_scroll()
    page.screenshot(path=str(supervisor.dir / "02-jump-button-on-screen.png"))

    jump.click()
    expect(textarea).to_be_in_viewport()
    expect(jump).to_be_hidden()
    textarea.fill("本月走访基本到位，电话回访需加强。")
    page.screenshot(path=str(supervisor.dir / "03-back-at-the-form.png"))


def test_a_supervisors_visits_due_open_on_the_whole_unit(
    journey, supervisor_a, staff_a, staff_a2, unit_a
):
    make_customer(unit_a, name="张三的大客户", grade="A", visiting_person=staff_a)
    make_customer(unit_a, name="李四的客户", grade="C", visiting_person=staff_a2)
    supervisor = journey(DESKTOP, suffix="supervisor")
    page = supervisor.login("supervisor_a", then="/visits/due/")
    expect(page.locator("h1")).to_have_text("待巡访 · 本单位全部客户")
    rows = page.locator(".due-row")
    expect(rows).to_have_count(2)
    expect(page.locator(".due-row", has_text="张三的大客户")).to_contain_text("巡访专员 张三")
    expect(page.locator(".due-row", has_text="李四的客户")).to_contain_text("巡访专员 李四")
    assert "都已完成" not in page.content()
    supervisor.check_accessibility()
    supervisor.shot("unit-view")

    # Their own list: no customers of their own, and it says so.
    page.select_option("#due-person", label="我的客户")
    page.wait_for_url(re.compile(r".*person=me.*"))
    expect(page.locator(".due-no-customers")).to_contain_text("您名下没有客户。")
    assert "都已完成" not in page.content()
    supervisor.shot("own-view")
    page.get_by_role("link", name="查看本单位的待巡访").click()
    expect(page.locator("h1")).to_have_text("待巡访 · 本单位全部客户")


def test_a_manager_alerted_to_a_report_stuck_in_routing_takes_it_over(
    journey, supervisor_a, manager_a, unit_a
):
    # Written as the raising form would leave it when no worker routes it.
    report = UrgentReport.objects.create(
        unit=unit_a,
        raised_by=supervisor_a,
        category=UrgentReport.Category.OWN_SERVICE,
        title="华东仓库停电影响发货",
        details="华东仓库今晨停电，当日发货全部延误。",
        ack_deadline=timezone.now() + timedelta(hours=4),
    )
    UrgentReportEvent.objects.create(report=report, actor=supervisor_a, kind="raised")
    UrgentReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    assert routing.urgent_reports_routing_alarm() == 1

    manager = journey(DESKTOP, suffix="manager")
    page = manager.login("manager_a", then=report.get_absolute_url())
    expect(page.locator(".urgent-status")).to_have_text("待分派")
    expect(page.locator(".urgent-routing-late")).to_contain_text("至今仍未分派给经理")
    expect(page.locator(".urgent-event-routing_delayed")).to_contain_text(
        "已提醒本单位经理：孙经理"
    )
    manager.check_accessibility()
    manager.shot("stuck")

    page.get_by_role("button", name="由我接手").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_text("已由您接手，并已通知主管。")).to_be_visible()
    expect(page.locator(".urgent-status")).to_have_text("已确认")
    expect(page.locator(".urgent-event-taken_over")).to_contain_text("已接手 · 孙经理")
    expect(page.get_by_role("button", name="由我接手")).to_have_count(0)
    check_again(manager)
    manager.shot("taken-over")

    # A comment is a 留言 on the form, the button and the timeline.
    section = page.locator("#action-comment")
    expect(section.locator("h2")).to_have_text("留言")
    section.locator("textarea").fill("已安排备用仓发货。")
    section.get_by_role("button", name="添加留言").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator(".urgent-event-commented")).to_contain_text("已留言")
    assert "批注" not in page.content()
    manager.shot("commented")


def check_again(j):
    """axe once more on a page already checked, now in another state."""
    j.axe_checked.discard(j.page.url.split("?")[0].split("#")[0])
    j.check_accessibility()
