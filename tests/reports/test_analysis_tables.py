"""The completed analysis tables on /reports/analysis/ and its .xlsx: the
客户区域分析表 customer by customer (name, 经营性质, 销售产品数量, sign-off), the
客户销售分析表 (year × product × address) and the 客户资料卡 summary.

The book (figures by hand). Unit A:
- 甲 (华东区, manufacturer): services 上游供应端供货运输, 通关服务 (transport) and
  拣货 (warehousing): 3 products; turnover 2026-01 100,000 and 2026-02 50,000,
  and 999 in 2025-12;
- 乙 (华东区, retailer): 上游供应端供货运输: 1 product; 2026-03 200,000;
- 丙 (华南区, e-commerce): 拣货 only: 1 product; 2026-01 300,000;
- 丁 (no region, other): no service, no turnover.
Unit B: 戊 (华南区): 通关服务, 2026-01 1,000,000 (another unit's).

2026, transport, unit A: 上游供应端供货运输 × 华东区 = 350,000 (甲 + 乙), 通关服务 ×
华东区 = 150,000 (甲); the total counts each customer once: 350,000.
客户资料卡 2026: 华东区 2 customers 350,000 (53.8 %), 华南区 1 300,000 (46.2 %),
no region 1 and 0; 4 customers, 650,000.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import LogisticsService
from customers.revenue.models import MonthlyTurnover
from tests.factories import make_customer, make_region

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("reports:analysis")
EXPORT = reverse("reports:analysis_export")


def services(customer, *codes):
    customer.services.set(LogisticsService.objects.filter(code__in=codes))


def money(customer, month: date, amount) -> None:
    MonthlyTurnover.objects.create(customer=customer, month=month, amount=D(amount))


@pytest.fixture
def book(unit_a, unit_b):
    east = make_region(code="E", name="华东区")
    south = make_region(code="S", name="华南区")
    jia = make_customer(unit_a, name="甲公司", region=east, nature="manufacturer")
    yi = make_customer(unit_a, name="乙公司", region=east, nature="retailer")
    bing = make_customer(unit_a, name="丙公司", region=south, nature="ecommerce")
    ding = make_customer(unit_a, name="丁公司", region=None, nature="other")
    wu = make_customer(unit_b, name="戊公司", region=south, nature="trading")
    services(jia, "upstream-supply", "customs", "picking")
    services(yi, "upstream-supply")
    services(bing, "picking")
    services(wu, "customs")
    money(jia, date(2026, 1, 1), 100_000)
    money(jia, date(2026, 2, 1), 50_000)
    money(jia, date(2025, 12, 1), 999)
    money(yi, date(2026, 3, 1), 200_000)
    money(bing, date(2026, 1, 1), 300_000)
    money(wu, date(2026, 1, 1), 1_000_000)
    return {"east": east, "south": south, "ding": ding}


def open_as(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_region_table_lists_each_customer_with_nature_and_number_of_products(
    client, supervisor_a, book
):
    response = open_as(client, supervisor_a)
    names = {row["name"]: row for row in response.context["names"]}
    assert set(names) == {"甲公司", "乙公司", "丙公司", "丁公司"}  # not unit B's 戊公司
    assert names["甲公司"]["products"] == 3
    assert names["甲公司"]["nature_label"] == "生产企业"
    assert names["乙公司"]["products"] == 1 and names["丁公司"]["products"] == 0
    page = response.content.decode()
    assert "客户区域分析表" in page and "经营性质" in page and "销售产品数量" in page
    assert "编制" in page and "填写" in page and "审核" in page
    assert "比率（%）" in page and "客户销售分析表" in page and "客户资料卡摘要" in page


def test_the_sales_table_gives_a_years_turnover_by_product_and_address(client, supervisor_a, book):
    sales = open_as(client, supervisor_a, year=2026, category="transport").context["result"].sales
    assert [label for _pk, label in sales.regions] == ["华东区"]
    rows = {row["product"]: row for row in sales.rows}
    assert rows["上游供应端供货运输"]["cells"] == [D("350000")]
    assert rows["通关服务"]["total"] == D("150000")
    assert rows["货运承揽"]["total"] == 0
    assert sales.region_totals == [D("350000")]
    assert sales.total == D("350000") and sales.customers == 2
    warehousing = (
        open_as(client, supervisor_a, year=2026, category="warehousing").context["result"].sales
    )
    assert {row["product"]: row["total"] for row in warehousing.rows}["拣货"] == D("450000")


def test_the_customer_file_summary_gives_customers_turnover_and_share_by_region(
    client, supervisor_a, book
):
    card = open_as(client, supervisor_a, year=2026).context["result"].card
    rows = {row["region"]: row for row in card.rows}
    assert rows["华东区"] == {
        "region": "华东区",
        "customers": 2,
        "amount": D("350000"),
        "share": D("53.8"),
    }
    assert rows["华南区"]["share"] == D("46.2")
    assert rows["未设地区"]["customers"] == 1 and rows["未设地区"]["amount"] == 0
    assert (card.customers, card.total) == (4, D("650000"))
    assert open_as(client, supervisor_a, year=2025).context["result"].card.total == D("999")


def test_without_a_year_the_tables_show_the_year_of_the_newest_turnover(client, supervisor_a, book):
    result = open_as(client, supervisor_a).context["result"]
    assert result.sales.year == 2026 and result.card.year == 2026
    assert result.sales.category == "transport"


def test_an_admin_sees_every_unit_and_a_manager_theirs(client, admin_user, manager_b, book):
    assert open_as(client, admin_user, year=2026).context["result"].card.total == D("1650000")
    card = open_as(client, manager_b, year=2026).context["result"].card
    assert (card.customers, card.total) == (1, D("1000000"))


def test_staff_may_not_open_the_tables_and_another_unit_is_refused(
    client, staff_a, supervisor_b, unit_a, book
):
    assert open_as(client, staff_a).status_code == 403
    assert client.get(EXPORT).status_code == 403
    response = open_as(client, supervisor_b, unit=unit_a.pk)
    assert response.status_code == 400 and response.context["result"] is None


def test_a_wrong_year_is_refused_with_the_form(client, supervisor_a, book):
    assert open_as(client, supervisor_a, year=1900).status_code == 400


def test_an_empty_book_shows_empty_tables(client, supervisor_a, unit_a):
    response = open_as(client, supervisor_a, year=2026)
    result = response.context["result"]
    assert response.context["names"] == []
    assert result.card.rows == [] and result.card.total == 0
    assert result.sales.regions == [] and result.sales.total == 0


def sheet_rows(workbook, title) -> list[tuple]:
    return [tuple(row) for row in workbook[title].iter_rows(values_only=True)]


def test_the_export_has_the_three_forms_with_the_pages_figures_and_sign_off(
    client, supervisor_a, book
):
    params = {"year": 2026, "category": "transport"}
    result = open_as(client, supervisor_a, **params).context["result"]
    wb = load_workbook(io.BytesIO(client.get(EXPORT, params).content))

    region = sheet_rows(wb, "客户区域分析表")
    assert region[0][0] == "客户区域分析表"
    listed = {row[1]: row for row in region if row[1] in {"甲公司", "乙公司", "丙公司", "丁公司"}}
    assert listed["甲公司"] == ("华东区", "甲公司", "生产企业", 3)
    assert listed["丁公司"][0] == "未设地区"
    flat = [str(v) for row in region for v in row if v is not None]
    assert any(v.startswith("编制") and "赵主管" in v for v in flat)
    assert any(v.startswith("填写") for v in flat) and any(v.startswith("审核") for v in flat)

    sales = sheet_rows(wb, "客户销售分析表")
    header = next(row for row in sales if row[0] == "产品")
    assert header[1:3] == ("华东区", "合计")
    upstream = next(row for row in sales if row[0] == "上游供应端供货运输")
    assert upstream[1:3] == (350000, 350000)
    total = next(row for row in sales if str(row[0]).startswith("合计"))
    assert total[1:3] == (350000, result.sales.total)

    card = sheet_rows(wb, "客户资料卡摘要")
    assert ("地区", "客户数量", "物流运营金额（元）", "比率（%）", "备注", None) in card
    east = next(row for row in card if row[0] == "华东区")
    assert east[1:4] == (2, 350000, 53.8)
    total = next(row for row in card if row[0] == "合计")
    assert (total[1], total[2]) == (result.card.customers, result.card.total)
