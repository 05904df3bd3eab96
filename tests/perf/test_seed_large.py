"""The scale dataset generator: realistic shape, runs once per database."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit
from customers.models import Customer
from visits.models import DailyReportEntry, Visit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_quick_dataset_has_the_planned_shape_and_refuses_a_second_run(tmp_path):
    with open(tmp_path / "out.txt", "w") as out:
        call_command("seed_large", "--quick", stdout=out)
    assert ServiceUnit.objects.filter(code__startswith="L").count() == 5
    assert Customer.objects.count() == 3000
    entries = DailyReportEntry.objects.count()
    assert entries == 24_000
    # Every entry owns its visit, and lies in its report's unit.
    assert Visit.objects.count() == entries
    assert not DailyReportEntry.objects.exclude(visit__unit=F("report__unit")).exists()
    # A few big units: the first unit is the largest.
    sizes = dict(Customer.objects.values_list("unit__code").annotate(n=Count("id")))
    assert sizes["L01"] == max(sizes.values())
    # Grades skew towards C and D.
    grades = dict(Customer.objects.values_list("grade").annotate(n=Count("id")))
    assert grades.get("C", 0) + grades.get("D", 0) > grades.get("A", 0) + grades.get("B", 0)
    assert_turnover_shape()
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_large", "--quick", stdout=open(tmp_path / "again.txt", "w"))  # noqa: SIM115


def assert_turnover_shape():
    """Turnover follows the grade (a better grade trades more), its last 12
    months make up the recorded annual revenue of most customers, and a few
    customers fall sharply in the last two months: the early warning finds
    them, and the trend rule finds growing and declining customers."""
    from collections import Counter, defaultdict
    from decimal import Decimal

    from django.db.models import Avg

    from crm_site.core import months
    from customers.revenue import rules, services, warnings
    from customers.revenue.models import MonthlyTurnover

    latest = services.latest_month()
    assert latest == months.shift(timezone.localdate().replace(day=1), -1)
    by_grade = dict(
        MonthlyTurnover.objects.filter(month=latest)
        .values_list("customer__grade")
        .annotate(a=Avg("amount"))
        .order_by()
    )
    ordered = [by_grade[g] for g in sorted(by_grade)]
    assert ordered == sorted(ordered, reverse=True)
    window = months.trailing(latest, 24)
    series: dict[int, dict] = defaultdict(dict)
    for pk, month, amount in MonthlyTurnover.objects.filter(month__gte=window[0]).values_list(
        "customer", "month", "amount"
    ):
        series[pk][month] = amount
    trends, matching = Counter(), 0
    for customer in Customer.objects.only("pk", "annual_revenue"):
        amounts = [series[customer.pk].get(m, Decimal(0)) for m in window]
        figures = rules.trend_figures(amounts[12:], amounts[:12])
        trends[figures.trend] += 1
        matching += figures.annual_wan == customer.annual_revenue
    assert matching > 0.9 * Customer.objects.count()
    assert trends["growing"] > 100 and trends["declining"] > 100
    assert len(warnings.falling_customers(month=latest)) > 10
