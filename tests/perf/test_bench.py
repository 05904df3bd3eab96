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
}
EXPORT_FIGURES = {"export_100k_s", "export_floor_s", "export_peak_mb", "import_10k_s"}
ROLLUP_FIGURES = {"rollup_month_s", "rollup_sql_floor_s", "rollup_10x_s"}


def test_bench_quick_writes_every_figure(tmp_path, settings):
    from django.db import connection

    settings.MEDIA_ROOT = tmp_path / "media"
    out = tmp_path / "bench.json"
    skip = [] if settings.REDIS_URL and connection.vendor == "postgresql" else ["urgent"]
    args = ["--quick", "--json", str(out), "--explain", str(tmp_path / "plans.txt")] + [
        f"--skip={s}" for s in skip
    ]
    call_command("seed_large", "--quick", stdout=open(tmp_path / "seed.txt", "w"))  # noqa: SIM115
    before = data_snapshot()
    with open(tmp_path / "stdout.txt", "w") as stdout:
        call_command("bench", *args, stdout=stdout)
    # The import step, the long-history card and the urgent reports leave nothing behind.
    assert data_snapshot() == before
    figures = json.loads(out.read_text())
    assert figures["customers"] >= 3000 and figures["entries"] >= 20_000
    assert figures.keys() >= PAGE_FIGURES | EXPORT_FIGURES
    assert figures["queries_10_rows"] == figures["queries_100_rows"]
    assert figures["export_rows"] == figures["customers"]
    assert figures["import_state"] == "applied"
    if connection.vendor == "postgresql":
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


def data_snapshot() -> dict:
    """Row counts of the tables the bench writes to, and a digest of every
    customer row (the import step edits 10,000 of them)."""
    from django.db import connection

    from complaints.models import Complaint
    from crm_site.core.models import Notification
    from customers.models import Customer, CustomerChange, CustomerImport, GradeChange
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
        )
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM customers_customer c"
            )
            counts["customer_digest"] = cursor.fetchone()[0]
    return counts
