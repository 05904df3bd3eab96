"""In a real browser: a supervisor raises an urgent report, the manager's open
queue (phone width) shows it without a reload, and the manager works it.

Routing runs at commit here (eager Celery); the real-worker and fault tests
are in tests/visits/. The queue polls every second in this test instead of 15.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from tests.e2e.conftest import DESKTOP, PHONE
from visits.models import UrgentReport

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def in_thread(query):
    """Run an ORM query outside Playwright's event loop, on a connection closed afterwards."""

    def run():
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_a_raised_report_appears_in_the_managers_queue_and_is_worked_to_resolution(
    journey, supervisor_a, manager_a, unit_a, monkeypatch
):
    monkeypatch.setattr("visits.views.urgent.REFRESH_SECONDS", 1)
    manager = journey(PHONE, suffix="manager")
    manager.login("manager_a")
    page = manager.goto("/visits/urgent/")
    assert "没有未办结的紧急报告" in page.content()
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    manager.shot("empty-queue")

    supervisor = journey(DESKTOP, suffix="supervisor")
    supervisor.login("supervisor_a")
    form = supervisor.goto("/visits/urgent/new/")
    supervisor.check_accessibility()
    form.select_option("select[name=category]", "competitor_service")
    form.fill("input[name=title]", "同行推出免费上门揽收")
    form.fill("textarea[name=details]", "同行在客户园区推出仓配一体化套餐，含免费上门揽收。")
    form.locator("form.urgent-form button[type=submit]").click()
    form.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert "正在分派给业务经理" in form.content()
    supervisor.check_accessibility()
    supervisor.shot("raised")

    # The manager did not reload: the queue fetched its rows by itself.
    page.get_by_role("link", name="同行推出免费上门揽收").wait_for(timeout=15_000)
    badge = page.locator('.nav-badges a[href="/visits/urgent/"] .nav-count')
    assert badge.inner_text() == "1"
    manager.shot("queue-refreshed")

    page.get_by_role("link", name="同行推出免费上门揽收").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    page.locator("#action-acknowledge button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已确认接收" in page.content()
    page.fill("#action-resolve textarea", "已与客户沟通，下月起提供同类服务。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#action-resolve button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已办结" in page.content()
    manager.shot("resolved")

    report = in_thread(lambda: UrgentReport.objects.get())
    assert (report.status, report.assignee_id) == ("resolved", manager_a.pk)
    assert not manager.console_errors and not supervisor.console_errors
