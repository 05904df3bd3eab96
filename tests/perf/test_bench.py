"""`manage.py bench --quick` runs end to end and writes every figure (so the command cannot rot).

Speed is never asserted here: only that each figure is measured and sane.
"""

import json

import pytest
from django.core.management import call_command

from tests.conftest import REQUIRE_SERVICES

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGE_FIGURES = {
    "render_floor_p90_ms",
    "customer_list_p90_ms",
    "customer_list_last_page_p90_ms",
    "queries_10_rows",
    "queries_100_rows",
    "customer_card_p90_ms",
    "queries_card",
    "waybill_search_p90_ms",
    "queries_waybill_search",
    "api_customer_list_p90_ms",
    "api_customer_list_deep_p90_ms",
    "api_queries_10_rows",
    "api_queries_100_rows",
    "render_floor_prepared_p90_ms",
    "complaint_list_p90_ms",
    "complaint_queries_first_page",
    "complaint_queries_last_page",
}
EXPORT_FIGURES = {"export_100k_s", "export_floor_s", "export_peak_mb", "import_10k_s"}
ROLLUP_FIGURES = {"rollup_month_s", "rollup_sql_floor_s", "rollup_10x_s"}
PLAN_FIGURES = {"plan_generate_s", "plan_rerun_new_rows", "plan_rows", "calendar_week_p90_ms"}
REVENUE_FIGURES = {
    "revenue_gap_s",
    "revenue_sql_floor_s",
    "revenue_import_100k_s",
    "revenue_import_rows",
    "turnover_rows",
}


def test_bench_quick_writes_every_figure(tmp_path, settings):
    from django.db import connection

    settings.MEDIA_ROOT = tmp_path / "media"
    out = tmp_path / "bench.json"
    skip = [] if settings.REDIS_URL and connection.vendor == "postgresql" else ["urgent"]
    args = ["--quick", "--json", str(out), "--explain", str(tmp_path / "plans.txt")] + [
        f"--skip={s}" for s in skip
    ]
    call_command("seed_large", "--quick", stdout=open(tmp_path / "seed.txt", "w"))  # noqa: SIM115
    assert_complaints_at_scale(tmp_path)
    assert_turnover(tmp_path)
    before = data_snapshot()
    with open(tmp_path / "stdout.txt", "w") as stdout:
        call_command("bench", *args, stdout=stdout)
    # The import step, the long-history card and the urgent reports leave nothing behind.
    assert data_snapshot() == before
    figures = json.loads(out.read_text())
    assert figures["customers"] >= 3000 and figures["entries"] >= 20_000
    assert figures.keys() >= PAGE_FIGURES | EXPORT_FIGURES
    assert figures["queries_10_rows"] == figures["queries_100_rows"]
    assert figures["api_queries_10_rows"] == figures["api_queries_100_rows"]
    assert figures.keys() >= PLAN_FIGURES
    assert figures["plan_rows"] > 0 and figures["plan_rerun_new_rows"] == 0
    assert figures["complaint_queries_first_page"] == figures["complaint_queries_last_page"]
    assert figures["export_rows"] == figures["customers"]
    assert figures["import_state"] == "applied"
    assert figures.keys() >= REVENUE_FIGURES
    assert figures["turnover_rows"] > 30 * figures["customers"]
    assert figures["revenue_gap_s"] > 0 and figures["revenue_import_100k_s"] > 0
    # A month for every customer of the quick book, every row new, nothing refused.
    assert figures["revenue_import_rows"] == figures["customers"]
    assert figures["revenue_import_created"] == figures["customers"]
    assert figures["revenue_import_errors"] == 0
    if connection.vendor == "postgresql":
        assert figures["revenue_sql_floor_s"] > 0
        assert figures["revenue_floor_matches_selector"] is True
        assert figures.keys() >= ROLLUP_FIGURES
        assert figures["rollup_floor_matches_builder"] is True
        if REQUIRE_SERVICES:
            assert figures["urgent_route_p99_ms"] > 0
    plans = (tmp_path / "plans.txt").read_text()
    # Per list filter the page's plan, and on PostgreSQL its capped count's.
    per_filter = 2 if connection.vendor == "postgresql" else 1
    assert plans.count("\n-- ") + plans.startswith("-- ") == 10 * per_filter
    assert ("(count)" in plans) == (connection.vendor == "postgresql")
    assert (
        "Execution Time" if connection.vendor == "postgresql" else "customers_customer"
    ) in plans
    printed = (tmp_path / "stdout.txt").read_text()
    assert "Ratios (target):" in printed
    assert "revenue gap / SQL floor" in printed


def data_snapshot() -> dict:
    """Row counts of the tables the bench writes to, and a digest of every
    customer row (the import steps edit 10,000 of them, and the turnover
    import every customer's annual revenue and trend)."""
    from django.db import connection

    from complaints.models import Complaint
    from crm_site.core.models import Notification
    from customers.models import Customer, CustomerChange, CustomerImport, GradeChange, RegradeRun
    from customers.revenue.models import MonthlyTurnover, TurnoverEvent
    from visits.models import UrgentReport, Visit

    counts = {
        model.__name__: model.objects.count()
        for model in (
            Complaint,
            Notification,
            Customer,
            CustomerChange,
            CustomerImport,
            GradeChange,
            UrgentReport,
            Visit,
            MonthlyTurnover,
            TurnoverEvent,
            RegradeRun,
        )
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM customers_customer c"
            )
            counts["customer_digest"] = cursor.fetchone()[0]
    return counts


def assert_complaints_at_scale(tmp_path):
    """The generated complaints carry their waybills (unique numbers of the
    waybill rule), and adding them again changes nothing."""
    from complaints.models import Complaint
    from crm_site.devtools import largedata
    from customers.models import Waybill
    from customers.waybills.numbers import is_waybill

    plan = largedata.Plan.quick()
    links = Complaint.waybills.through.objects.count()
    assert largedata.complaints_at_scale_added()
    assert links == plan.waybill_links == Waybill.objects.count()
    assert Complaint.objects.count() == plan.complaints + plan.scale_complaints
    assert all(is_waybill(n) for n in Waybill.objects.values_list("number", flat=True)[:500])
    with open(tmp_path / "add.txt", "w") as out:
        call_command("seed_large", "--add-complaints", "--quick", stdout=out)
    assert Complaint.waybills.through.objects.count() == links


def assert_turnover(tmp_path):
    """Every generated customer has turnover (36 months unless it started
    late), the units have targets, and adding the turnover again is refused."""
    from django.core.management import CommandError
    from django.db.models import Count

    from crm_site.devtools import largedata
    from customers.models import Customer
    from customers.revenue.models import MonthlyTurnover, RevenueTarget

    plan = largedata.Plan.quick()
    assert largedata.turnover_added()
    per_customer = dict(
        MonthlyTurnover.objects.values_list("customer").annotate(n=Count("id")).order_by()
    )
    assert len(per_customer) == Customer.objects.count()
    full = sum(1 for n in per_customer.values() if n == plan.turnover_months)
    assert full > 0.9 * len(per_customer)
    assert RevenueTarget.objects.filter(person=None, grade="").count() == (
        plan.units * plan.turnover_months
    )
    with open(tmp_path / "t.txt", "w") as out, pytest.raises(CommandError, match="already"):
        call_command("seed_large", "--add-turnover", "--quick", stdout=out)
