"""In a real browser at phone width: typing autosaves to the server; "log a call" stays on the page."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer, make_daily_report, make_visit
from visits.models import EntryDraft, Visit

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


@pytest.fixture
def a_customer(staff_a, unit_a):
    return make_customer(unit_a, name="上海远航物流", grade="A", visiting_person=staff_a)


@pytest.fixture
def d_customer_visited(staff_a, unit_a):
    """Grade D, visited this month: only this week's call is due."""
    customer = make_customer(unit_a, name="苏州恒达商贸", grade="D", visiting_person=staff_a)
    make_visit(customer, staff_a, kind="visit", occurred_at=timezone.now())
    return customer


@pytest.fixture
def phone(live_server, client, staff_a, browser):
    """A 390 px wide Chromium page signed in as staff_a (set up the data before it)."""
    client.force_login(staff_a)
    cookie = client.cookies["sessionid"].value
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def report_today(staff_a):
    return make_daily_report(staff_a)


def test_typing_an_entry_saves_a_draft_that_comes_back_after_the_tab_is_closed(
    a_customer, report_today, phone
):
    url = phone.base + reverse("visits:entry_new", args=[report_today.pk])
    phone.goto(url)
    phone.fill("input[name=customer]", a_customer.code)
    phone.fill("textarea[name=opinions]", "客户希望下月增加一趟干线班车")
    phone.click("label[for=id_needs_escalation]")
    phone.fill("textarea[name=escalation_reason]", "竞争对手报价低20%")
    deadline = time.monotonic() + 15

    def drafted():
        return [d.data for d in EntryDraft.objects.filter(report=report_today)]

    def complete(data):
        # Wait for the last field typed too: autosave is debounced.
        return "干线" in data.get("opinions", "") and "20%" in data.get("escalation_reason", "")

    while not any(complete(data) for data in in_thread(drafted)):
        assert time.monotonic() < deadline, "the draft never reached the server"
        time.sleep(0.2)
    assert phone.evaluate("document.documentElement.scrollWidth") == 390
    phone.goto("about:blank")  # the tab is gone
    phone.goto(url)
    assert phone.input_value("textarea[name=opinions]") == "客户希望下月增加一趟干线班车"
    assert phone.is_checked("input[name=needs_escalation]")
    assert phone.input_value("textarea[name=escalation_reason]") == "竞争对手报价低20%"


def test_log_a_call_updates_the_row_without_leaving_the_page(d_customer_visited, phone):
    customer = d_customer_visited
    due = phone.base + reverse("visits:due")
    phone.goto(due)
    phone.click(f"#due-{customer.pk} form.js-log-call button")
    phone.wait_for_selector("#due-toast:not(.d-none)")
    assert phone.url == due
    assert phone.locator(f"#due-{customer.pk}").count() == 0
    calls = in_thread(lambda: Visit.objects.filter(customer=customer, kind="call").count())
    assert calls == 1
