"""The benchmark's hand-written SQL for the gap analysis gives the figures the
gap page's selector gives, on a small book with every case the page shows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from crm_site.core import months
from crm_site.devtools import bench
from customers.revenue.models import MonthlyTurnover, RevenueTarget
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL floor is PostgreSQL's dialect"
    ),
]
D = Decimal


def turnover(customer, month: date, amount) -> None:
    MonthlyTurnover.objects.create(customer=customer, month=month, amount=D(amount))


@pytest.fixture
def book(unit_a, unit_b, staff_a, staff_a2, staff_b, manager_a):
    steady = f.make_customer(unit_a, code="F001", visiting_person=staff_a, grade="A")
    falling = f.make_customer(unit_a, code="F002", visiting_person=staff_a2, grade="C")
    new = f.make_customer(unit_a, code="F003", visiting_person=staff_a, grade="C")
    unvisited = f.make_customer(unit_a, code="F004", grade="D")
    stopped = f.make_customer(unit_a, code="F005", visiting_person=staff_a2, grade="B")
    foreign = f.make_customer(unit_b, code="F006", visiting_person=staff_b, grade="A")
    for month in months.trailing(date(2025, 12, 1), 24):
        turnover(steady, month, 1000 + month.month)
        turnover(falling, month, 5000 if month.year == 2024 else 2000)
        turnover(foreign, month, 9999)
        if month.year == 2024 or month.month < 6:
            turnover(stopped, month, 700 if month.year == 2024 else 0)
    turnover(new, date(2025, 2, 1), 0)  # a zero month first: new in April
    turnover(new, date(2025, 4, 1), 300)
    turnover(new, date(2025, 5, 1), 450.5)
    turnover(unvisited, date(2024, 3, 1), 80)  # only last year: counts as a drop
    for month in months.trailing(date(2025, 12, 1), 12):
        if month.month != 7:  # one month without a unit target
            RevenueTarget.objects.create(unit=unit_a, month=month, amount=D(9000))
        RevenueTarget.objects.create(unit=unit_a, month=month, person=staff_a, amount=D(1500))
        RevenueTarget.objects.create(unit=unit_a, month=month, grade="A", amount=D(1100))
    # A target for a grade no customer has, and for someone with no customer.
    RevenueTarget.objects.create(unit=unit_a, month=date(2025, 3, 1), grade="B", amount=D(50))
    RevenueTarget.objects.create(
        unit=unit_a, month=date(2025, 3, 1), person=manager_a, amount=D(10)
    )
    RevenueTarget.objects.create(unit=unit_b, month=date(2025, 3, 1), amount=D(123456))


@pytest.mark.parametrize("month", [date(2025, 12, 1), date(2025, 5, 1), date(2025, 1, 1)])
def test_the_sql_floor_and_the_gap_selector_agree(book, supervisor_a, unit_a, month):
    selector = bench.gap_figures(supervisor_a, unit_a, month)
    floor = bench.revenue_floor(unit_a.pk, month)
    assert floor == selector
    # The cases are there: a person and a grade, drops and rises, newcomers.
    assert selector["by_person"] and selector["by_grade"] and selector["drops"]
    if month.month >= 5:
        assert sum(selector["new_by_month"]) == 1
    if month.month == 12:
        assert selector["year_to_date"][1] == D(9000) * 11
        assert selector["retention"] == (3, 2)  # the stopped one left


def test_the_page_shows_what_the_bench_measures(client, book, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    response = client.get(reverse("reports:revenue_gap"), {"unit": unit_a.pk, "month": "2025-12"})
    assert response.status_code == 200
    analysis = response.context["analysis"]
    figures = bench.gap_figures(supervisor_a, unit_a, date(2025, 12, 1))
    assert analysis.year_to_date.actual == figures["year_to_date"][0]
    assert response.context["newcomers"].total == sum(figures["new_by_month"])
    assert "F002" in response.content.decode()  # the largest drop
