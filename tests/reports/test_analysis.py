"""Customer analysis (客户分析表) at /reports/analysis/ and its .xlsx (issue 12).

Decision: supervisors and up only (staff 403), like the other reports pages;
a staff member's own book is already on /customers/.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_site.core.models import AuditLog
from tests.factories import make_customer, make_region, make_user

pytestmark = pytest.mark.django_db

URL = reverse("reports:analysis")
EXPORT = reverse("reports:analysis_export")


@pytest.fixture
def book(unit_a, unit_b):
    east = make_region(code="E", name="华东区")
    south = make_region(code="S", name="华南区")
    make_customer(unit_a, region=east, nature="manufacturer", grade="A", annual_revenue="1200.50")
    make_customer(unit_a, region=east, nature="manufacturer", grade="B", annual_revenue="300.25")
    make_customer(unit_a, region=east, nature="retailer", grade="A", annual_revenue="800")
    make_customer(unit_a, region=south, nature="ecommerce", grade="C", annual_revenue="99.99")
    make_customer(unit_a, region=None, nature="other", grade="D", annual_revenue="0")
    make_customer(
        unit_a, region=south, nature="retailer", grade="A", annual_revenue="5000", status="lost"
    )
    make_customer(unit_b, region=south, nature="trading", grade="A", annual_revenue="2000")
    return {"east": east, "south": south}


def region_row(result, label):
    return next(r for r in result.region_rows if r["label"] == label)


def cell(result, unit_name, grade):
    row = next(u for u in result.unit_rows if u["label"] == unit_name)
    index = [code for code, _label in result.grades].index(grade)
    return row["cells"][index]


def natures(result):
    return [code for code, _label in result.natures]


def test_staff_may_not_open_the_analysis_or_its_export(client, staff_a, book):
    client.force_login(staff_a)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_a_supervisor_sees_the_units_customers_by_region_and_nature_without_lost_ones(
    client, supervisor_a, book
):
    client.force_login(supervisor_a)
    result = client.get(URL).context["result"]
    east = region_row(result, "华东区")
    assert east["counts"][natures(result).index("manufacturer")] == 2
    assert east["counts"][natures(result).index("retailer")] == 1
    assert east["total"] == 3
    assert region_row(result, "华南区")["total"] == 1  # the lost retailer is left out
    assert region_row(result, "未设地区")["total"] == 1
    assert result.customer_total == 5  # unit B's customer is not in scope


def test_revenue_is_summed_in_10k_cny_with_two_decimals_by_grade_and_unit(
    client, supervisor_a, book
):
    client.force_login(supervisor_a)
    response = client.get(URL)
    result = response.context["result"]
    assert cell(result, "华东营业部", "A") == {"count": 2, "revenue": Decimal("2000.50")}
    assert cell(result, "华东营业部", "C")["revenue"] == Decimal("99.99")
    assert result.revenue_total == Decimal("2400.74")
    page = response.content.decode()
    assert "2,400.74" in page and "2,000.50" in page


def test_a_manager_of_both_units_sees_both_and_can_narrow_to_one(client, unit_a, unit_b, book):
    manager = make_user("manager", [unit_a, unit_b])
    client.force_login(manager)
    assert client.get(URL).context["result"].customer_total == 6
    assert client.get(URL, {"unit": unit_b.pk}).context["result"].customer_total == 1


def test_filters_by_region_and_status(client, supervisor_a, book):
    client.force_login(supervisor_a)
    south = client.get(URL, {"region": book["south"].pk}).context["result"]
    assert south.customer_total == 1
    lost = client.get(URL, {"status": "lost"}).context["result"]
    assert lost.customer_total == 1 and cell(lost, "华东营业部", "A")["revenue"] == Decimal(
        "5000.00"
    )
    assert client.get(URL, {"status": "all"}).context["result"].customer_total == 6


def test_the_other_units_supervisor_cannot_pick_unit_a(client, supervisor_b, unit_a, book):
    client.force_login(supervisor_b)
    response = client.get(URL, {"unit": unit_a.pk})
    assert response.status_code == 400
    assert response.context["result"] is None
    assert "请选择您所在的营业单位" in response.content.decode()
    export = client.get(EXPORT, {"unit": unit_a.pk})
    assert export.status_code == 302
    assert not AuditLog.objects.filter(action="reports.analysis_export").exists()


def test_the_export_has_the_same_figures_under_the_same_filters_and_is_audited(
    client, supervisor_a, book
):
    client.force_login(supervisor_a)
    response = client.get(EXPORT, {"region": book["east"].pk})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    regions, revenue = wb.worksheets[:2]
    region_rows = [r for r in regions.iter_rows(values_only=True) if r and r[0] == "华东区"]
    assert region_rows[0][-1] == 3
    totals = [r for r in revenue.iter_rows(values_only=True) if r and r[0] == "合计"][0]
    assert totals[-2:] == (3, 2300.75)
    assert revenue.cell(row=1, column=1).value == "年收入（万元）按等级和营业单位"
    log = AuditLog.objects.get(action="reports.analysis_export")
    assert log.data == {
        "filters": {"unit": "", "region": "E", "status": "", "year": "", "category": ""},
        "customers": 3,
    }
    assert log.actor == supervisor_a


def test_the_page_draws_its_charts_from_local_scripts(client, supervisor_a, book):
    client.force_login(supervisor_a)
    page = client.get(URL).content.decode()
    assert '<script src="/static/vendor/echarts-6.1.0/echarts.min.js">' in page
    assert 'id="analysis-chart-data"' in page
    assert "cdn" not in page.lower()


def test_the_analysis_costs_the_same_queries_for_a_small_or_a_larger_book(
    client, supervisor_a, unit_a, book, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for n in range(20):
        make_customer(unit_a, region=make_region(), nature="trading", grade="B", annual_revenue=n)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL).context["result"].customer_total == 25
