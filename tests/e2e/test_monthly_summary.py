"""In a real browser: the monthly summary draws its charts under the CSP, passes the
accessibility check, fits a phone, and the supervisor submits it."""

import pytest

from reports import services
from tests.e2e.conftest import DESKTOP, PHONE
from tests.reports.conftest import OCTOBER, october  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def summary(october, unit_a):  # noqa: F811
    return services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary


def test_the_supervisor_reads_the_summary_with_its_charts_and_submits_it(
    journey, summary, supervisor_a, manager_a
):
    j = journey(viewport=DESKTOP)
    j.login("supervisor_a")
    page = j.goto(summary.get_absolute_url())
    page.wait_for_selector("#chart-grades canvas")
    page.wait_for_selector("#chart-trend canvas")
    assert page.locator("#kpi-compliance").inner_text() == "34.9%"
    j.check_accessibility()
    j.shot("summary")
    page.fill("textarea[name=commentary]", "十月走访基本到位，电话回访需加强。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_selector("#commentary-text")
    assert "已提交" in page.locator(".summary-status").first.inner_text()
    assert not j.console_errors, j.console_errors
    j.shot("submitted")


def test_on_a_phone_the_summary_and_the_list_fit_the_screen(journey, summary, manager_a):
    j = journey(viewport=PHONE)
    j.login("manager_a")
    for path in ("/reports/monthly/", summary.get_absolute_url()):
        page = j.goto(path)
        page.wait_for_load_state("networkidle")
        j.assert_no_horizontal_scroll()
        j.check_accessibility()
        j.shot(path.strip("/").replace("/", "-"))
    assert not j.console_errors, j.console_errors
