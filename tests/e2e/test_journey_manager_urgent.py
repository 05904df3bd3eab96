"""Journey 3: an urgent report reaches the manager's queue by itself.

The supervisor raises it; a real Celery worker routes it to the unit's manager,
whose open queue on a phone ("assigned to me") shows it without a reload. The
manager acknowledges, comments and resolves it; the supervisor finds the
resolution through the notification bell.
"""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, confirm_click

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLE = "同行推出免费上门揽收"


def test_manager_works_an_urgent_report_routed_by_the_worker_and_the_supervisor_sees_it_resolved(
    journey, celery_worker, supervisor_a, manager_a, unit_a, monkeypatch
):
    # The queue asks for fresh rows every 2 s here instead of every 15 s.
    monkeypatch.setattr("visits.urgent.views.REFRESH_SECONDS", 2)
    manager = journey(PHONE, suffix="manager")
    page = manager.login("manager_a")
    manager.check_accessibility()
    manager.shot("home")
    page = manager.goto("/visits/urgent/")
    assert "没有未办结的紧急报告" in page.content()
    # Only what is assigned to me: a report shows up here once it is routed.
    page.get_by_role("button", name="筛选").first.click()
    page.locator("#urgent-filters.show:not(.collapsing)").wait_for()
    page.get_by_label("分派给我的").check()
    page.locator(".urgent-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\?.*mine=on.*"))
    assert "没有符合筛选条件的紧急报告" in page.content()
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    manager.shot("queue-mine-empty")

    supervisor = journey(DESKTOP, suffix="supervisor")
    form = supervisor.login("supervisor_a", then="/visits/urgent/new/")
    supervisor.check_accessibility()
    form.select_option("select[name=category]", "competitor_service")
    form.fill("input[name=title]", TITLE)
    form.fill("textarea[name=details]", "同行在客户园区推出仓配一体化套餐，含免费上门揽收。")
    form.get_by_role("button", name="提交给业务经理").click()
    form.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert "紧急报告已提交，正在分派给业务经理。" in form.content()
    supervisor.check_accessibility()
    supervisor.shot("raised")

    # The manager did not reload: the queue fetched its rows once the worker
    # had assigned the report to them.
    link = page.get_by_role("link", name=TITLE)
    link.wait_for(timeout=30_000)
    row = page.locator(".urgent-row", has=link)
    assert "孙经理" in row.inner_text()
    assert "已分派" in row.inner_text()
    assert page.locator('.nav-badges a[href="/visits/urgent/"] .nav-count').inner_text() == "1"
    assert "1 份未办结" in page.locator(".urgent-summary").inner_text()
    manager.assert_no_horizontal_scroll()
    manager.shot("queue-routed")

    link.click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert "孙经理" in page.locator(".urgent-deadline, dl").last.inner_text()
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    manager.shot("detail-routed")

    page.locator("#action-acknowledge button[type=submit]").click()
    page.get_by_text("已确认接收，并已通知主管。").wait_for()
    page.locator("#action-comment textarea").fill("已联系客户，正在核实同行报价。")
    page.locator("#action-comment button[type=submit]").click()
    page.locator(".urgent-timeline", has_text="已联系客户，正在核实同行报价。").wait_for()
    manager.check_accessibility()
    manager.shot("acknowledged-commented")
    page.locator("#action-resolve textarea").fill("已与客户沟通，下月起提供同类上门揽收服务。")
    confirm_click(page.locator("#action-resolve button[type=submit]"))
    page.get_by_text("已办结，并已通知主管。").wait_for()
    assert "已与客户沟通" in page.locator(".urgent-resolution").inner_text()
    manager.assert_no_horizontal_scroll()
    manager.shot("resolved")

    page = manager.goto("/visits/urgent/?mine=on")
    assert "没有符合筛选条件的紧急报告" in page.content()
    assert page.locator('.nav-badges a[href="/visits/urgent/"] .nav-count').count() == 0

    # The supervisor learns of it from the bell.
    page = supervisor.goto("/")
    bell = page.locator("#notification-bell .nav-count")
    # Acknowledged, commented, resolved.
    assert bell.inner_text() == "3"
    bell.click()
    page.wait_for_url(re.compile(r".*/notifications/$"))
    item = page.locator(".list-group-item", has_text=f"您提出的紧急报告已办结：{TITLE}")
    assert "孙经理：已与客户沟通" in item.inner_text()
    supervisor.check_accessibility()
    supervisor.shot("notifications")
    item.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert TITLE in page.locator("h1").inner_text()
    assert "已办结" in page.content()
    assert "下月起提供同类上门揽收服务" in page.locator(".urgent-resolution").inner_text()
    assert "已联系客户，正在核实同行报价。" in page.locator(".urgent-timeline").inner_text()
    supervisor.check_accessibility()
    supervisor.shot("supervisor-sees-resolution")
    assert not manager.console_errors and not supervisor.console_errors
