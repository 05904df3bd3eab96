"""What an import's regrade moved: the message link after the import, and the
page listing each customer whose grade moved with its trend and points, per role."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from crm_site.core import months
from customers.models import GradeChange, RegradeRun
from customers.revenue.models import MonthlyTurnover
from customers.services.rules import regrade_run_execute
from tests import factories as f
from tests.customers.test_revenue import xlsx

pytestmark = pytest.mark.django_db

MONTH = date(2026, 11, 1)


@pytest.fixture
def trading(unit_a, staff_a):
    """恒升制造 (C, stable) sold 80,000 a month for 23 months; 平稳物流 100,000."""
    mover = f.make_customer(
        unit_a, code="HS001", name="恒升制造", visiting_person=staff_a, annual_revenue=100
    )
    steady = f.make_customer(
        unit_a, code="PW001", name="平稳物流", visiting_person=staff_a, annual_revenue=120
    )
    assert (mover.grade, mover.trend) == ("C", "stable")
    rows = []
    for back in range(23, 0, -1):
        month = months.shift(MONTH, -back)
        rows.append(MonthlyTurnover(customer=mover, month=month, amount=Decimal(80000)))
        rows.append(MonthlyTurnover(customer=steady, month=month, amount=Decimal(100000)))
    MonthlyTurnover.objects.bulk_create(rows)
    return mover, steady


@pytest.fixture
def run(client, supervisor_a, trading):
    """The supervisor imports November; the regrade runs (by hand: no commit here)."""
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:turnover_import"),
        {"file": xlsx([("HS001", "2026-11", 200000), ("PW001", "2026-11", 100000)])},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    run = RegradeRun.objects.get()
    link = reverse("customers:turnover_regrade", args=[run.pk])
    page = response.content.decode()
    assert f'href="{link}"' in page and "查看本次导入引起的等级变化" in page
    regrade_run_execute(run_id=run.pk)
    client.logout()
    return run


def _page(client, user, run, **params):
    client.force_login(user)
    return client.get(
        reverse("customers:turnover_regrade", args=[run.pk]), params, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )


def test_the_regrade_records_why_the_grade_moved(run, trading):
    mover, _steady = trading
    change = GradeChange.objects.get(run=run)
    assert (change.customer, change.old_grade, change.new_grade) == (mover, "C", "B")
    assert change.changes == {
        "points": [55, 62],
        "revenue": ["100.00", "108.00"],
        "trend": ["stable", "growing"],
    }


@pytest.mark.parametrize("who", ["supervisor_a", "manager_a", "admin_user"])
def test_the_units_people_see_the_move_with_its_trend_and_points(
    request, client, run, trading, who
):
    mover, steady = trading
    response = _page(client, request.getfixturevalue(who), run)
    assert response.status_code == 200
    page = response.content.decode()
    assert "HS001" in page and "恒升制造" in page and "华东营业部" in page
    assert "C → <strong>B</strong>" in page
    assert "稳定 → 上升" in page
    assert "55 → 62 (+7)" in page
    assert f'href="{mover.get_absolute_url()}"' in page
    assert "PW001" not in page  # it stayed at C


def test_a_supervisor_of_another_unit_sees_nothing_moved(client, run, supervisor_b, manager_b):
    for user in (supervisor_b, manager_b):
        page = _page(client, user, run).content.decode()
        assert "恒升制造" not in page and "HS001" not in page
        assert "本次重新评级没有改变本单位任何客户的等级。" in page


def test_staff_may_not_open_the_page(client, run, staff_a):
    assert _page(client, staff_a, run).status_code == 403


def test_an_unknown_run_is_not_found(client, supervisor_a, db):
    client.force_login(supervisor_a)
    assert client.get(reverse("customers:turnover_regrade", args=[999999])).status_code == 404


def test_a_run_still_going_says_so_and_the_page_is_paged(client, supervisor_a, unit_a):
    from customers.models import GradingRule

    run = RegradeRun.objects.create(rule=GradingRule.objects.current(), reason="import")
    page = _page(client, supervisor_a, run).content.decode()
    assert "本单位暂无客户的等级发生变化。" in page and 'data-poll-seconds="3"' in page
    customers = [f.make_customer(unit_a, code=f"P{i:03}") for i in range(51)]
    GradeChange.objects.bulk_create(
        GradeChange(customer=c, old_grade="C", new_grade="B", run=run, source="rule")
        for c in customers
    )
    first = _page(client, supervisor_a, run).content.decode()
    assert "P000" in first and "P049" in first and "P050" not in first
    second = _page(client, supervisor_a, run, page=2).content.decode()
    assert "P050" in second and "P000" not in second
    # A change recorded before the regrade kept its why: the trend is "unchanged", no points.
    assert "未变" in second
