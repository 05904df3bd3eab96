"""In a real browser: staff record a service-level survey on a phone by tapping
the ratings; the supervisor reads the unit's figures with both charts drawn
under the CSP; the pages pass the accessibility check and fit a phone."""

import pytest
from django.utils import timezone

from customers.voice.models import ServiceSurvey
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_customer, make_service_survey

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mine(unit_a, staff_a):
    return make_customer(unit_a, code="V-A1", name="上海远航物流", visiting_person=staff_a)


def test_staff_record_a_survey_on_a_phone_and_the_card_shows_it(journey, staff_a, mine):
    j = journey(viewport=PHONE)
    j.login("staff_a")
    page = j.goto(f"/customers/{mine.pk}/surveys/new/")
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    # Tap "相当好" for every item, then "相当差" for logistics information.
    for label in page.locator(".survey-scale label.score-6").all():
        label.click()
    page.locator("#item-logistics_info label.score-2").click()
    j.shot("filled")
    page.get_by_role("button", name="保存调查").click()
    page.wait_for_selector(".survey-scores")
    survey = ServiceSurvey.objects.get()
    assert (survey.order_handling, survey.logistics_info) == (6, 2)
    page = j.goto(mine.get_absolute_url())
    assert "2 · 相当差" in page.locator("#voice").inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("card")
    for path in (
        f"/customers/{mine.pk}/watch/new/",
        "/customers/surveys/enterprise/new/",
        "/customers/surveys/enterprise/",
    ):
        j.goto(path)
        j.assert_no_horizontal_scroll()
        j.check_accessibility()
    assert not j.console_errors, j.console_errors


def test_the_supervisor_reads_the_figures_with_their_charts(journey, staff_a, supervisor_a, mine):
    make_service_survey(mine, staff_a, score=6, timed_delivery=2)
    make_service_survey(mine, staff_a, score=5, surveyed_on=timezone.localdate().replace(day=1))
    j = journey(viewport=DESKTOP)
    j.login("supervisor_a")
    page = j.goto("/customers/surveys/")
    page.wait_for_selector("#chart-survey-items canvas")
    page.wait_for_selector("#chart-survey-months canvas")
    first = page.locator(".survey-items-table tbody tr").first.inner_text()
    assert "指定时间配送" in first and "3.50" in first
    j.check_accessibility()
    j.shot("figures")
    assert not j.console_errors, j.console_errors
    phone = journey(viewport=PHONE, suffix="phone")
    phone.login("supervisor_a")
    phone.goto("/customers/surveys/").wait_for_selector("#chart-survey-items canvas")
    phone.assert_no_horizontal_scroll()
    phone.shot("figures")
    assert not phone.console_errors, phone.console_errors
