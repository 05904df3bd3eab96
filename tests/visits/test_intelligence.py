"""The market and competitor intelligence register (/visits/intelligence/) and
the competitor tags staff set on a daily-report entry (issue 12)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    entry_form_data,
    make_customer,
    make_daily_report,
    make_entry,
    make_region,
    make_user,
)
from visits.intelligence import split_competitor_names
from visits.models import Competitor, DailyReportEntry, EntryCompetitor

pytestmark = pytest.mark.django_db

URL = reverse("visits:intelligence")


def rows(response) -> list[str]:
    """The market texts listed on the page, in order."""
    return [e.market for e in response.context["page_obj"].object_list]


def entry_post(customer, **overrides):
    return (
        entry_form_data(
            customer, market="顺丰对整车降价5%，德邦推出仓配套餐", competitors="顺丰, 德邦、顺丰"
        )
        | overrides
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def east(db):
    return make_region(code="EAST", name="华东区")


@pytest.fixture
def south(db):
    return make_region(code="SOUTH", name="华南区")


@pytest.fixture
def notes(unit_a, unit_b, staff_a, staff_a2, staff_b, east, south, today):
    """This month's market notes: two of staff_a's, one of staff_a2's, one of
    unit B's; plus an entry without a market note and one of last month."""
    c_east = make_customer(unit_a, name="上海远航", region=east, visiting_person=staff_a)
    c_south = make_customer(unit_a, name="广州恒达", region=south, visiting_person=staff_a)
    c_a2 = make_customer(unit_a, name="杭州新风", region=east, visiting_person=staff_a2)
    c_b = make_customer(unit_b, name="深圳南方", region=south, visiting_person=staff_b)
    report = make_daily_report(staff_a, today)
    make_entry(report, c_east, at="09:00", market="顺丰整车降价5%", competitors=("顺丰",))
    make_entry(report, c_south, at="10:00", market="德邦推出免费上门揽收", competitors=("德邦",))
    make_entry(report, c_south, kind="call", at="11:00", market="", opinions="只有意见")
    make_entry(make_daily_report(staff_a2, today), c_a2, at="09:30", market="园区新进两家快运")
    make_entry(make_daily_report(staff_b, today), c_b, at="09:00", market="华南同行涨价")
    last_month = today.replace(day=1) - timedelta(days=3)
    make_entry(make_daily_report(staff_a, last_month), c_east, market="上月的行情")
    return {"east": c_east, "south": c_south}


# --- tags on the entry ---------------------------------------------------------


def test_competitor_names_are_split_on_chinese_and_latin_separators_and_kept_once():
    assert split_competitor_names(" 顺丰, 德邦、中通；SF  Express，sf express\n顺丰 ") == [
        "顺丰",
        "德邦",
        "中通",
        "SF Express",
    ]
    assert split_competitor_names("") == []


