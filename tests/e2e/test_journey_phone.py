"""A page that fits a thumb: the daily report, the entry form and the header on a 390 px phone.

A report of six entries shows them as one-line rows that open on a tap, with
"N filled", "Add entry" and "Submit" in a bar at the bottom of the screen; the
entry form keeps Save / Save and add another / Submit there too, and "Save and
add another" keeps visit or call and moves the time on. The header is one row:
the icon-only badges are in the menu with their names, and a tab bar at the
bottom leads to Home, Visits due, Daily report and Complaints. At 1440 px
none of this shows.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, PHONE, confirm_click
from tests.factories import make_customer, make_daily_report, make_entry

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NAMES = [
    "上海远航物流",
    "苏州恒达商贸",
    "杭州顺达仓储",
    "南京长江运输",
    "宁波港联货代",
    "无锡锡华机电",
]


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def six_entry_report(staff_a, unit_a, yesterday):
    report = make_daily_report(staff_a, day=yesterday)
    for n, name in enumerate(NAMES):
        customer = make_customer(unit_a, name=name, visiting_person=staff_a)
        make_entry(
            report,
            customer,
            kind="visit" if n % 2 == 0 else "call",
            at=f"{9 + n}:00",
            opinions="客户希望增加一趟华东干线班车，并询问冷链仓储报价" * 2,
            market="竞争对手推出仓配一体化套餐，报价低约20%",
            handling="已约定下周上门详谈，报价单三日内发出",
        )
    return report


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_a_six_entry_report_on_a_phone_is_rows_with_submit_in_reach(
    journey, staff_a, six_entry_report
):
    j = journey(PHONE)
    page = j.login("staff_a", then=six_entry_report.get_absolute_url())
    weekday = "一二三四五六日"[six_entry_report.date.weekday()]
    day = f"{six_entry_report.date.month}月{six_entry_report.date.day}日 周{weekday}"
    assert day in page.locator("h1").inner_text()

    rows = page.locator(".entry-card")
    assert rows.count() == 6
    # Each entry is one line: its name, visit or call, the time; the texts wait for a tap.
    for n in range(6):
        assert rows.nth(n).bounding_box()["height"] < 60
        assert not rows.nth(n).locator(".card-body").is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1700, height

    bar = page.locator(".report-actionbar")
    assert "已填 6 条" in bar.inner_text()
    assert in_viewport(page, bar.get_by_role("button", name="提交"))
    assert in_viewport(page, bar.get_by_role("link", name="新增记录"))
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("report-rows")

    toggle = rows.nth(2).locator(".entry-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    rows.nth(2).locator(".card-header").click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert rows.nth(2).locator(".card-body").is_visible()
    assert "竞争对手推出仓配一体化套餐" in rows.nth(2).inner_text()
    assert rows.nth(2).get_by_role("link", name="编辑").is_visible()
    j.check_accessibility()
    j.shot("report-row-open")
    rows.nth(2).locator(".entry-toggle").click()
    assert not rows.nth(2).locator(".card-body").is_visible()

    # The bar's Submit asks first, then sends the report.
    confirm_click(bar.get_by_role("button", name="提交"))
    page.get_by_text("日报表已提交给主管。").wait_for()
    assert "已提交" in page.locator("h1").inner_text()
    assert page.locator(".report-actionbar").count() == 0
    j.shot("report-submitted")
    assert not j.console_errors, j.console_errors


def test_save_and_add_another_keeps_the_call_and_moves_the_time_on(
    journey, staff_a, unit_a, yesterday
):
    report = make_daily_report(staff_a, day=yesterday)
    first = make_customer(unit_a, name="上海远航物流", visiting_person=staff_a)
    second = make_customer(unit_a, name="苏州恒达商贸", visiting_person=staff_a)
    j = journey(PHONE)
    page = j.login("staff_a", then=f"/visits/reports/{report.pk}/entries/new/")

    bar = page.locator(".entry-form-actions")
    assert "已填 0 条" in bar.inner_text()
    for name in ("保存记录", "保存并继续新增", "提交"):
        assert in_viewport(page, bar.get_by_role("button", name=name)), name
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("entry-form")

    page.fill("input[name=customer]", first.code)
    page.locator("label[for=id_kind_1]").click()
    page.fill("input[name=time]", "09:10")
    page.fill("textarea[name=handling]", "电话确认下周提货时间，已安排车辆")
    bar.get_by_role("button", name="保存并继续新增").click()
    page.get_by_text("上海远航物流 的记录已保存。").wait_for()
    assert page.is_checked("#id_kind_1")
    assert page.input_value("input[name=time]") == "09:40"
    assert page.input_value("input[name=customer]") == ""
    assert "已填 1 条" in page.locator(".entry-form-actions").inner_text()
    j.shot("entry-another-kept-call")

    page.fill("input[name=customer]", second.code)
    page.fill("textarea[name=handling]", "客户确认对账单无误")
    confirm_click(page.locator(".entry-form-actions").get_by_role("button", name="提交"))
    page.get_by_text("日报表已提交给主管。").wait_for()
    assert re.search(rf"/visits/reports/{report.pk}/$", page.url)  # ?saved= dropped
    assert "已提交" in page.locator("h1").inner_text()
    assert page.locator(".entry-card").count() == 2
    assert "苏州恒达商贸" in page.locator(".entry-card").nth(1).inner_text()
    j.check_accessibility()
    j.shot("submitted-from-entry-form")
    assert not j.console_errors, j.console_errors


def test_the_header_is_one_row_with_badges_in_the_menu_and_a_tab_bar(journey, manager_a):
    j = journey(PHONE)
    page = j.login("manager_a")
    navbar = page.locator(".app-navbar")
    assert navbar.bounding_box()["height"] < 70
    badges = page.locator(".nav-badges a.nav-badge")
    assert badges.count() >= 1
    assert all(not badges.nth(n).is_visible() for n in range(badges.count()))
    tabs = page.locator(".app-tabbar")
    assert tabs.is_visible()
    assert tabs.locator(".nav-link").all_inner_texts() == ["首页", "待巡访", "日报", "投诉"]
    assert tabs.get_by_role("link", name="首页").get_attribute("aria-current") == "page"
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("header-one-row")

    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.show:not(.collapsing)").wait_for()
    labels = page.locator(".nav-badge-menu .nav-link").all_inner_texts()
    titles = [badges.nth(n).get_attribute("title") for n in range(badges.count())]
    assert len(labels) == len(titles)
    for label, title in zip(labels, titles, strict=True):
        assert title in label
    j.check_accessibility()
    j.shot("menu-with-badge-labels")
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav:not(.show):not(.collapsing)").wait_for(state="attached")

    tabs.get_by_role("link", name="待巡访").click()
    page.wait_for_url("**/visits/due/")
    assert (
        page.locator(".app-tabbar").get_by_role("link", name="待巡访").get_attribute("aria-current")
        == "page"
    )
    j.shot("tab-due")

    desk = journey(DESKTOP, suffix="desktop")
    page = desk.login("manager_a")
    assert not page.locator(".app-tabbar").is_visible()
    assert all(
        page.locator(".nav-badges a.nav-badge").nth(n).is_visible() for n in range(badges.count())
    )
    assert not page.locator(".nav-badge-menu").is_visible()
    desk.shot("desktop-header")
    assert not j.console_errors and not desk.console_errors
