"""Nothing typed is lost, and a lost connection is said plainly (390 px phone).

1. A supervisor writes a comment on an urgent report; the session expires
   before she sends it. The sign-in page says so and that the text is kept;
   signing in again opens the report (not a 405 page) with the comment
   restored ("已恢复未提交的草稿", 丢弃); sent, the draft is gone.
2. She raises an urgent report while the network is down: a notice at the top
   of the page says the network is down (not the login); saving keeps the
   report on the phone, and when the connection returns it is sent once and
   the notice says when.
"""

import re

import pytest
from django.contrib.sessions.models import Session

from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, make_urgent_report
from visits.models import UrgentReport

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COMMENT = "已与客户电话沟通，对方同意下周三面谈，届时带上新报价。"
TITLE = "同行推出夜间配送"


def wait_for_draft(page, text: str):
    """What was typed is on the device (saved a moment after typing)."""
    page.wait_for_function(
        "t => Object.keys(localStorage).some(k => k.startsWith('crm-draft:')"
        " && localStorage.getItem(k).includes(t))",
        arg=text,
    )


def test_a_comment_typed_before_the_session_expired_is_back_after_signing_in(
    journey, supervisor_a, unit_a
):
    report = make_urgent_report(unit_a, raised_by=supervisor_a)
    j = journey(PHONE)
    page = j.login("supervisor_a", then=report.get_absolute_url())
    form = page.locator("form[action$='/comment/']")
    form.locator("textarea").fill(COMMENT)
    wait_for_draft(page, COMMENT)
    j.shot("comment-typed")

    # The 30 minutes pass: the server forgets the session.
    Session.objects.all().delete()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/accounts/login/\?.*"))
    note = page.locator(".session-expired-note")
    assert note.inner_text().strip() == "登录已过期，请重新登录，您填写的内容已保存在本设备上"
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("login-expired")

    page.fill("input[name=username]", "supervisor_a")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(j.base + report.get_absolute_url())
    assert "405" not in page.content()
    restored = page.locator("form[action$='/comment/'] .draft-restored-note")
    assert "已恢复未提交的草稿" in restored.inner_text()
    assert restored.get_by_role("button", name="丢弃").is_visible()
    assert page.input_value("form[action$='/comment/'] textarea") == COMMENT
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("comment-restored")

    page.locator("form[action$='/comment/'] button[type=submit]").click()
    page.get_by_text("留言已添加。").wait_for()
    assert COMMENT in page.locator("body").inner_text()
    # Accepted: the copy on the device is gone, the form is empty again.
    page.reload()
    assert page.locator(".draft-restored-note").count() == 0
    assert page.input_value("form[action$='/comment/'] textarea") == ""
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('crm-draft:'))")
    j.shot("comment-sent")

    # Another draft, thrown away on purpose.
    page.fill("form[action$='/comment/'] textarea", "写错了的留言")
    wait_for_draft(page, "写错了的留言")
    page.reload()
    page.locator(".draft-restored-note").get_by_role("button", name="丢弃").click()
    assert page.input_value("form[action$='/comment/'] textarea") == ""
    page.reload()
    assert page.locator(".draft-restored-note").count() == 0
    assert not j.console_errors, j.console_errors


