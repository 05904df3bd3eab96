"""Big-customer revenue reports (大客户月、季、年收入报表) at
/reports/revenue/big-customers/ and their .xlsx.

Under the shipped rule and CRM_BIG_CUSTOMER_BANDS=2 the big-customer floor is
the second-highest revenue band, 500 万元: a rolling 12 months of at least
CNY 5,000,000. The book, unit A (figures by hand):

- X (visited by 张三): 500,000 a month from 2025-07 to 2026-09; rolling 12 at
  2026-09 and at 2026-06 both 6,000,000: big all along.
- Y (visited by 李四): 2,000,000 in each of 2026-07..09; rolling at 2026-09
  6,000,000, at 2026-06 nothing: became a big customer in 2026Q3.
- Z (visited by 张三): 1,000,000 a month from 2025-07 to 2025-12; rolling at
  2026-06 6,000,000 (big), at 2026-09 3,000,000: fell out in 2026Q3.
- S (visited by 张三): 100,000 a month all along: never big.
Unit B: W (visited by 王五), 1,000,000 a month from 2025-10: big.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_site.core import months
from crm_site.core.models import AuditLog
from customers import grading
from customers.revenue.models import MonthlyTurnover
from reports import big_customers
from tests.factories import make_customer

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("reports:big_customers")
EXPORT = reverse("reports:big_customers_export")


def turnover(customer, first: date, last: date, amount) -> None:
    month = first
    while month <= last:
        MonthlyTurnover.objects.create(customer=customer, month=month, amount=D(amount))
        month = months.shift(month, 1)


@pytest.fixture
def book(unit_a, unit_b, staff_a, staff_a2, staff_b):
    x = make_customer(unit_a, code="X01", name="鑫达制造", visiting_person=staff_a, grade="A")
    y = make_customer(unit_a, code="Y01", name="远航电商", visiting_person=staff_a2, grade="B")
    z = make_customer(unit_a, code="Z01", name="正泰贸易", visiting_person=staff_a, grade="B")
    s = make_customer(unit_a, code="S01", name="小商户", visiting_person=staff_a, grade="D")
    w = make_customer(unit_b, code="W01", name="华南物流", visiting_person=staff_b, grade="A")
    turnover(x, date(2025, 7, 1), date(2026, 9, 1), 500_000)
    turnover(y, date(2026, 7, 1), date(2026, 9, 1), 2_000_000)
    turnover(z, date(2025, 7, 1), date(2025, 12, 1), 1_000_000)
    turnover(s, date(2025, 7, 1), date(2026, 9, 1), 100_000)
    turnover(w, date(2025, 10, 1), date(2026, 9, 1), 1_000_000)
    return {"x": x, "y": y, "z": z, "s": s, "w": w}


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def codes(report) -> list[str]:
    return [line.code for group in report.groups for line in group.lines]


# --- pure parts ----------------------------------------------------------------------


def test_the_big_customer_floor_is_the_lower_bound_of_the_rules_top_bands():
    rule = grading.Rule.from_definition(grading.DEFAULT_DEFINITION)
    assert rule.big_customer_floor(1) == D("1000")
    assert rule.big_customer_floor(2) == D("500")
    assert rule.big_customer_floor(99) == D("10")  # every band
    assert rule.big_customer_floor(0) is None
    assert rule.band_of(D("750")) == 1
    assert rule.band_of(D("5")) == -1


def test_periods_read_as_month_quarter_or_year_and_know_the_one_before():
    quarter = big_customers.period_parse("quarter", "2026Q3")
    assert (quarter.start, quarter.end) == (date(2026, 7, 1), date(2026, 9, 1))
    assert quarter.previous().end == date(2026, 6, 1)
    assert big_customers.period_parse("year", "2026").end == date(2026, 12, 1)
    assert big_customers.period_parse("month", "2026-09").year_before().start == date(2025, 9, 1)
    assert big_customers.period_parse("quarter", "2026Q5") is None
    assert big_customers.period_parse("month", "September") is None


# --- figures -------------------------------------------------------------------------


def test_a_supervisor_sees_the_units_big_customers_by_visiting_person_for_a_month(
    client, supervisor_a, unit_a, book
):
    response = get(client, supervisor_a, kind="month", period="2026-09", unit=unit_a.pk)
    report = response.context["report"]
    assert response.status_code == 200
    assert report.floor_wan == D("500")
    assert [(g.person, [line.code for line in g.lines]) for g in report.groups] == [
        ("张三", ["X01"]),
        ("李四", ["Y01"]),
    ]
    x = report.groups[0].lines[0]
    assert (x.amount, x.last_year, x.rolling, x.change) == (
        D("500000"),
        D("500000"),
        D("6000000"),
        D("0.0"),
    )
    assert report.totals.customers == 2
    assert report.totals.amount == D("2500000")  # 500,000 + 2,000,000
    assert report.totals.last_year == D("500000")  # Y had nothing in 2025-09
    assert report.totals.rolling == D("12000000")
    assert report.groups[1].lines[0].change is None
    page = response.content.decode()
    assert "2,500,000.00" in page
    assert "上年同期（元）" in page and "同比（%）" in page and "近12个月营业额（元）" in page


def test_the_quarterly_report_lists_who_became_and_who_stopped_being_a_big_customer(
    client, supervisor_a, unit_a, book
):
    response = get(client, supervisor_a, kind="quarter", period="2026Q3", unit=unit_a.pk)
    report = response.context["report"]
    assert codes(report) == ["X01", "Y01"]
    assert report.totals.amount == D("7500000")  # X 3 × 500,000 + Y 3 × 2,000,000
    assert report.totals.last_year == D("1500000")  # X in 2025Q3
    assert [line.code for line in report.entered] == ["Y01"]
    assert [line.code for line in report.left] == ["Z01"]
    assert report.left[0].rolling == D("3000000")
    assert (report.left[0].person, report.left[0].band) == ("张三", "≥ 200")  # 300 万元 now
    assert "review-link" in response.content.decode()


def test_the_annual_report_sums_the_year_against_the_year_before(
    client, supervisor_a, unit_a, book
):
    report = get(client, supervisor_a, kind="year", period="2026", unit=unit_a.pk).context["report"]
    assert codes(report) == ["X01", "Y01"]
    assert report.totals.amount == D("10500000")  # X 9 × 500,000 + Y 6,000,000
    assert report.totals.last_year == D("3000000")  # X 6 × 500,000 in 2025
    assert not report.entered and not report.left  # only the quarterly report reviews


def test_without_a_period_the_report_opens_on_the_latest_month_of_turnover(
    client, supervisor_a, book
):
    report = get(client, supervisor_a).context["report"]
    assert report.period.label == "2026-09"


# --- scope -----------------------------------------------------------------------------


def test_staff_see_only_the_big_customers_they_visit(client, staff_a, staff_a2, unit_a, book):
    response = get(client, staff_a, kind="quarter", period="2026Q3")
    report = response.context["report"]
    assert "review-link" not in response.content.decode()  # the reviews are supervisors'
    assert codes(report) == ["X01"]
    assert [line.code for line in report.left] == ["Z01"]
    assert report.entered == []  # Y is 李四's
    assert codes(get(client, staff_a2, kind="month", period="2026-09").context["report"]) == ["Y01"]


def test_another_units_report_is_not_found(
    client, staff_b, supervisor_a, manager_a, unit_a, unit_b, book
):
    assert get(client, staff_b, unit=unit_a.pk).status_code == 404
    assert get(client, supervisor_a, unit=unit_b.pk).status_code == 404
    assert get(client, manager_a, unit=unit_b.pk).status_code == 404
    client.force_login(supervisor_a)
    assert client.get(EXPORT, {"unit": unit_b.pk}).status_code == 404


def test_a_manager_sees_their_unit_and_an_admin_any(
    client, manager_b, admin_user, unit_a, unit_b, book
):
    assert codes(get(client, manager_b, kind="month", period="2026-09").context["report"]) == [
        "W01"
    ]
    report = get(client, admin_user, kind="month", period="2026-09", unit=unit_a.pk).context[
        "report"
    ]
    assert codes(report) == ["X01", "Y01"]


def test_a_user_without_a_role_may_not_open_the_report(client, django_user_model, book):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-1234567")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_a_period_that_does_not_read_is_refused_with_the_form(client, supervisor_a, book):
    response = get(client, supervisor_a, kind="quarter", period="2026Q7")
    assert response.status_code == 400
    assert response.context["report"] is None


def test_a_unit_without_big_customers_shows_the_empty_table(client, supervisor_a, unit_a, book):
    response = get(client, supervisor_a, kind="month", period="2024-01", unit=unit_a.pk)
    assert response.context["report"].groups == []
    assert response.context["report"].totals.amount == 0


# --- the .xlsx -------------------------------------------------------------------------


def rows_of(response) -> list[tuple]:
    wb = load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
        if response.streaming
        else io.BytesIO(response.content)
    )
    return [tuple(row) for row in wb.active.iter_rows(values_only=True)]


def test_the_export_is_laid_out_like_the_paper_report_and_its_totals_equal_the_page(
    client, supervisor_a, unit_a, book
):
    params = {"kind": "quarter", "period": "2026Q3", "unit": unit_a.pk}
    page = get(client, supervisor_a, **params).context["report"]
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows[0][0] == "大客户收入报表（季报）"
    flat = [str(v) for row in rows for v in row if v is not None]
    assert "华东营业部" in flat and "2026Q3" in flat
    assert "同比（%）" in next(row for row in rows if row[0] == "巡访专员")
    totals = [row for row in rows if row[0] == "合计"]
    assert len(totals) == 1
    assert (totals[0][4], totals[0][5], totals[0][7]) == (
        page.totals.amount,
        page.totals.last_year,
        page.totals.rolling,
    )
    subtotals = [row[4] for row in rows if row[0] == "小计"]
    assert sum(subtotals) == page.totals.amount
    customer_codes = [row[1] for row in rows]
    assert customer_codes.count("Y01") == 2  # in the table and among the new big customers
    assert customer_codes.count("Z01") == 1  # among those that fell out
    assert any(str(v).startswith("编制") and "赵主管" in str(v) for v in flat)
    assert any(str(v).startswith("审核") for v in flat)
    assert AuditLog.objects.filter(action="reports.big_customer_export").count() == 1


def test_a_staff_export_holds_only_their_customers(client, staff_a, unit_a, book):
    client.force_login(staff_a)
    rows = rows_of(client.get(EXPORT, {"kind": "month", "period": "2026-09"}))
    assert [row[1] for row in rows if row[1] in {"X01", "Y01", "Z01", "W01"}] == ["X01"]
    total = next(row for row in rows if row[0] == "合计")
    assert total[4] == 500000


def test_the_report_costs_the_same_queries_for_a_small_or_a_larger_book(
    client, supervisor_a, unit_a, staff_a, book, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"kind": "quarter", "period": "2026Q3", "unit": unit_a.pk}
    get(client, supervisor_a, **params)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, params)
    for n in range(15):
        big = make_customer(unit_a, code=f"N{n:02d}", visiting_person=staff_a, grade="A")
        turnover(big, date(2025, 10, 1), date(2026, 9, 1), 600_000)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL, params).context["report"].totals.customers == 17


def test_the_report_is_paged_while_its_totals_and_export_hold_every_customer(
    client, supervisor_a, unit_a, staff_a, book, monkeypatch
):
    from reports import revenue_views

    monkeypatch.setattr(revenue_views, "BIG_CUSTOMER_ROWS_PER_PAGE", 4)
    extra = [
        make_customer(unit_a, code=f"N{n:02d}", visiting_person=staff_a, grade="A")
        for n in range(4)
    ]
    for customer in extra:
        turnover(customer, date(2025, 10, 1), date(2026, 9, 1), 600_000)
    params = {"kind": "month", "period": "2026-09", "unit": unit_a.pk}

    def shown(page):
        response = get(client, supervisor_a, **params, page=page)
        assert response.status_code == 200
        parts = response.context["page_groups"]
        lines = [(p.group.person, [line.code for line in p.lines], p.ends) for p in parts]
        return response, lines

    first, lines = shown(1)
    # 张三's five customers by rolling 12 months (N.. 7.2M, then X01 6M), then 李四's Y01.
    assert lines == [("张三", ["N00", "N01", "N02", "N03"], False)]
    html = first.content.decode()
    assert "小计" not in html  # 张三's subtotal comes with his last line, on page 2
    assert (
        "第 1 / 2 页" in html
        and f"kind=month&amp;period=2026-09&amp;unit={unit_a.pk}&amp;page=2" in html
    )
    second, lines = shown(2)
    assert lines == [("张三", ["X01"], True), ("李四", ["Y01"], True)]
    # The subtotal is the person's over every page; the total is the unit's on every page.
    zhang = second.context["page_groups"][0].group.totals
    assert (zhang.customers, zhang.amount) == (5, D("2900000"))
    for response in (first, second):
        report = response.context["report"]
        assert (report.totals.customers, report.totals.amount) == (6, D("4900000"))
        assert "4,900,000.00" in response.content.decode()
    # Past the last page: the last page.
    assert shown(9)[1] == lines
    # The .xlsx holds every customer, not a page.
    rows = rows_of(client.get(EXPORT, params))
    codes_in_file = [row[1] for row in rows if row[1] in {"X01", "Y01", "N00", "N01", "N02", "N03"}]
    assert sorted(codes_in_file) == ["N00", "N01", "N02", "N03", "X01", "Y01"]
    assert next(row for row in rows if row[0] == "合计")[4] == 4900000
