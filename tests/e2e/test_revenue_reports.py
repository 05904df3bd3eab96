"""In a real browser: the supervisor reads the unit's quarterly big-customer
revenue report (the table with its subtotals and total, the customers that came
in and fell out) and the completed analysis tables; staff read their own big
customers' monthly report on a phone. Every page passes the accessibility check,
and on a phone nothing is wider than the screen."""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.reports.test_big_customer_revenue import book  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_supervisor_reads_the_quarterly_report_and_the_analysis_tables(
    journey,
    supervisor_a,
    unit_a,
    book,  # noqa: F811
):
    j = journey(viewport=DESKTOP)
    j.login("supervisor_a")
    page = j.goto(f"/reports/revenue/big-customers/?kind=quarter&period=2026Q3&unit={unit_a.pk}")
    assert page.locator(".report-total .total-amount").inner_text() == "7,500,000.00"
    assert "大客户收入报表（季报）" in page.locator("#report-title").inner_text()
    assert "Y01" in page.locator("#entered").inner_text()
    assert "Z01" in page.locator("#left").inner_text()
    assert "编制" in page.locator(".sign-off").inner_text()
    j.check_accessibility()
    j.shot("quarterly")
    page = j.goto("/reports/analysis/?year=2026")
    for section in ("#region-names", "#sales", "#card-summary"):
        assert page.locator(section).count() == 1
    j.check_accessibility()
    j.shot("analysis")
    assert not j.console_errors, j.console_errors


def test_staff_read_their_monthly_report_on_a_phone(journey, staff_a, book):  # noqa: F811
    j = journey(viewport=PHONE)
    j.login("staff_a")
    page = j.goto("/reports/revenue/big-customers/?kind=month&period=2026-09")
    table = page.locator(".big-customer-table").inner_text()
    assert "X01" in table and "Y01" not in table
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("monthly-phone")
    assert not j.console_errors, j.console_errors