def test_staff_tag_competitors_when_they_write_the_entry(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    client.force_login(staff_a)
    response = client.post(reverse("visits:entry_new", args=[report.pk]), entry_post(customer))
    assert response.status_code == 302
    entry = DailyReportEntry.objects.get(report=report)
    assert sorted(c.name for c in entry.competitors.all()) == ["德邦", "顺丰"]


def test_editing_the_tags_replaces_them_and_reuses_a_name_whatever_its_case(
    client, staff_a, unit_a, today
):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    entry = make_entry(report, customer, market="SF 降价", competitors=("SF Express", "德邦"))
    client.force_login(staff_a)
    data = entry_post(customer, market="SF 又降价", competitors="sf express")
    data["form_token"] = str(entry.form_token)
    response = client.post(reverse("visits:entry_edit", args=[report.pk, entry.pk]), data)
    assert response.status_code == 302
    assert [c.name for c in entry.competitors.all()] == ["SF Express"]
    assert Competitor.objects.filter(name__iexact="sf express").count() == 1
    # The edit form shows the tags back.
    page = client.get(reverse("visits:entry_edit", args=[report.pk, entry.pk]))
    assert page.context["form"].initial["competitors"] == "SF Express"


def test_too_many_tags_are_refused_in_chinese_and_nothing_is_saved(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    client.force_login(staff_a)
    data = entry_post(customer, competitors="甲,乙,丙,丁,戊,己")
    response = client.post(reverse("visits:entry_new", args=[report.pk]), data)
    assert response.status_code == 200
    assert "每条记录最多标记 5 个竞争对手" in response.content.decode()
    assert not DailyReportEntry.objects.filter(report=report).exists()
    assert not Competitor.objects.exists()


def test_a_tag_needs_the_market_note_it_is_about(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    client.force_login(staff_a)
    data = entry_post(customer, market="", opinions="客户希望降价", competitors="顺丰")
    response = client.post(reverse("visits:entry_new", args=[report.pk]), data)
    assert "请写下所标记竞争对手的动向" in response.content.decode()
    assert not DailyReportEntry.objects.filter(report=report).exists()


def test_a_resent_entry_form_does_not_tag_twice(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    client.force_login(staff_a)
    data = entry_post(customer)
    client.post(reverse("visits:entry_new", args=[report.pk]), data)
    client.post(reverse("visits:entry_new", args=[report.pk]), data)
    assert DailyReportEntry.objects.filter(report=report).count() == 1
    assert EntryCompetitor.objects.count() == 2


def test_the_report_page_shows_the_tags_linked_to_the_register(client, staff_a, notes, today):
    client.force_login(staff_a)
    report = staff_a.daily_reports.get(date=today)
    page = client.get(report.get_absolute_url()).content.decode()
    assert f"{URL}?competitor=%E9%A1%BA%E4%B8%B0" in page  # 顺丰


# --- the register: scope ---------------------------------------------------------


def test_staff_see_only_their_own_notes_of_this_month_newest_first(client, staff_a, notes):
    client.force_login(staff_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows(response) == ["德邦推出免费上门揽收", "顺丰整车降价5%"]


def test_a_supervisor_sees_the_units_notes_and_not_the_other_units(client, supervisor_a, notes):
    client.force_login(supervisor_a)
    assert sorted(rows(client.get(URL))) == sorted(
        ["德邦推出免费上门揽收", "顺丰整车降价5%", "园区新进两家快运"]
    )


def test_a_manager_of_both_units_and_an_admin_see_both(client, unit_a, unit_b, admin_user, notes):
    manager = make_user("manager", [unit_a, unit_b])
    for user in (manager, admin_user):
        client.force_login(user)
        assert len(rows(client.get(URL))) == 4


def test_the_other_units_supervisor_cannot_filter_on_unit_a(client, supervisor_b, unit_a, notes):
    client.force_login(supervisor_b)
    response = client.get(URL, {"unit": unit_a.pk})
    assert rows(response) == []
    assert "请选择您所在的营业单位" in response.content.decode()


def test_staff_get_no_unit_filter(client, staff_a, notes):
    client.force_login(staff_a)
    assert "unit" not in client.get(URL).context["form"].fields


# --- the register: filters ---------------------------------------------------------


def test_filter_by_region(client, supervisor_a, notes, south):
    client.force_login(supervisor_a)
    assert rows(client.get(URL, {"region": south.pk})) == ["德邦推出免费上门揽收"]


def test_filter_by_competitor_name_whatever_its_case(client, supervisor_a, notes):
    client.force_login(supervisor_a)
    assert rows(client.get(URL, {"competitor": "顺丰"})) == ["顺丰整车降价5%"]
    make_entry(
        make_daily_report(supervisor_a, timezone.localdate()),
        notes["east"],
        market="SF 新线路",
        competitors=("SF Express",),
    )
    assert rows(client.get(URL, {"competitor": " sf   EXPRESS "})) == ["SF 新线路"]


def test_an_unknown_competitor_says_so_in_chinese(client, supervisor_a, notes):
    client.force_login(supervisor_a)
    response = client.get(URL, {"competitor": "不存在的公司"})
    assert rows(response) == []
    assert "还没有记录标记过竞争对手“不存在的公司”" in response.content.decode()


def test_search_in_the_text(client, supervisor_a, notes):
    client.force_login(supervisor_a)
    response = client.get(URL, {"q": "上门"})
    assert rows(response) == ["德邦推出免费上门揽收"]
    assert "<mark>上门</mark>" in response.content.decode()


def test_the_search_text_is_escaped_when_highlighted(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    make_entry(make_daily_report(staff_a, today), customer, market="<b>降价</b> 对手")
    client.force_login(staff_a)
    page = client.get(URL, {"q": "降价"}).content.decode()
    assert "&lt;b&gt;<mark>降价</mark>&lt;/b&gt;" in page


def test_a_date_range_reaches_last_month_and_empty_dates_mean_all_time(
    client, staff_a, notes, today
):
    client.force_login(staff_a)
    last_month = today.replace(day=1) - timedelta(days=3)
    response = client.get(URL, {"date_from": last_month.isoformat(), "date_to": last_month})
    assert rows(response) == ["上月的行情"]
    assert len(rows(client.get(URL, {"date_from": "", "date_to": ""}))) == 3


def test_an_end_before_the_start_is_refused_in_chinese(client, staff_a, notes):
    client.force_login(staff_a)
    response = client.get(URL, {"date_from": "2026-10-10", "date_to": "2026-10-01"})
    assert rows(response) == []
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_pages_keep_the_month_the_page_opened_on(client, staff_a, unit_a, today):
    customer = make_customer(unit_a, visiting_person=staff_a)
    for day in range(30):
        make_entry(
            make_daily_report(staff_a, date(2020, 1, 1) + timedelta(days=day)),
            customer,
            market=f"旧行情{day}",
        )
    report = make_daily_report(staff_a, today)
    for n in range(27):
        other = make_customer(unit_a, visiting_person=staff_a)
        make_entry(report, other, market=f"本月行情{n}")
    client.force_login(staff_a)
    first = client.get(URL)
    assert first.context["page_obj"].paginator.count == 27
    second = client.get(f"{URL}?{first.context['query_string']}&page=2")
    assert len(rows(second)) == 2
    assert all(text.startswith("本月行情") for text in rows(second))


# --- fixed number of queries -----------------------------------------------------


def test_the_register_costs_the_same_queries_for_3_or_25_rows(
    client, supervisor_a, unit_a, staff_a, today, django_assert_num_queries
):
    report = make_daily_report(staff_a, today)
    region = make_region()
    for n in range(3):
        c = make_customer(unit_a, region=region, visiting_person=staff_a)
        make_entry(report, c, market=f"行情{n}", competitors=(f"对手{n}", "顺丰"))
    client.force_login(supervisor_a)
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(URL))) == 3
    for n in range(3, 25):
        c = make_customer(unit_a, region=make_region(), visiting_person=staff_a)
        make_entry(report, c, market=f"行情{n}", competitors=(f"对手{n}",))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(URL))) == 25


def test_the_text_search_ignores_letter_case_and_wildcards_for_everyone(
    client, staff_a, admin_user, unit_a, today
):
    customer = make_customer(unit_a, visiting_person=staff_a)
    report = make_daily_report(staff_a, today)
    make_entry(report, customer, market="SF Express 降价 10%")
    make_entry(report, customer, kind="call", market="德邦降价百分之十")
    for user in (staff_a, admin_user):  # staff: strpos over their rows; admin: the index
        client.force_login(user)
        assert rows(client.get(URL, {"q": "sf express"})) == ["SF Express 降价 10%"]
        assert rows(client.get(URL, {"q": "10%", "date_from": "", "date_to": ""})) == [
            "SF Express 降价 10%"
        ]
        assert rows(client.get(URL, {"q": "%", "date_from": "", "date_to": ""})) == [
            "SF Express 降价 10%"
        ]
