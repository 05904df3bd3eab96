"""Journey: staff develop a prospect through its steps to an active customer;
the care-date page and home panel on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer, Prospect
from tests import factories as f
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_take_a_prospect_from_first_contact_to_customer(journey, staff_a, viewport):
    j = journey(viewport=viewport)
    page = j.login("staff_a")
    j.goto("/customers/development/")
    j.check_accessibility()
    page.get_by_role("link", name="登记潜在客户").click()
    page.fill("input[name=name]", "昆山精工模具有限公司")
    page.fill("input[name=key_people]", "物流经理 李女士")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/customers/development/*/")
    assert "已登记潜在客户" in page.content()
    j.check_accessibility()

    # Step 5 without the estimate is refused, with the rate it is recorded.
    page.select_option("select[name=step]", "5")
    page.get_by_role("button", name="记录步骤").click()
    page.wait_for_load_state()
    assert "请填写预估达成率。" in page.content()
    page.fill("input[name=success_rate]", "60")
    page.fill("textarea[name=note]", "对方认可方案")
    page.get_by_role("button", name="记录步骤").click()
    page.wait_for_load_state()
    assert page.locator("#prospect-rate").inner_text() == "60%"
    assert page.locator("#prospect-step").inner_text() == "预估达成率"
    j.assert_no_horizontal_scroll()
    j.shot("detail")

    page.get_by_role("link", name="转为客户").first.click()
    page.wait_for_url("**/convert/")
    j.check_accessibility()
    for name, value in (("growth_rating", "4"), ("credit_rating", "5")):
        page.select_option(f"select[name={name}]", value)
    page.select_option("select[name=margin_rating]", "3")
    page.select_option("select[name=overall_rating]", "4")
    page.fill("input[name=first_amount]", "12000")
    page.fill("textarea[name=how_won]", "现场演示后签订首单")
    page.fill("input[name=code]", "KS-0001")
    j.assert_no_horizontal_scroll()
    j.shot("convert")
    page.get_by_role("button", name="记录并转为活跃客户").click()
    page.wait_for_load_state()
    assert "已转为正式客户" in page.content()
    assert page.locator("#prospect-first-amount").inner_text() == "12000.00 元"
    j.check_accessibility()
    j.shot("won")
    customer = Customer.objects.get(code="KS-0001")
    assert customer.status == "active" and customer.visiting_person == staff_a
    assert Prospect.objects.get().customer == customer
    assert not j.console_errors, j.console_errors


def test_the_weeks_care_dates_on_a_phone(journey, staff_a, unit_a):
    customer = f.make_customer(unit_a, name="上海远航物流", visiting_person=staff_a)
    soon = timezone.localdate() + timedelta(days=3)
    f.make_contact(customer, name="林秀英", care_kind="birthday", care_date=soon.replace(year=1980))
    j = journey(viewport=PHONE)
    page = j.login("staff_a")
    panel = page.locator(".care-home-panel")
    assert "林秀英" in panel.inner_text()
    panel.get_by_role("link", name="全部关怀日期").click()
    page.wait_for_url("**/customers/care/**")
    assert "3 天后" in page.locator("table.care-list").inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("care")
    assert not j.console_errors, j.console_errors
