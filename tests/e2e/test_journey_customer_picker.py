"""The customer picker as people use it in the field, and the complaint search.

On a 390 px phone a staff member types part of a customer's name on today's
report, taps a suggestion (code, city, grade, main contact) and saves. At
1440 px the list works by keyboard (arrows, Enter, Escape, aria-activedescendant)
on the complaint form, and a name two customers share is refused with both
codes and cities. On a phone the complaint register's search box is in view
without opening the filters: a few digits find the complaint ending in them, a
full number opens it.
"""

import re

import pytest

from complaints.defaults import defaults_ensure
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_complaint, make_contact, make_customer, make_daily_report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def book(unit_a, staff_a):
    defaults_ensure()
    haichuan = make_customer(
        unit_a,
        code="JS-0025",
        name="苏州海川服饰有限公司",
        grade="B",
        address="苏州市工业园区星湖街125号",
        visiting_person=staff_a,
    )
    make_contact(haichuan, name="王建国", is_primary=True)
    hengtong = make_customer(
        unit_a,
        code="JS-0031",
        name="苏州恒通电子科技有限公司",
        grade="A",
        address="苏州市吴中区东吴北路88号",
        visiting_person=staff_a,
    )
    make_contact(hengtong, name="李晓燕", is_primary=True)
    return {"haichuan": haichuan, "hengtong": hengtong}


def open_list(page, typed: str):
    field = page.locator("input[name=customer]")
    field.click()
    field.press_sequentially(typed, delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    return field, listbox


def test_on_a_phone_a_suggestion_is_tapped_and_the_entry_saved(journey, staff_a, book):
    report = make_daily_report(staff_a)
    j = journey(PHONE, touch=True)
    page = j.login("staff_a", then=f"/visits/reports/{report.pk}/entries/new/")
    field, listbox = open_list(page, "海川")
    option = listbox.get_by_role("option").first
    assert "JS-0025" in option.inner_text() and "苏州海川服饰有限公司" in option.inner_text()
    assert "苏州" in option.inner_text() and "王建国" in option.inner_text()
    assert "等级：" in option.inner_text()
    assert field.get_attribute("aria-expanded") == "true"
    box = option.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb hits it
    j.assert_no_horizontal_scroll()
    j.shot("suggestions")
    option.tap()
    assert page.input_value("input[name=customer]") == "JS-0025 · 苏州海川服饰有限公司"
    assert listbox.is_hidden()
    page.fill("textarea[name=opinions]", "客户希望旺季增加提货频次")
    j.shot("picked")
    page.get_by_role("button", name="保存记录").click()
    page.get_by_text("苏州海川服饰有限公司 的记录已保存。").wait_for()
    j.shot("saved")
    assert not j.console_errors, j.console_errors


def test_at_a_desk_the_list_works_by_keyboard_and_a_shared_name_is_refused(
    journey, staff_a, unit_a, book
):
    make_customer(
        unit_a,
        code="SH-0107",
        name="苏州海川服饰有限公司",
        address="上海市浦东新区张江路8号",
        visiting_person=staff_a,
    )
    j = journey(DESKTOP)
    page = j.login("staff_a", then="/complaints/new/")
    field, listbox = open_list(page, "苏州")
    options = listbox.get_by_role("option")
    assert options.count() == 3
    field.press("ArrowDown")
    first = options.nth(0)
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    field.press("ArrowDown")
    second = options.nth(1)
    assert field.get_attribute("aria-activedescendant") == second.get_attribute("id")
    j.check_accessibility()
    j.shot("keyboard")
    field.press("Enter")
    assert page.input_value("input[name=customer]") == "JS-0031 · 苏州恒通电子科技有限公司"
    assert listbox.is_hidden()
    assert re.search(r"/complaints/new/$", page.url)  # Enter picked; it did not submit

    field.fill("")
    open_list(page, "JS-00")
    field.press("Escape")
    assert listbox.is_hidden() and field.get_attribute("aria-expanded") == "false"

    # A name two of her customers share: the form says so and names both.
    field.fill("苏州海川服饰有限公司")
    field.press("Escape")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("domcontentloaded")
    error = page.locator("text=多家名为“苏州海川服饰有限公司”的客户")
    error.wait_for()
    assert "JS-0025（苏州）" in error.inner_text() and "SH-0107（上海）" in error.inner_text()
    j.shot("ambiguous-name")
    # What she typed is kept, to be corrected to a code.
    assert page.input_value("input[name=customer]") == "苏州海川服饰有限公司"
    assert not j.console_errors, j.console_errors


def test_on_a_phone_the_complaint_search_is_in_view_and_finds_by_number(journey, staff_a, book):
    from django.utils import timezone

    from complaints.models import ComplaintSequence

    year = timezone.localdate().year
    ComplaintSequence.objects.update_or_create(year=year, defaults={"last": 25})
    wanted = make_complaint(book["haichuan"], by=staff_a)
    ComplaintSequence.objects.update_or_create(year=year, defaults={"last": 122})
    other = make_complaint(book["hengtong"], by=staff_a)
    j = journey(PHONE)
    page = j.login("staff_a", then="/complaints/?reset=1")
    search = page.locator("#id_q")
    assert search.is_visible()
    assert page.locator("#complaint-filters").is_hidden()  # the other filters fold away
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("register")
    search.fill("26")
    search.press("Enter")
    page.wait_for_url(re.compile(r".*q=26"))
    numbers = page.locator(".complaint-register tbody a.fw-semibold").all_inner_texts()
    assert numbers == [wanted.number], numbers
    assert other.number not in page.content()
    j.shot("found-by-digits")
    search.fill(wanted.number)
    search.press("Enter")
    page.wait_for_url(re.compile(rf".*/complaints/{wanted.pk}/$"))
    assert wanted.number in page.locator("h1").inner_text()
    j.shot("opened-by-number")
    assert not j.console_errors, j.console_errors
