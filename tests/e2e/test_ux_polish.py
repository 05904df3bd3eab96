"""Journey: what makes the daily work comfortable — a list that remembers its
filters, a question before a report is sent back, a busy button while it goes."""

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_complaint, make_customer, make_daily_report, make_entry

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_customer_list_remembers_its_filters_until_reset(journey, staff_a, unit_a, viewport):
    make_customer(unit_a, name="上海远航物流", status="active", visiting_person=staff_a)
    make_customer(unit_a, name="苏州恒达商贸", status="lost", visiting_person=staff_a)
    j = journey(viewport=viewport)
    j.login("staff_a")
    page = j.goto("/customers/?status=lost")
    assert "苏州恒达商贸" in page.content() and "上海远航物流" not in page.content()

    j.goto("/")  # elsewhere, then back to the list by its plain address
    page = j.goto("/customers/")
    assert page.url.endswith("/customers/?status=lost")
    note = page.locator(".sticky-filters-note")
    assert "上次" in note.inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("filters-restored")

    note.get_by_role("link", name="清除筛选").click()
    page.wait_for_url("**/customers/")
    assert "上海远航物流" in page.content() and "苏州恒达商贸" in page.content()
    j.goto("/customers/")
    assert page.url.endswith("/customers/")
    assert not j.console_errors, j.console_errors


def test_returning_a_report_asks_first_and_the_button_shows_it_is_busy(
    journey, staff_a, supervisor_a, unit_a
):
    from visits import services
    from visits.models import DailyReport

    customer = make_customer(unit_a, name="上海远航物流", visiting_person=staff_a)
    report = make_daily_report(staff_a, timezone.localdate())
    make_entry(report, customer)
    services.daily_report_submit(report=report, actor=staff_a)

    j = journey()
    j.login("supervisor_a")
    page = j.goto(report.get_absolute_url())
    page.get_by_label("审阅意见").fill("第二条记录缺少处理结果")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, accept=False))
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_timeout(0)
    assert questions == ["确定将该日报表退回给填报人修改吗？"]
    report.refresh_from_db()
    assert report.status == DailyReport.Status.SUBMITTED

    # What the button looks like once the form is on its way (kept across the
    # page change in sessionStorage; listeners run after app.js's own).
    page.evaluate(
        """() => document.addEventListener("submit", (e) => sessionStorage.setItem(
            "button", JSON.stringify({html: e.submitter.outerHTML, text: e.submitter.innerText,
                                      busy: e.submitter.getAttribute("aria-busy")})))"""
    )
    page.once("dialog", lambda d: answer(d, accept=True))
    with page.expect_navigation():
        page.get_by_role("button", name="退回修改").click()
    button = json.loads(page.evaluate("() => sessionStorage.getItem('button')"))
    assert button["busy"] == "true"
    assert "spinner-border" in button["html"] and "处理中" in button["text"]
    report.refresh_from_db()
    assert report.status == DailyReport.Status.RETURNED
    assert not j.console_errors, j.console_errors


def test_a_form_sent_back_with_errors_puts_the_keyboard_on_the_first_one(journey, staff_a):
    j = journey()
    j.login("staff_a")
    page = j.goto("/complaints/new/")
    with page.expect_navigation():
        page.locator("form.complaint-form button[type=submit]").first.click()
    assert page.locator(".is-invalid").count() >= 1
    focused = page.evaluate(
        "() => [document.activeElement.classList.contains('is-invalid'), document.activeElement.name]"
    )
    first = page.locator("main .is-invalid").first.get_attribute("name")
    assert focused == [True, first]
    page.keyboard.type("x")  # typing goes to the field, not the page
    assert not j.console_errors, j.console_errors


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_step_refused_as_a_whole_brings_its_reason_into_view(
    journey, viewport, staff_a, supervisor_a, unit_a
):
    """No field shows why the complaint may not be resolved yet (its claim is
    open): the reason is where the page opens, even on a phone, where the
    step's form is far below the complaint's facts."""
    from complaints import services
    from tests.complaints.claim_factories import make_claim

    customer = make_customer(unit_a, name="申通电子商行", visiting_person=staff_a)
    complaint = make_complaint(customer, by=staff_a, category="loss")
    services.complaint_start_investigation(complaint=complaint, actor=staff_a)
    services.complaint_propose(
        complaint=complaint,
        actor=supervisor_a,
        cause="分拨中心交接漏扫。",
        responsible_department="成都分拨中心",
        solution="按保价金额赔付。",
    )
    claim = make_claim(complaint, by=staff_a)

    j = journey(viewport=viewport)
    j.login("supervisor_a")
    page = j.goto(complaint.get_absolute_url())
    with page.expect_navigation():
        page.locator("#action-resolve button[type=submit]").click()
    refusal = page.locator("#action-resolve .alert-danger")
    assert claim.number in refusal.inner_text()
    expect(refusal).to_be_in_viewport()
    expect(refusal).to_be_focused()
    j.assert_no_horizontal_scroll()
    j.shot("refusal-in-view")
    assert not j.console_errors, j.console_errors
