"""Service-level surveys (客户服务水平调查单): recording one from the card or a
visit, the card's latest survey and trend, the per-unit figures and their .xlsx."""

import io
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm_site.core.models import AuditLog
from customers.models import CustomerChange
from customers.voice.models import SURVEY_FIELDS, ServiceSurvey
from tests.factories import (
    make_customer,
    make_daily_report,
    make_entry,
    make_service_survey,
    make_visit,
)

pytestmark = pytest.mark.django_db


def survey_post(score=6, **overrides):
    data = dict.fromkeys(SURVEY_FIELDS, str(score))
    data |= {
        "surveyed_on": timezone.localdate().isoformat(),
        "respondent": "王经理",
        "form_token": str(uuid.uuid4()),
    }
    return data | overrides


def scores(survey) -> list[int]:
    return [getattr(survey, name) for name in SURVEY_FIELDS]


# --- recording ---------------------------------------------------------------------------


def test_staff_record_a_survey_from_the_customer_card(client, staff_a, mine):
    client.force_login(staff_a)
    card = client.get(mine.get_absolute_url()).content.decode()
    create_url = reverse("customers:survey_create", args=[mine.pk])
    assert create_url in card
    page = client.get(create_url).content.decode()
    # The paired statements and the seed's seven-point scale.
    for text in [
        "订单处理快捷",
        "订单处理缓慢",
        "送货中时有货物损坏",
        "非常好",
        "稍微差",
        "非常差",
    ]:
        assert text in page, text
    response = client.post(create_url, survey_post(score=6, logistics_info="2"))
    survey = ServiceSurvey.objects.get()
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    assert (survey.customer, survey.unit, survey.surveyed_by) == (mine, mine.unit, staff_a)
    assert survey.logistics_info == 2 and survey.order_handling == 6
    assert survey.respondent == "王经理"
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert "物流信息" in detail and "2 · 相当差" in detail and "6 · 相当好" in detail


def test_recording_a_survey_is_in_the_customer_history(client, staff_a, mine):
    client.force_login(staff_a)
    client.post(reverse("customers:survey_create", args=[mine.pk]), survey_post(score=4))
    change = CustomerChange.objects.get(customer=mine, kind=CustomerChange.Kind.VOICE)
    assert change.actor == staff_a
    card = client.get(mine.get_absolute_url()).content.decode()
    assert "已记录客户服务水平调查" in card and "平均分" in card


def test_a_survey_taken_on_a_daily_report_contact_links_to_its_visit(client, staff_a, mine):
    report = make_daily_report(staff_a)
    entry = make_entry(report, mine, kind="visit", at="09:30")
    client.force_login(staff_a)
    url = reverse("customers:survey_create", args=[mine.pk]) + f"?visit={entry.visit_id}"
    # The report page offers the survey for the entry's contact.
    assert url.replace("&", "&amp;") in client.get(report.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert "09:30" in page
    client.post(url, survey_post() | {"visit": str(entry.visit_id)})
    assert ServiceSurvey.objects.get().visit_id == entry.visit_id


def test_the_cards_recent_contacts_offer_a_survey_on_each_visit(client, staff_a, mine):
    visit = make_visit(mine, staff_a)
    client.force_login(staff_a)
    html = client.get(mine.get_absolute_url()).content.decode()
    url = reverse("customers:survey_create", args=[mine.pk]) + f"?visit={visit.pk}"
    assert url in html


def test_a_visit_to_another_customer_cannot_carry_the_survey(client, staff_a, mine, unit_a):
    other = make_customer(unit_a, code="S-A2", visiting_person=staff_a)
    visit = make_visit(other, staff_a)
    client.force_login(staff_a)
    url = reverse("customers:survey_create", args=[mine.pk]) + f"?visit={visit.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, survey_post()).status_code == 404
    assert not ServiceSurvey.objects.exists()


def test_an_unrated_item_gets_a_chinese_message_and_nothing_is_saved(client, staff_a, mine):
    client.force_login(staff_a)
    data = survey_post()
    del data["urgent_dispatch"]
    response = client.post(reverse("customers:survey_create", args=[mine.pk]), data)
    assert response.status_code == 200
    assert "请为“紧急发货”选择一个评价。" in response.content.decode()
    assert not ServiceSurvey.objects.exists()


def test_a_rating_off_the_scale_is_refused(client, staff_a, mine):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:survey_create", args=[mine.pk]), survey_post(order_handling="9")
    )
    assert "请为“订单处理”在七个评价中选择一个。" in response.content.decode()
    assert not ServiceSurvey.objects.exists()


