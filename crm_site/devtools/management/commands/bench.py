import json
import platform
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from crm_site.devtools import bench

# (figure, numerator, denominator, limit): the targets of the performance issue.
TARGETS = [
    ("customer list / render floor", "customer_list_p90_ms", "render_floor_p90_ms", 2.0),
    ("last page / first page", "customer_list_last_page_p90_ms", "customer_list_p90_ms", 1.5),
    ("customer card / render floor", "customer_card_p90_ms", "render_floor_p90_ms", 2.0),
    ("waybill search / render floor", "waybill_search_p90_ms", "render_floor_p90_ms", 2.0),
    ("API customer list / render floor", "api_customer_list_p90_ms", "render_floor_p90_ms", 2.0),
    (
        "API deep cursor page / render floor",
        "api_customer_list_deep_p90_ms",
        "render_floor_p90_ms",
        2.0,
    ),
    ("complaint list / render floor", "complaint_list_p90_ms", "render_floor_p90_ms", 2.0),
    ("rollup / SQL floor", "rollup_month_s", "rollup_sql_floor_s", 1.5),
    ("rollup 10x / rollup", "rollup_10x_s", "rollup_month_s", 12.0),
    ("export / openpyxl floor", "export_100k_s", "export_floor_s", 1.5),
    ("calendar unit week / render floor", "calendar_week_p90_ms", "render_floor_p90_ms", 2.0),
    ("revenue gap / SQL floor", "revenue_gap_s", "revenue_sql_floor_s", 1.5),
]


class Command(BaseCommand):
    help = "Measure the app at DESIGN.md scale (builds the dataset first if absent)."

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="json_path", help="write the figures to this file")
        parser.add_argument("--quick", action="store_true", help="a few thousand rows (tests)")
        parser.add_argument(
            "--explain",
            dest="explain_path",
            help="write EXPLAIN ANALYZE of the customer list's page query per filter here",
        )
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            choices=["pages", "export", "import", "rollup", "urgent", "plans", "revenue"],
        )

    def handle(self, *args, **options):
        figures: dict = {}
        self.stdout.write("Preparing the dataset …")
        bench.ensure_dataset(options["quick"], progress=self._progress)
        bench.dataset_size(figures)
        steps = [
            ("pages", bench.measure_pages),
            ("export", bench.measure_export),
            ("import", bench.measure_import),
            ("rollup", getattr(bench, "measure_rollup", None)),
            ("urgent", getattr(bench, "measure_urgent_routing", None)),
            ("plans", bench.measure_plans),
            ("revenue", bench.measure_revenue),
        ]
        with bench.bench_settings(), bench.leaving_data_as_found():
            for name, step in steps:
                if step is None or name in options["skip"]:
                    continue
                self.stdout.write(f"Measuring {name} …")
                step(figures)
        figures["machine"] = (
            f"{platform.node()} · {platform.processor() or platform.machine()} · {connection.vendor}"
        )
        figures["measured_at"] = timezone.now().isoformat(timespec="seconds")
        self._print(figures)
        if options["explain_path"]:
            with bench.bench_settings():
                plans = bench.explain_customer_filters()
            text = "".join(f"-- {name}\n{plan}\n\n" for name, plan in plans.items())
            Path(options["explain_path"]).write_text(text)
            self.stdout.write(f"Wrote {options['explain_path']}")
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
            self.stdout.write(f"Wrote {options['json_path']}")

    def _progress(self, label, done, total):
        if total and done in (0, total):
            self.stdout.write(f"  {label}: {done:,}/{total:,}")

    def _print(self, figures: dict) -> None:
        width = max(len(k) for k in figures)
        self.stdout.write("")
        for key, value in figures.items():
            self.stdout.write(f"  {key:<{width}}  {value}")
        self.stdout.write("\nRatios (target):")
        for label, num, den, limit in TARGETS:
            if num in figures and den in figures and figures[den]:
                ratio = figures[num] / figures[den]
                mark = "ok" if ratio <= limit else "MISSED"
                self.stdout.write(f"  {label:<32} {ratio:6.2f}  (≤ {limit})  {mark}")
        prepared = figures.get("render_floor_prepared_p90_ms")
        if prepared:
            # The floor as measured before it paid the navigation (no target).
            for label, num in (("list", "customer_list_p90_ms"), ("card", "customer_card_p90_ms")):
                if num in figures:
                    ratio = figures[num] / prepared
                    self.stdout.write(f"  {f'{label} / prepared floor (before)':<32} {ratio:6.2f}")
        if "queries_10_rows" in figures:
            same = figures["queries_10_rows"] == figures["queries_100_rows"]
            self.stdout.write(f"  {'queries 10 rows == 100 rows':<32} {'ok' if same else 'MISSED'}")
        if "complaint_queries_first_page" in figures:
            same = figures["complaint_queries_first_page"] == figures["complaint_queries_last_page"]
            label = "complaints: first == last page"
            self.stdout.write(f"  {label:<32} {'ok' if same else 'MISSED'}")
        if "urgent_route_p99_ms" in figures:
            ok = figures["urgent_route_p99_ms"] <= 5000
            self.stdout.write(f"  {'urgent routing p99 ≤ 5000 ms':<32} {'ok' if ok else 'MISSED'}")
        if "plan_generate_s" in figures:
            ok = figures["plan_generate_s"] <= 60
            self.stdout.write(f"  {'planning 14 days ≤ 60 s':<32} {'ok' if ok else 'MISSED'}")
            ok = figures["plan_rerun_new_rows"] == 0
            self.stdout.write(f"  {'planning rerun adds 0 rows':<32} {'ok' if ok else 'MISSED'}")
        if "revenue_floor_matches_selector" in figures:
            ok = figures["revenue_floor_matches_selector"]
            self.stdout.write(
                f"  {'revenue gap == SQL floor figures':<32} {'ok' if ok else 'MISSED'}"
            )
        if "revenue_import_100k_s" in figures:
            ok = figures["revenue_import_100k_s"] <= 60
            self.stdout.write(f"  {'turnover import ≤ 60 s':<32} {'ok' if ok else 'MISSED'}")
        if "export_peak_mb" in figures:
            ok = figures["export_peak_mb"] <= 150
            self.stdout.write(f"  {'export peak ≤ 150 MB':<32} {'ok' if ok else 'MISSED'}")
