"""Market shares and cost ratios (市场占有率, 营销费用率) and the new-customer
KPI: figures checked by hand, the warning threshold, scope by role, and the
forms' Chinese messages."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from customers.revenue import selectors as revenue_selectors
from customers.revenue.market import rules, selectors, services
from customers.revenue.market.models import (
    MarketEstimate,
    MarketEstimateEvent,
    MarketingCost,
    MarketingCostEvent,
    MarketingPolicy,
)
from customers.revenue.models import MonthlyTurnover
from tests import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def turnover(customer, month: date, amount) -> None:
    MonthlyTurnover.objects.create(customer=customer, month=month, amount=D(amount))


@pytest.fixture
def region(db):
    return f.make_region(code="EAST", name="华东地区")


@pytest.fixture
def region_a_only(db):
    return f.make_region(code="NORTH", name="华北地区")


@pytest.fixture
def market(region, region_a_only, unit_a, unit_b, staff_a, staff_a2, staff_b, manager_a):
    """Region EAST: 60,000 of unit A's turnover in 2025 and 500,000 of unit B's;
    region NORTH: unit A only."""
    c1 = f.make_customer(unit_a, code="A001", visiting_person=staff_a, region=region)
    c2 = f.make_customer(unit_a, code="A002", visiting_person=staff_a2, region=region)
    north = f.make_customer(unit_a, code="A003", visiting_person=staff_a, region=region_a_only)
    foreign = f.make_customer(unit_b, code="B001", visiting_person=staff_b, region=region)
    turnover(c1, date(2025, 1, 1), 10000)
    turnover(c1, date(2025, 2, 1), 20000)
    turnover(c2, date(2025, 3, 1), 30000)
    turnover(c1, date(2024, 12, 1), 99999)  # another year: not counted
    turnover(foreign, date(2025, 1, 1), 500000)
    turnover(north, date(2025, 5, 1), 4000)
    services.market_estimate_set(
        actor=manager_a,
        region=region,
        year=2025,
        market_size=D("1000000"),
        competitor_turnover=D("250000"),
        competitor_name="顺达物流",
    )
    services.market_estimate_set(
        actor=manager_a,
        region=region_a_only,
        year=2025,
        market_size=D("80000"),
        competitor_turnover=D("40000"),
    )


def _shares(user) -> dict:
    return {
        line.estimate.region.code: (line.ours, line.months, line.overall, line.relative)
        for line in selectors.market_shares(user=user, year=2025)
    }


def test_market_shares_equal_a_hand_computation_for_each_scope(
    market, manager_a, manager_b, supervisor_b, admin_user
):
    # Unit A: 10,000 + 20,000 + 30,000 = 60,000 in EAST; /1,000,000 = 6%; /250,000 = 24%.
    assert _shares(manager_a) == {
        "EAST": (D("60000"), 3, D("6.00"), D("24.00")),
        "NORTH": (D("4000"), 1, D("5.00"), D("10.00")),
    }
    # Unit B sees EAST only (its customer is there) and counts only its own 500,000.
    assert _shares(manager_b) == {"EAST": (D("500000"), 1, D("50.00"), D("200.00"))}
    assert _shares(supervisor_b) == _shares(manager_b)
    # Admins: the whole company, 560,000.
    assert _shares(admin_user)["EAST"] == (D("560000"), 3, D("56.00"), D("224.00"))


def test_saving_an_estimate_again_replaces_it_and_keeps_the_history(market, manager_a, region):
    services.market_estimate_set(
        actor=manager_a,
        region=region,
        year=2025,
        market_size=D("1200000"),
        competitor_turnover=D("250000"),
        competitor_name="顺达物流",
    )
    estimate = MarketEstimate.objects.get(region=region, year=2025)
    assert estimate.market_size == D("1200000")
    events = list(MarketEstimateEvent.objects.filter(estimate=estimate).order_by("pk"))
    assert len(events) == 2
    assert events[1].actor == manager_a
    assert events[1].data == {"market_size": {"old": "1000000.00", "new": "1200000"}}


def test_a_manager_cannot_set_a_region_or_unit_outside_their_scope(
    market, manager_b, region_a_only, unit_a, supervisor_a
):
    with pytest.raises(PermissionDenied):
        services.market_estimate_set(
            actor=manager_b,
            region=region_a_only,
            year=2025,
            market_size=D("1"),
            competitor_turnover=D("1"),
        )
    with pytest.raises(PermissionDenied):
        services.marketing_cost_set(
            actor=manager_b, unit=unit_a, month=date(2025, 1, 1), advertising=D("1")
        )
    with pytest.raises(PermissionDenied):
        services.marketing_cost_set(
            actor=supervisor_a, unit=unit_a, month=date(2025, 1, 1), advertising=D("1")
        )
    assert not MarketingCost.objects.exists()


# --- cost ratios and the warning -------------------------------------------------


def test_ratio_cells_warn_only_beyond_the_points_from_the_mean_of_six_months():
    before = [D("2.00")] * 6
    assert [c.warn for c in rules.ratio_cells([*before, D("4.00")])][-1] is False  # exactly 2
    last = rules.ratio_cells([*before, D("4.01")])[-1]
    assert (last.average, last.moved, last.warn) == (D("2.00"), D("2.01"), True)
    assert rules.ratio_cells([*before, D("0.99")], points=D("1"))[-1].warn is True
    # Only the six months before count; months without a ratio are left out.
    cells = rules.ratio_cells([D("50"), None, D("1"), D("2"), None, D("3"), D("4"), D("2.5")])
    assert cells[-1].average == D("2.50")  # (1 + 2 + 3 + 4) / 4, the 50 is seven months back
    assert cells[0].average is None and cells[0].warn is False
    assert rules.percent(D("5"), D("0")) is None


@pytest.fixture
def costs(unit_a, staff_a, manager_a):
    """Unit A: 100,000 of turnover a month in 2025-01..07; advertising 2,000 a
    month (2%) then 4,100 in July (4.1%); promotion 1,000 (1%) then 3,000 (3%)."""
    customer = f.make_customer(unit_a, code="A010", visiting_person=staff_a)
    for n in range(1, 8):
        month = date(2025, n, 1)
        turnover(customer, month, 100000)
        services.marketing_cost_set(
            actor=manager_a,
            unit=unit_a,
            month=month,
            staff_cost=D("5000"),
            advertising=D("4100") if n == 7 else D("2000"),
            promotion=D("3000") if n == 7 else D("1000"),
        )


def _july(user, unit):
    lines = selectors.cost_ratios(user=user, unit=unit, month=date(2025, 7, 1))
    assert len(lines) == 12 and lines[-1].month == date(2025, 7, 1)
    return lines[-1]


def test_cost_ratios_equal_a_hand_computation_and_warn_past_the_setting(
    costs, supervisor_a, unit_a
):
    july = _july(supervisor_a, unit_a)
    assert july.turnover == D("100000")
    assert july.cells["staff_cost"].ratio == D("5.00")
    advertising, promotion = july.cells["advertising"], july.cells["promotion"]
    assert (advertising.ratio, advertising.average, advertising.warn) == (
        D("4.10"),
        D("2.00"),
        True,
    )
    # 3% against 1%: exactly 2 points, not more than the default setting.
    assert (promotion.ratio, promotion.average, promotion.warn) == (D("3.00"), D("1.00"), False)
    assert july.cells["research"].ratio == D("0.00") and not july.cells["research"].warn
    # An admin lowers the setting to 1.5 points: the promotion ratio now warns too.
    MarketingPolicy.objects.create(warning_points=D("1.5"))
    assert _july(supervisor_a, unit_a).cells["promotion"].warn is True
    # Months without costs have no ratio.
    assert (
        selectors.cost_ratios(user=supervisor_a, unit=unit_a, month=date(2025, 7, 1))[0]
        .cells["advertising"]
        .ratio
        is None
    )


def test_saving_costs_again_replaces_the_month_with_its_history(costs, manager_a, unit_a):
    services.marketing_cost_set(
        actor=manager_a, unit=unit_a, month=date(2025, 7, 20), advertising=D("2000")
    )
    cost = MarketingCost.objects.get(unit=unit_a, month=date(2025, 7, 1))
    assert (cost.advertising, cost.staff_cost) == (D("2000"), D("0"))
    assert MarketingCostEvent.objects.filter(cost=cost).count() == 2
    assert MarketingCost.objects.count() == 7


# --- pages and scope ---------------------------------------------------------------


def test_staff_get_403_on_every_market_page(client, staff_a):
    client.force_login(staff_a)
    for name in ("reports:market", "reports:market_estimates", "reports:market_costs"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("reports:market_costs"), {}).status_code == 403


def test_supervisors_read_the_page_and_cannot_enter(client, market, costs, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    page = client.get(reverse("reports:market"), {"unit": unit_a.pk, "month": "2025-07"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "华东地区" in html and "6.00" in html and "24.00" in html
    assert "总体市场占有率 %" in html and "相对市场占有率 %" in html
    assert "4.10" in html and "text-bg-warning" in html
    assert reverse("reports:market_costs") not in html
    assert client.get(reverse("reports:market_estimates")).status_code == 403


def test_another_units_rows_are_absent(client, market, costs, supervisor_b, manager_b, unit_a):
    client.force_login(supervisor_b)
    # Unit A is not a choice for unit B: the page falls back to unit B's own figures.
    html = client.get(reverse("reports:market"), {"unit": unit_a.pk}).content.decode()
    assert "华北地区" not in html and "4.10" not in html
    assert "500000" in html  # unit B's own turnover in EAST
    client.force_login(manager_b)
    html = client.get(reverse("reports:market_costs")).content.decode()
    assert "marketing-costs" not in html  # none of unit A's months listed
    html = client.get(reverse("reports:market_estimates")).content.decode()
    assert "华北地区" not in html and "华东地区" in html
    answer = client.post(
        reverse("reports:market_costs"),
        {"unit": unit_a.pk, "month": "2025-08", "advertising": "10"},
    )
    assert answer.status_code == 200
    assert not MarketingCost.objects.filter(month=date(2025, 8, 1)).exists()


def test_a_manager_enters_costs_and_an_estimate_through_the_pages(
    client, manager_a, unit_a, region, staff_a
):
    f.make_customer(unit_a, code="A020", visiting_person=staff_a, region=region)
    client.force_login(manager_a)
    answer = client.post(
        reverse("reports:market_costs"),
        {"unit": unit_a.pk, "month": "2025-08", "advertising": "1200.50"},
    )
    assert answer.status_code == 302
    cost = MarketingCost.objects.get(unit=unit_a, month=date(2025, 8, 1))
    assert (cost.advertising, cost.promotion, cost.set_by) == (D("1200.50"), D("0"), manager_a)
    answer = client.post(
        reverse("reports:market_estimates"),
        {"region": region.pk, "year": "2025", "market_size": "500000", "competitor_turnover": "0"},
    )
    assert answer.status_code == 302
    assert MarketEstimate.objects.get(region=region).set_by == manager_a


def test_the_empty_page_says_what_is_missing(client, manager_a, unit_a):
    client.force_login(manager_a)
    html = client.get(reverse("reports:market")).content.decode()
    assert "empty-state" in html
    assert "尚无" in html or "没有" in html


def _errors(client, name, data) -> str:
    answer = client.post(reverse(name), data)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_forms_refuse_bad_figures_in_chinese(client, manager_a, unit_a, region, staff_a):
    f.make_customer(unit_a, code="A030", visiting_person=staff_a, region=region)
    client.force_login(manager_a)
    html = _errors(
        client,
        "reports:market_estimates",
        {"region": region.pk, "year": "2025", "market_size": "100", "competitor_turnover": "200"},
    )
    assert "领先竞争对手的营业额不能大于市场规模。" in html
    html = _errors(
        client,
        "reports:market_estimates",
        {"region": region.pk, "year": "1900", "market_size": "0", "competitor_turnover": "0"},
    )
    assert "市场规模必须大于 0。" in html
    assert "请填写 1970 至 2100 之间的年份。" in html
    html = _errors(client, "reports:market_costs", {"unit": unit_a.pk, "month": "2025-13"})
    assert "请按 YYYY-MM 格式填写月份。" in html
    html = _errors(client, "reports:market_costs", {"unit": unit_a.pk, "month": "2025-01"})
    assert "请至少填写一项大于 0 的费用。" in html
    html = _errors(
        client,
        "reports:market_costs",
        {"unit": unit_a.pk, "month": "2025-01", "advertising": "-5"},
    )
    assert "金额不能为负数。" in html
    assert not MarketingCost.objects.exists() and not MarketEstimate.objects.exists()


# --- new customers per person, unit and month --------------------------------------


@pytest.fixture
def newcomers(unit_a, unit_b, staff_a, staff_a2, staff_b):
    c1 = f.make_customer(unit_a, code="N001", visiting_person=staff_a)
    c2 = f.make_customer(unit_a, code="N002", visiting_person=staff_a2)
    old = f.make_customer(unit_a, code="N003", visiting_person=staff_a)
    late = f.make_customer(unit_a, code="N004", visiting_person=staff_a)
    foreign = f.make_customer(unit_b, code="N005", visiting_person=staff_b)
    turnover(c1, date(2025, 1, 1), 100)
    turnover(c1, date(2025, 2, 1), 100)
    turnover(c2, date(2025, 3, 1), 100)
    turnover(old, date(2024, 11, 1), 100)  # trading before the year: not new
    turnover(old, date(2025, 2, 1), 100)
    turnover(late, date(2025, 2, 1), 0)  # a zero month does not make it new
    turnover(late, date(2025, 4, 1), 500)
    turnover(foreign, date(2025, 1, 1), 100)


def test_new_customers_count_the_first_turnover_month_by_person(newcomers, supervisor_a, unit_a):
    kpi = revenue_selectors.new_customers(user=supervisor_a, unit=unit_a, month=date(2025, 4, 1))
    assert kpi.months == [date(2025, m, 1) for m in range(1, 5)]
    assert kpi.by_person == [("张三", [1, 0, 0, 1], 2), ("李四", [0, 0, 1, 0], 1)]
    assert (kpi.by_month, kpi.total) == ([1, 0, 1, 1], 3)


def test_the_gap_page_shows_new_customers_and_other_units_are_absent(
    client, newcomers, supervisor_a, supervisor_b, unit_a
):
    client.force_login(supervisor_a)
    html = client.get(
        reverse("reports:revenue_gap"), {"unit": unit_a.pk, "month": "2025-04"}
    ).content.decode()
    assert 'id="gap-new-customers"' in html and "首个营业额月份" in html
    client.force_login(supervisor_b)
    html = client.get(
        reverse("reports:revenue_gap"), {"unit": unit_a.pk, "month": "2025-04"}
    ).content.decode()
    assert "张三" not in html


def _queries(client, url, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, market, costs, manager_a, unit_a, staff_a
):
    client.force_login(manager_a)
    url, params = reverse("reports:market"), {"unit": unit_a.pk, "month": "2025-07"}
    _queries(client, url, params)  # warm the session and the caches
    before = _queries(client, url, params)
    for n in range(3):
        region = f.make_region(code=f"MORE{n}", name=f"地区{n}")
        f.make_customer(unit_a, code=f"M{n}", visiting_person=staff_a, region=region)
        services.market_estimate_set(
            actor=manager_a,
            region=region,
            year=2024 + n,
            market_size=D("1000"),
            competitor_turnover=D("10"),
        )
    assert _queries(client, url, params) == before


def test_admins_set_the_warning_in_the_admin_site_once(client, admin_user, manager_a):
    client.force_login(admin_user)
    add = reverse("admin:customers_marketingpolicy_add")
    answer = client.post(add, {"warning_points": "1.50"})
    assert answer.status_code == 302
    assert selectors.warning_points() == D("1.50")
    # One row only: no second one is added.
    assert client.get(add).status_code == 403
    client.force_login(manager_a)
    assert client.get(reverse("admin:customers_marketingpolicy_changelist")).status_code == 302
