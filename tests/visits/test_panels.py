"""Role home panels, the review badge and the customer card section."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from crm_site.context_processors import resolve_badge_counts
from tests.factories import make_daily_report, make_entry, make_visit
from visits import panels, services

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_staff_home_shows_todays_report_status_and_what_is_due(
    client, staff_a, report_a, customer_a, customer_d
):
    make_entry(report_a, customer_a)
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert "今日日报表" in html
    assert "已填 1 条" in html
    assert customer_d.name in html  # due this week
    assert "/visits/reports/new/" in html


def test_staff_home_says_when_todays_report_is_not_started(client, staff_a, customer_a):
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert "未开始" in html


def test_supervisor_home_shows_reports_waiting_and_the_units_compliance(
    client, supervisor_a, staff_a, customer_a
):
    report = make_daily_report(staff_a, timezone.localdate() - timedelta(days=1))
    make_entry(report, customer_a, needs_escalation=True, escalation_reason="需经理决定")
    services.daily_report_submit(report=report, actor=staff_a)
    client.force_login(supervisor_a)
    response = client.get("/")
    html = response.content.decode()
    assert "待审阅的日报表" in html
    panel = next(p for p in response.context["home_panels"] if "waiting_count" in p)
    assert (panel["waiting_count"], panel["flagged_count"]) == (1, 1)
    assert panel["total"]["customers"] == 1


def test_staff_do_not_get_the_supervisor_panel_nor_supervisors_the_staff_panel(
    staff_a, supervisor_a
):
    assert panels.supervisor_home_panel(request_for(staff_a)) is None
    assert panels.staff_home_panel(request_for(supervisor_a)) is None
    assert panels.review_badge(request_for(staff_a)) is None


@pytest.mark.usefixtures("report_a_submitted")
def test_the_review_badge_counts_reports_waiting(supervisor_a):
    badge = panels.review_badge(request_for(supervisor_a))
    resolve_badge_counts([badge])
    assert badge["count"] == 1 and badge["url"] == "/visits/reports/review/"


def test_customer_card_section_lists_visits_and_entries_newest_first_with_cadence(
    staff_a, customer_a
):
    old = make_daily_report(staff_a, timezone.localdate() - timedelta(days=40))
    make_entry(old, customer_a, effect="上次拜访效果", at="09:00")
    report = make_daily_report(staff_a)
    make_entry(report, customer_a, effect="这次拜访效果", at="08:00")
    call = make_visit(customer_a, staff_a, kind="call", note="确认报价")
    section = panels.customer_card_section(request_for(staff_a), customer_a)
    assert section["template"] == "visits/partials/_customer_card_visits.html"
    assert [e.effect for e in section["entries"]] == ["这次拜访效果", "上次拜访效果"]
    assert section["visits"][0].occurred_at >= section["visits"][1].occurred_at
    assert call in section["visits"]
    status = section["status"]
    assert status.visits.required == 3 and status.visits.done == 1
    html = render_to_string(
        section["template"], {"section": section, "request": request_for(staff_a)}
    )
    assert html.index("这次拜访效果") < html.index("上次拜访效果")
    assert "本月走访 1/3" in html
    assert "确认报价" in html
    assert "待办" in html or "逾期" in html


def test_customer_card_section_of_an_ungraded_customer_says_so(staff_a, unit_a):
    from tests.factories import make_customer

    ungraded = make_customer(unit_a, grade="", visiting_person=staff_a)
    section = panels.customer_card_section(request_for(staff_a), ungraded)
    assert section["status"] is None
    html = render_to_string(
        section["template"], {"section": section, "request": request_for(staff_a)}
    )
    assert "尚未分级" in html