def test_a_report_saved_while_offline_is_sent_once_when_the_connection_returns(
    journey, supervisor_a, unit_a
):
    j = journey(PHONE)
    page = j.login("supervisor_a", then="/visits/urgent/new/")
    page.select_option("select[name=category]", "competitor_service")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=details]", "同行在园区推出夜间配送，客户询问我们是否跟进。")

    j.context.set_offline(True)
    notice = page.locator("#net-notice")
    notice.wait_for(state="visible")
    assert "网络连接已断开" in notice.inner_text()
    assert "登录已过期" not in notice.inner_text()
    # At the top of the screen, wherever the page is scrolled to.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert abs(notice.bounding_box()["y"]) < 2
    j.shot("offline-notice")

    page.locator("form.urgent-form button[type=submit]").click()
    notice.filter(has_text="已保存在本设备上").wait_for()
    assert page.url == j.base + "/visits/urgent/new/"  # not the browser's error page
    assert not UrgentReport.objects.filter(title=TITLE).exists()
    page.evaluate("window.scrollTo(0, 0)")
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("offline-kept")

    j.context.set_offline(False)
    notice.filter(has_text=re.compile(r"已于 \d\d:\d\d 提交")).wait_for()
    assert UrgentReport.objects.filter(title=TITLE).count() == 1
    assert page.input_value("input[name=title]") == ""  # the form is free for the next one
    j.check_accessibility()
    j.shot("online-sent")

    notice.get_by_role("link", name="查看结果").click()
    page.wait_for_url(re.compile(r".*/visits/urgent/\d+/$"))
    assert TITLE in page.locator("h1").inner_text()

    # Going offline and online again sends nothing more.
    j.context.set_offline(True)
    j.context.set_offline(False)
    page.reload()
    page.wait_for_timeout(500)
    assert UrgentReport.objects.filter(title=TITLE).count() == 1
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('crm-outbox:'))")
    assert not j.console_errors, j.console_errors


def test_the_daily_report_says_the_network_is_down_and_sends_the_entry_once_back_online(
    journey, staff_a, unit_a
):
    from tests.factories import make_customer, make_daily_report
    from visits.models import DailyReportEntry

    customer = make_customer(unit_a, name="宁波港联物流", visiting_person=staff_a)
    report = make_daily_report(staff_a)
    j = journey(PHONE)
    page = j.login("staff_a", then=f"/visits/reports/{report.pk}/entries/new/")
    page.fill("input[name=customer]", customer.code)
    page.fill("input[name=time]", "00:07")

    j.context.set_offline(True)
    page.fill("textarea[name=opinions]", "客户希望春节前增加两趟专线")
    status = page.locator(".autosave-status")
    status.filter(has_text="网络连接已断开").wait_for()
    assert "登录" not in status.inner_text()
    notice = page.locator("#net-notice")
    assert "网络连接已断开" in notice.inner_text()
    page.get_by_role("button", name="保存记录").click()
    notice.filter(has_text="已保存在本设备上").wait_for()
    assert not DailyReportEntry.objects.filter(report=report).exists()
    page.evaluate("window.scrollTo(0, 0)")
    j.check_accessibility()
    j.shot("entry-offline-kept")

    j.context.set_offline(False)
    notice.filter(has_text=re.compile(r"已于 \d\d:\d\d 提交")).wait_for()
    entries = DailyReportEntry.objects.filter(report=report)
    assert entries.count() == 1
    assert entries.get().opinions == "客户希望春节前增加两趟专线"
    j.shot("entry-online-sent")
    page.reload()
    page.wait_for_timeout(500)
    assert DailyReportEntry.objects.filter(report=report).count() == 1
    # Requests that met the dead network are the only errors.
    errors = [e for e in j.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert not errors, errors


def test_signing_out_forgets_the_drafts_on_the_device_an_expired_session_keeps_them(
    journey, supervisor_a, unit_a
):
    report = make_urgent_report(unit_a, raised_by=supervisor_a)
    j = journey(DESKTOP)
    page = j.login("supervisor_a", then=report.get_absolute_url())
    page.locator("form[action$='/comment/'] textarea").fill(COMMENT)
    wait_for_draft(page, COMMENT)
    page.goto(j.base + "/")
    # Signed out on purpose: the device may be shared, the draft goes.
    page.locator(".user-menu .dropdown-toggle").click()
    page.locator(".user-menu").get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('crm-draft:'))")
    page.fill("input[name=username]", "supervisor_a")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(j.base + "/")
    page.goto(j.base + report.get_absolute_url())
    assert page.locator(".draft-restored-note").count() == 0
    assert page.input_value("form[action$='/comment/'] textarea") == ""
    assert not j.console_errors, j.console_errors