def test_a_survey_dated_in_the_future_is_refused(client, staff_a, mine):
    client.force_login(staff_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("customers:survey_create", args=[mine.pk]), survey_post(surveyed_on=tomorrow)
    )
    assert "日期不能晚于今天。" in response.content.decode()
    assert not ServiceSurvey.objects.exists()
    assert not CustomerChange.objects.filter(kind=CustomerChange.Kind.VOICE).exists()


def test_sending_the_same_survey_twice_records_it_once(client, staff_a, mine):
    client.force_login(staff_a)
    data = survey_post()
    url = reverse("customers:survey_create", args=[mine.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert ServiceSurvey.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert CustomerChange.objects.filter(kind=CustomerChange.Kind.VOICE).count() == 1


def test_staff_cannot_survey_a_customer_they_do_not_serve(client, staff_a2, mine):
    client.force_login(staff_a2)
    url = reverse("customers:survey_create", args=[mine.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, survey_post()).status_code == 404
    assert not ServiceSurvey.objects.exists()


def test_another_units_supervisor_cannot_open_a_survey(client, supervisor_b, staff_a, mine):
    survey = make_service_survey(mine, staff_a)
    client.force_login(supervisor_b)
    assert client.get(survey.get_absolute_url()).status_code == 404


# --- the card ------------------------------------------------------------------------------


def test_the_card_shows_the_latest_survey_and_the_trend(client, staff_a, mine):
    today = timezone.localdate()
    make_service_survey(mine, staff_a, score=3, surveyed_on=today - timedelta(days=60))
    make_service_survey(mine, staff_a, score=5, surveyed_on=today, staff_attitude=7)
    client.force_login(staff_a)
    response = client.get(mine.get_absolute_url())
    section = next(s for s in response.context["sections"] if "latest" in s)
    assert section["latest"].surveyed_on == today
    assert [p["average"] for p in section["trend"]] == [3.0, 5.22]
    html = response.content.decode()
    assert "最近一次服务水平调查" in html
    assert "7 · 非常好" in html  # staff attitude in the latest survey
    assert "▲2.22" in html


def test_a_card_without_surveys_says_so(client, staff_a, mine):
    client.force_login(staff_a)
    html = client.get(mine.get_absolute_url()).content.decode()
    assert "尚无服务水平调查。" in html


# --- the per-unit figures ----------------------------------------------------------------


@pytest.fixture
def surveyed(staff_a, staff_b, mine, theirs):
    """Unit A: two surveys this month, logistics information the weakest item;
    unit B: one survey, every item 1."""
    today = timezone.localdate()
    make_service_survey(mine, staff_a, score=6, logistics_info=2, surveyed_on=today)
    make_service_survey(mine, staff_a, score=4, logistics_info=3, surveyed_on=today)
    make_service_survey(theirs, staff_b, score=1, surveyed_on=today)
    return today


def _figures(client, **params):
    response = client.get(reverse("customers:survey_report"), params)
    assert response.status_code == 200
    return response.context["figures"], response.content.decode()


def test_the_unit_page_puts_the_weakest_item_first(client, supervisor_a, surveyed):
    client.force_login(supervisor_a)
    figures, html = _figures(client)
    assert figures["count"] == 2
    first = figures["items"][0]
    assert (first["code"], first["average"], first["weak"]) == ("logistics_info", 2.5, True)
    assert {i["average"] for i in figures["items"][1:]} == {5.0}
    assert html.index("物流信息的提供及时准确") < html.index("订单处理快捷")
    assert 'id="survey-chart-data"' in html
    assert "echarts.min.js" in html and "cdn" not in html.lower()


def test_the_unit_page_averages_each_item_per_month(client, supervisor_a, staff_a, mine):
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    make_service_survey(mine, staff_a, score=3, surveyed_on=last_month)
    make_service_survey(mine, staff_a, score=5, surveyed_on=today)
    make_service_survey(mine, staff_a, score=6, surveyed_on=today)
    client.force_login(supervisor_a)
    figures, html = _figures(client)
    rows = {m["month"]: m for m in figures["months"]}
    assert rows[last_month.replace(day=1)]["values"]["order_handling"] == 3.0
    assert rows[today.replace(day=1)]["values"]["order_handling"] == 5.5
    assert rows[today.replace(day=1)]["count"] == 2
    assert f"{today:%Y-%m}" in html and "5.50" in html


def test_each_role_sees_the_figures_of_its_own_units(
    client, staff_a, supervisor_b, manager_a, admin_user, unit_a, surveyed
):
    client.force_login(staff_a)
    assert client.get(reverse("customers:survey_report")).status_code == 403
    client.force_login(supervisor_b)
    assert _figures(client)[0]["count"] == 1
    # Naming another unit does not widen the scope.
    assert _figures(client, unit=unit_a.pk)[0]["count"] == 1
    client.force_login(manager_a)
    assert _figures(client)[0]["count"] == 2
    client.force_login(admin_user)
    assert _figures(client)[0]["count"] == 3
    assert _figures(client, unit=unit_a.pk)[0]["count"] == 2


def test_the_period_filters_the_figures(client, supervisor_a, staff_a, mine):
    make_service_survey(mine, staff_a, surveyed_on=date(2025, 3, 10))
    make_service_survey(mine, staff_a, surveyed_on=date(2025, 5, 10))
    client.force_login(supervisor_a)
    figures, _html = _figures(client, start="2025-03-01", end="2025-03-31")
    assert figures["count"] == 1
    assert [m["month"] for m in figures["months"]] == [date(2025, 3, 1)]


def test_a_period_ending_before_it_starts_gets_a_chinese_message(client, supervisor_a):
    client.force_login(supervisor_a)
    _figures_, html = _figures(client, start="2025-05-01", end="2025-03-01")
    assert "起始日期不能晚于截止日期。" in html


def test_the_export_holds_the_figures_of_the_page_with_its_filters(
    client, supervisor_a, admin_user, unit_a, surveyed
):
    client.force_login(supervisor_a)
    month = f"{surveyed:%Y-%m}"
    params = {"unit": unit_a.pk, "start": surveyed.replace(day=1).isoformat()}
    response = client.get(reverse("customers:survey_export"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    items, months = book.worksheets
    rows = list(items.iter_rows(values_only=True))
    assert rows[0][1] == unit_a.name
    assert rows[2][:2] == ("调查数", 2)
    header = rows.index(("调查项目", "好的一端", "差的一端", "平均分（7 = 非常好）", "薄弱"))
    assert rows[header + 1][:4] == ("物流信息", "物流信息的提供及时准确", "物流信息服务差", 2.5)
    month_rows = list(months.iter_rows(values_only=True))
    assert month_rows[0][:3] == ("月份", "调查数", "物流信息")
    assert month_rows[1][:3] == (month, 2, 2.5)
    entry = AuditLog.objects.get(action="customers.survey_export")
    assert entry.data["surveys"] == 2 and entry.data["filters"]["unit"] == str(unit_a.pk)
    client.force_login(admin_user)
    assert "服务水平调查统计已导出" in client.get(reverse("audit_log")).content.decode()


def test_staff_cannot_export_the_figures(client, staff_a, surveyed):
    client.force_login(staff_a)
    assert client.get(reverse("customers:survey_export")).status_code == 403
    assert not AuditLog.objects.filter(action="customers.survey_export").exists()


def test_the_card_costs_the_same_queries_with_one_survey_or_many(client, staff_a, mine):
    make_service_survey(mine, staff_a)
    client.force_login(staff_a)
    client.get(mine.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(mine.get_absolute_url())
    for days in range(1, 12):
        make_service_survey(mine, staff_a, surveyed_on=timezone.localdate() - timedelta(days=days))
    with CaptureQueriesContext(connection) as many:
        client.get(mine.get_absolute_url())
    assert len(many) == len(one)


def test_the_customer_list_leads_supervisors_to_the_figures_and_everyone_to_enterprise_surveys(
    client, staff_a, supervisor_a
):
    report = f'href="{reverse("customers:survey_report")}"'
    enterprise = f'href="{reverse("customers:enterprise_survey_list")}"'
    client.force_login(staff_a)
    html = client.get(reverse("customers:list")).content.decode()
    assert enterprise in html and report not in html
    client.force_login(supervisor_a)
    html = client.get(reverse("customers:list")).content.decode()
    assert enterprise in html and report in html
