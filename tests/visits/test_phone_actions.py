"""The entry form's phone bar: "save and add another" keeps visit or call and moves
the time on; "submit" saves the entry and submits the report in one tap."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import entry_form_data, make_daily_report, make_entry
from visits.models import DailyReport
from visits.views.reports import _next_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def yesterdays_report(staff_a):
    return make_daily_report(staff_a, timezone.localdate() - timedelta(days=1))


def test_save_and_add_another_keeps_the_call_and_moves_the_time_half_an_hour_on(
    client, staff_a, yesterdays_report, customer_a
):
    client.force_login(staff_a)
    url = reverse("visits:entry_new", args=[yesterdays_report.pk])
    data = entry_form_data(customer_a, kind="call", time="09:10", effect="客户满意", then="another")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(url + "?saved=")
    assert "kind=call" in response["Location"] and "time=09%3A40" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'value="call" autocomplete="off" checked' in page
    assert 'value="09:40"' in page
    assert "已填 1 条" in page


def test_the_next_time_never_passes_midnight_nor_now_on_todays_report(staff_a, report_a):
    past = make_daily_report(staff_a, timezone.localdate() - timedelta(days=2))
    assert _next_time(past, time(23, 50)) == time(23, 50)
    assert _next_time(past, time(9, 0)) == time(9, 30)
    now = timezone.localtime().replace(second=0, microsecond=0)
    earlier = (now - timedelta(minutes=10)).time()
    if (now - timedelta(minutes=10)).date() == now.date():
        assert _next_time(report_a, earlier) == now.time()


def test_submit_in_the_bar_saves_the_entry_and_submits_the_report(
    client, staff_a, yesterdays_report, customer_a
):
    client.force_login(staff_a)
    url = reverse("visits:entry_new", args=[yesterdays_report.pk])
    response = client.post(url, entry_form_data(customer_a, effect="客户满意", then="submit"))
    assert response["Location"].startswith(yesterdays_report.get_absolute_url() + "?saved=")
    yesterdays_report.refresh_from_db()
    assert yesterdays_report.status == DailyReport.Status.SUBMITTED
    assert yesterdays_report.entries.count() == 1
    assert "日报表已提交给主管。" in client.get(response["Location"]).content.decode()


def test_submit_from_an_untouched_form_submits_the_entries_already_saved(
    client, staff_a, yesterdays_report, customer_a
):
    make_entry(yesterdays_report, customer_a)
    client.force_login(staff_a)
    url = reverse("visits:entry_new", args=[yesterdays_report.pk])
    response = client.post(
        url, {"customer": "", "kind": "visit", "time": "09:00", "then": "submit"}
    )
    assert response["Location"] == yesterdays_report.get_absolute_url()
    yesterdays_report.refresh_from_db()
    assert yesterdays_report.status == DailyReport.Status.SUBMITTED


def test_submit_from_a_form_with_an_error_saves_nothing_and_says_why(
    client, staff_a, yesterdays_report, customer_a
):
    client.force_login(staff_a)
    url = reverse("visits:entry_new", args=[yesterdays_report.pk])
    response = client.post(url, entry_form_data(customer_a, then="submit"))
    assert response.status_code == 200
    assert "请至少填写一项巡访内容" in response.content.decode()
    yesterdays_report.refresh_from_db()
    assert yesterdays_report.status == DailyReport.Status.DRAFT


def test_the_report_page_shows_the_day_the_chinese_way_and_the_phone_bar(
    client, staff_a, yesterdays_report, customer_a
):
    make_entry(yesterdays_report, customer_a)
    client.force_login(staff_a)
    page = client.get(yesterdays_report.get_absolute_url()).content.decode()
    day = yesterdays_report.date
    weekday = "一二三四五六日"[day.weekday()]
    assert f"日报表 {day.month}月{day.day}日 周{weekday}" in page or (
        f"日报表 {day.year}年{day.month}月{day.day}日 周{weekday}" in page
    )
    assert "已填 1 条" in page
    assert 'form="report-submit-form"' in page


def test_the_phone_tab_bar_links_the_four_daily_pages(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("home")).content.decode()
    tabbar = page[page.index('class="app-tabbar') :]
    tabbar = tabbar[: tabbar.index("</nav>")]
    for label, url in (
        ("首页", reverse("home")),
        ("待巡访", reverse("visits:due")),
        ("日报", reverse("visits:report_list")),
        ("投诉", reverse("complaints:list")),
    ):
        assert f'href="{url}"' in tabbar and f"<span>{label}</span>" in tabbar
