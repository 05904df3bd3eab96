"""Journeys of the visit calendar.

1. A staff member on a 390 px phone opens the calendar (today's day list),
   opens today's planned visit, starts its daily-report entry, saves it and
   submits the report: the planned visit turns done.
2. A supervisor at 1440 px opens a staff member's week and drags a planned
   visit to another day: the move is saved and recorded in its history.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, PHONE, confirm_click
from tests.factories import make_customer
from visits.models import PlannedContact

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_staff_starts_an_entry_from_a_planned_visit_on_a_phone(journey, staff_a, unit_a):
    customer = make_customer(unit_a, name="计划走访物流", grade="B", visiting_person=staff_a)
    planned = PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=timezone.localdate(), kind="visit"
    )
    j = journey(PHONE)
    j.login("staff_a")
    page = j.goto("/visits/calendar/")
    page.locator("#plan-calendar[data-ready='1']").wait_for()
    event = page.locator(".fc-list-event", has_text="计划走访物流")
    event.wait_for()
    assert page.locator(".fc-listDay-view").count() == 1
    j.assert_no_horizontal_scroll()
    j.shot("calendar-day-list")

    event.locator("a").first.click()
    page.wait_for_url(re.compile(rf".*/visits/calendar/contacts/{planned.pk}/$"))
    j.shot("planned-visit")
    page.locator("[data-testid=start-entry]").click()
    page.get_by_role("button", name="开始填写今日日报表").click()
    page.wait_for_url(re.compile(r".*/entries/new/.*"))
    assert customer.code in page.input_value("input[name=customer]")
    page.fill("textarea[name=effect]", "按计划走访，客户满意")
    j.shot("entry-prefilled")
    page.get_by_role("button", name="保存记录").click()
    page.wait_for_url(re.compile(r".*/visits/reports/\d+/(\?.*)?$"))
    page.get_by_text("计划走访物流 的记录已保存。").wait_for()
    confirm_click(page.locator(".submit-card button[type=submit]"))
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".submit-card").count() == 0
    j.shot("report-submitted")

    planned.refresh_from_db()
    assert planned.state == PlannedContact.State.DONE
    page = j.goto(planned.get_absolute_url())
    assert page.locator("[data-testid=contact-state]").inner_text().strip() != ""
    j.shot("planned-visit-done")
    assert not j.console_errors


def test_supervisor_drags_a_visit_to_another_day(journey, staff_a, supervisor_a, unit_a):
    customer = make_customer(unit_a, name="拖动客户仓储", grade="B", visiting_person=staff_a)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week
    source, target = monday + timedelta(days=1), monday + timedelta(days=3)
    planned = PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=source, kind="visit"
    )
    j = journey(DESKTOP)
    j.login("supervisor_a")
    page = j.goto(f"/visits/calendar/?person={staff_a.pk}&week={source.isoformat()}")
    page.locator("#plan-calendar[data-ready='1']").wait_for()
    event = page.locator(".fc-daygrid-event", has_text="拖动客户仓储")
    event.wait_for()
    j.shot("week-before")

    cell = page.locator(f"td.fc-day[data-date='{target.isoformat()}'] .fc-daygrid-day-frame")
    start, end = event.bounding_box(), cell.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x0 + (x1 - x0) * step / 20, y0 + (y1 - y0) * step / 20)
    page.mouse.up()
    page.locator(
        f"td.fc-day[data-date='{target.isoformat()}'] .fc-daygrid-event", has_text="拖动客户仓储"
    ).wait_for()
    page.wait_for_function("() => !document.querySelector('#plan-calendar-error:not(.d-none)')")
    for _ in range(50):
        planned.refresh_from_db()
        if planned.day == target:
            break
        page.wait_for_timeout(100)
    assert planned.day == target and planned.moved
    j.shot("week-after")

    page = j.goto(planned.get_absolute_url())
    history = page.locator("[data-testid=contact-history]").inner_text()
    assert f"{source.isoformat()} → {target.isoformat()}" in history
    j.shot("history")
    assert not j.console_errors
