"""The benchmark behind `manage.py bench` (README "Performance").

Every figure is measured in this process on the configured database against
the generated dataset (crm_site.devtools.largedata), logged in as the supervisor of
the largest unit (l01_sup) unless a figure says otherwise. Times are wall
clock; p90 over at least 30 requests after a warm-up.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from crm_site.core.db import allow_long_statements
from crm_site.devtools import largedata

WARMUP = 5
# Requests of each page for the page figures (p90 over them, after WARMUP).
PAGE_REQUESTS = 60
LIST_FILTER = {"grade": "C"}


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.9 * len(ordered))) - 1)]


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.99 * len(ordered))) - 1)]


# --- the render floor: the same base layout, no queries of its own ------------

_FLOOR_CONTEXT: dict = {}


def floor_view(request):
    """base.html with the navigation context captured once, so the view itself
    runs no query (the middleware's session and user lookups remain, as on
    every page)."""
    from django.http import HttpResponse

    context = dict(_FLOOR_CONTEXT)
    context.update(request=request, user=request.user, csrf_token=get_token(request), messages=[])
    return HttpResponse(get_template("core/bench_floor.html").render(context))


urlpatterns = [path("__bench__/floor/", floor_view)]


def bench_urls():
    from crm_site import urls as site_urls

    module = type(sys)("crm_site_bench_urls")
    module.urlpatterns = urlpatterns + list(site_urls.urlpatterns)
    sys.modules[module.__name__] = module
    return module.__name__


@contextmanager
def bench_settings():
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=bench_urls()):
        yield


def supervisor_client():
    from crm_site.accounts.models import User

    user = User.objects.get(username="l01_sup")
    client = Client()
    client.force_login(user)
    return client, user


@contextmanager
def captured_context():
    """Let the test client record template contexts, only for the requests inside."""
    from django.test.utils import _TestState, setup_test_environment, teardown_test_environment

    if hasattr(_TestState, "saved_data"):  # already inside a test run
        yield
        return
    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


def capture_floor_context(client: Client) -> int:
    """Capture the navigation context once; return the list's number of pages."""
    with captured_context():
        response = client.get("/customers/", LIST_FILTER)
    keys = ("nav_items", "nav_menu", "crm_name", "unread_notifications", "nav_badges")
    _FLOOR_CONTEXT.clear()
    _FLOOR_CONTEXT.update({k: response.context[k] for k in keys})
    return response.context["page_obj"].paginator.num_pages


def interleaved_requests(client: Client, pages: dict, n: int = PAGE_REQUESTS) -> dict:
    """{name: [ms, ...]} for pages {name: (url, params)}, requested in turn (one of
    each per round, the order rotating), so that a slower or faster moment of the
    machine falls on every page alike rather than on whichever was measured then."""
    names = list(pages)
    for name in names:
        url, params = pages[name]
        for _ in range(WARMUP):
            assert client.get(url, params).status_code == 200
    samples: dict[str, list] = {name: [] for name in names}
    for i in range(n):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            url, params = pages[name]
            started = time.perf_counter()
            response = client.get(url, params)
            samples[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return samples


def measure_pages(out: dict) -> None:
    """The floor, the customer list (first and last page) and a long-history
    customer's card, requested in turn. The card's customer is made for the
    measurement inside a transaction that is rolled back, like every write the
    requests do (sessions), so the database is left as it was found."""
    from django.db import transaction

    client, user = supervisor_client()
    last_page = capture_floor_context(client)
    with transaction.atomic():
        card = long_history_customer(user)
        waybill = search_waybill(user, card)
        samples = interleaved_requests(
            client,
            {
                "render_floor_p90_ms": ("/__bench__/floor/", None),
                "customer_list_p90_ms": ("/customers/", LIST_FILTER),
                "customer_list_last_page_p90_ms": (
                    "/customers/",
                    LIST_FILTER | {"page": last_page},
                ),
                "customer_card_p90_ms": (card.get_absolute_url(), None),
                "waybill_search_p90_ms": ("/search/", {"q": waybill}),
            },
        )
        for size in (10, 100):
            with CaptureQueriesContext(connection) as queries:
                client.get("/customers/", LIST_FILTER | {"per_page": size})
            out[f"queries_{size}_rows"] = len(queries.captured_queries)
        with CaptureQueriesContext(connection) as queries:
            client.get(card.get_absolute_url())
        out["queries_card"] = len(queries.captured_queries)
        with CaptureQueriesContext(connection) as queries:
            client.get("/search/", {"q": waybill})
        out["queries_waybill_search"] = len(queries.captured_queries)
        transaction.set_rollback(True)
    for name, times in samples.items():
        out[name] = round(p90(times), 1)
    out["customer_list_pages"] = last_page
    out["page_requests"] = len(samples["render_floor_p90_ms"])


def search_waybill(user, card) -> str:
    """A waybill number named by a complaint of `user`'s unit in the dataset;
    if the dataset has none, one put on the card customer's newest complaint
    (inside the caller's rolled-back transaction)."""
    from complaints.models import Complaint
    from customers.waybills.services import waybills_set

    link = (
        Complaint.waybills.through.objects.filter(complaint__unit_id=user.primary_unit.pk)
        .values_list("waybill__number", flat=True)
        .first()
    )
    if link:
        return link
    complaint = Complaint.objects.filter(customer=card).order_by("-received_at").first()
    number = "SF0000000001"
    if complaint is not None:
        waybills_set(record=complaint, numbers=[number])
    return number


# The card's long history: contacts, complaints, grade changes and surveys.
CARD_HISTORY = {"visits": 200, "complaints": 20, "grade_changes": 30, "surveys": 10}


def add_visits(customer, count: int, *, now) -> None:
    """`count` contacts by the visiting person, one a day back from `now`: every
    third a visit, the others calls."""
    from datetime import timedelta

    from visits.models import Kind, Visit

    Visit.objects.bulk_create(
        Visit(
            customer=customer,
            user=customer.visiting_person,
            unit_id=customer.unit_id,
            kind=Kind.VISIT if n % 3 == 0 else Kind.CALL,
            occurred_at=now - timedelta(days=n),
            source=Visit.Source.DIRECT,
        )
        for n in range(count)
    )


def long_history_customer(user):
    """A customer of `user`'s unit given CARD_HISTORY's history (call it inside a
    transaction that is rolled back)."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from complaints import services as complaint_services
    from complaints.defaults import defaults_ensure
    from complaints.models import ComplaintCategory
    from customers.models import Customer, GradeChange
    from customers.voice.models import SURVEY_FIELDS, ServiceSurvey

    customer = (
        Customer.objects.filter(unit=user.primary_unit, visiting_person__isnull=False)
        .order_by("pk")
        .first()
    )
    person = customer.visiting_person
    now = timezone.now()
    add_visits(customer, CARD_HISTORY["visits"], now=now)
    defaults_ensure()
    categories = list(ComplaintCategory.objects.order_by("pk"))
    for n in range(CARD_HISTORY["complaints"]):
        complaint_services.complaint_log(
            actor=person,
            customer=customer,
            channel="phone",
            received_at=now - timedelta(days=7 * n),
            complainant="基准测试",
            content=f"基准测试投诉 {n + 1}",
            category=categories[n % len(categories)],
        )
    grades = ["A", "B", "C", "D"]
    GradeChange.objects.bulk_create(
        GradeChange(
            customer=customer,
            old_grade=grades[n % 4],
            new_grade=grades[(n + 1) % 4],
            actor=user,
            source=GradeChange.Source.PIN,
            reason=f"基准测试 {n + 1}",
        )
        for n in range(CARD_HISTORY["grade_changes"])
    )
    ServiceSurvey.objects.bulk_create(
        ServiceSurvey(
            customer=customer,
            unit_id=customer.unit_id,
            surveyed_by=person,
            surveyed_on=timezone.localdate() - timedelta(days=30 * n),
            form_token=uuid.uuid4(),
            **dict.fromkeys(SURVEY_FIELDS, 3 + n % 4),
        )
        for n in range(CARD_HISTORY["surveys"])
    )
    return customer


# --- export ---------------------------------------------------------------------


def _admin():
    from crm_site.accounts.models import User

    admin = User.objects.filter(is_superuser=True).first()
    if admin is None:
        admin = User.objects.create_superuser("bench_admin", "bench@example.com", "crm-demo-2026")
    return admin


def measure_export(out: dict) -> None:
    from openpyxl import Workbook

    from customers import selectors, xlsx
    from customers.services.exports import customers_export_write

    admin = _admin()
    params = {"filters": {}, "sort": "code", "audit": {}}
    with tempfile.TemporaryFile() as stream:
        started = time.perf_counter()
        exported, _name = customers_export_write(
            user=admin, params=params, stream=stream, progress=lambda n: None
        )
        out["export_100k_s"] = round(time.perf_counter() - started, 2)
    out["export_rows"] = exported

    # The floor: the same rows (the export's own values, prepared beforehand and
    # not timed), written with openpyxl write-only and nothing else.
    customers = selectors.customer_list(user=admin, filters={}, sort="code")
    rows = list(xlsx.export_values(customers))
    with tempfile.TemporaryFile() as stream:
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("floor")
        ws.append(xlsx.KEYS)
        for row in rows:
            ws.append(row)
        wb.save(stream)
        out["export_floor_s"] = round(time.perf_counter() - started, 2)
    del rows

    tracemalloc.start()
    with tempfile.TemporaryFile() as stream:
        customers_export_write(user=admin, params=params, stream=stream, progress=lambda n: None)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["export_peak_mb"] = round(peak / 1024 / 1024, 1)


# --- import -----------------------------------------------------------------------


def measure_import(out: dict, rows: int = 10_000) -> None:
    """Validate and apply a 10,000-row import: the supervisor's own customers,
    exported, one cell changed per row (so every row is an update)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from openpyxl import load_workbook

    from customers.services.exports import customers_export_write

    client, user = supervisor_client()
    buffer = io.BytesIO()
    params = {"filters": {"unit": user.primary_unit.pk}, "sort": "code", "audit": {}}
    customers_export_write(user=_admin(), params=params, stream=buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    industry = header.index(next(h for h in header if h and "行业" in str(h)))
    kept = 0
    for row in ws.iter_rows(min_row=2):
        kept += 1
        if kept > rows:
            ws.delete_rows(row[0].row, ws.max_row)
            break
        row[industry].value = f"{row[industry].value or ''}·"
    out_buffer = io.BytesIO()
    wb.save(out_buffer)
    upload = SimpleUploadedFile("bench.xlsx", out_buffer.getvalue())

    with transaction.atomic():
        _import(out, user, upload)
        # Undone, so that a second run measures the same data (README).
        transaction.set_rollback(True)
    out["import_rows"] = min(kept, rows)


def _import(out: dict, user, upload) -> None:
    from customers.models import CustomerImport
    from customers.services import imports

    started = time.perf_counter()
    record = imports.customer_import_upload(actor=user, upload=upload)
    imports.customer_import_check(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.state == CustomerImport.State.PREVIEWED, record.result
    imports.customer_import_request_apply(actor=user, record=record)
    imports.customer_import_apply(import_id=str(record.pk))
    out["import_10k_s"] = round(time.perf_counter() - started, 2)
    record.refresh_from_db()
    out["import_state"] = record.state


# --- worker helpers -----------------------------------------------------------------


def current_database_url() -> str:
    """DATABASE_URL of the database this process uses now (the test_ copy under
    the test runner), for a worker process that must see the same rows."""
    from urllib.parse import quote

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log_path: Path):
    """A `celery worker` process on the database this process uses (under the test
    runner, the test_ copy) and the configured broker, consuming every queue."""
    env = os.environ.copy()
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = current_database_url()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "crm_site", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "INFO",
         "--queues", ",".join(settings.CELERY_ALL_QUEUES)],
        cwd=settings.BASE_DIR, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b" ready." in log_path.read_bytes():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the worker did not start:\n{log_path.read_text(errors='replace')}")


def ensure_dataset(quick: bool, progress=None) -> None:
    if largedata.already_generated():
        return
    plan = largedata.Plan.quick() if quick else largedata.Plan()
    largedata.Generator(plan, progress=progress).run()


def dataset_size(out: dict) -> None:
    from customers.models import Customer
    from visits.models import DailyReportEntry

    out["customers"] = Customer.objects.count()
    out["entries"] = DailyReportEntry.objects.count()


# --- the monthly rollup ------------------------------------------------------------


def _months_to_roll() -> tuple:
    """(ordinary month, heavy month): the last closed month, and the month with the
    most entries (the generator's 10x month)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from visits.models import DailyReportEntry

    normal = largedata.add_months(timezone.localdate().replace(day=1), -1)
    heavy = (
        DailyReportEntry.objects.annotate(m=TruncMonth("report__date"))  # type: ignore[index]
        .values("m")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["m"]
    )
    return normal, heavy


def build_all_units(month) -> float:
    from crm_site.accounts.models import ServiceUnit
    from reports.services import summaries_build

    units = list(ServiceUnit.objects.filter(is_active=True).values_list("pk", flat=True))
    started = time.perf_counter()
    summaries_build(unit_ids=units, month=month)
    return time.perf_counter() - started


def rollup_floor(month, unit_id=None) -> dict:
    """The same figures as the monthly builder, for every unit at once, by one
    hand-written SQL statement: compliance against the cadence with the customers
    behind, the opinion and market lists, the month's activity, urgent reports and
    complaints. Returns {unit_id: figures}."""
    from django.utils import timezone

    from reports import rollup
    from visits.queries import span

    w = rollup.window(month, today=timezone.localdate())
    req = rollup.requirements(w)
    t = connection.ops.adapt_datetimefield_value
    weeks = [span(m, s) for m, s in w.weeks]
    lo = min([w.start, *(a for a, _b in weeks)])
    hi = max([w.end, *(b for _a, b in weeks)])

    def grade_case(required: dict) -> tuple[str, list]:
        if not required:
            return "0", []
        return (
            "(CASE c.grade " + " ".join("WHEN %s THEN %s" for _ in required) + " ELSE 0 END)",
            [x for code, n in required.items() for x in (code, n)],
        )

    week_sums = "".join(
        f", SUM(CASE WHEN kind = 'call' AND occurred_at >= %s AND occurred_at < %s THEN 1 ELSE 0 END) AS w{i}"
        for i in range(len(weeks))
    )
    week_params = [x for a, b in weeks for x in (t(a), t(b))]
    visits_case, visits_params = grade_case(req.visits)
    week_cases, week_case_params = [], []
    for i, need in enumerate(req.calls):
        case, params = grade_case(need)
        week_cases.append(f"{case} AS r{i}, COALESCE(k.w{i}, 0) AS w{i}")
        week_case_params += params
    n = len(weeks)
    calls_required = " + ".join(f"r{i}" for i in range(n)) or "0"
    calls_done = " + ".join(f"w{i}" for i in range(n)) or "0"
    calls_counted = " + ".join(f"LEAST(w{i}, r{i})" for i in range(n)) or "0"
    extra = (", " + ", ".join(week_cases)) if week_cases else ""
    one = unit_id is not None
    unit_v = f"AND unit_id = {int(unit_id)}" if one else ""
    unit_c = f"AND c.unit_id = {int(unit_id)}" if one else ""
    unit_r = f"AND r.unit_id = {int(unit_id)}" if one else ""
    unit_s = f"AND s.id = {int(unit_id)}" if one else ""
    sql = f"""
    WITH counts AS (
        SELECT customer_id,
            SUM(CASE WHEN kind = 'visit' AND occurred_at >= %s AND occurred_at < %s THEN 1 ELSE 0 END) AS vd,
            SUM(CASE WHEN kind = 'call' AND occurred_at >= %s AND occurred_at < %s THEN 1 ELSE 0 END) AS cm
            {week_sums}
        FROM visits_visit WHERE occurred_at >= %s AND occurred_at < %s {unit_v}
        GROUP BY customer_id
    ), per AS (
        SELECT c.id, c.unit_id, c.code, c.name, c.grade, c.visiting_person_id,
            COALESCE(k.vd, 0) AS vd, COALESCE(k.cm, 0) AS cm, {visits_case} AS vr {extra}
        FROM customers_customer c LEFT JOIN counts k ON k.customer_id = c.id
        WHERE c.status <> 'lost' {unit_c}
    ), fig AS (
        SELECT *, LEAST(vd, vr) AS vc, ({calls_required}) AS cr, ({calls_done}) AS cd,
            ({calls_counted}) AS cc
        FROM per
    ), compliance AS (
        SELECT unit_id, COUNT(*) AS customers, SUM(vr) AS vr, SUM(vc) AS vc, SUM(vd) AS vd,
            SUM(cr) AS cr, SUM(cc) AS cc, SUM(cd) AS cd, SUM(cm) AS cm,
            COALESCE(json_agg(json_build_array(id, code, name, grade, visiting_person_id, vr, vc, vd, cr, cc, cd)
                ORDER BY visiting_person_id NULLS LAST, grade, code)
                FILTER (WHERE vc < vr OR cc < cr), '[]') AS behind
        FROM fig GROUP BY unit_id
    ), entries AS (
        SELECT r.unit_id, COUNT(DISTINCT r.id) AS reports, COUNT(DISTINCT r.user_id) AS staff,
            COUNT(e.id) AS entries, COUNT(DISTINCT e.customer_id) AS customers_contacted,
            COUNT(e.id) FILTER (WHERE e.needs_escalation) AS flagged,
            COALESCE(json_agg(json_build_array(e.id, e.report_id, e.occurred_at, e.kind, e.customer_id, cu.code, cu.name, r.user_id, u.full_name, e.opinions)
                ORDER BY e.occurred_at, e.id) FILTER (WHERE e.opinions <> ''), '[]') AS opinions,
            COALESCE(json_agg(json_build_array(e.id, e.report_id, e.occurred_at, e.kind, e.customer_id, cu.code, cu.name, r.user_id, u.full_name, e.market)
                ORDER BY e.occurred_at, e.id) FILTER (WHERE e.market <> ''), '[]') AS market
        FROM visits_dailyreport r
        JOIN visits_dailyreportentry e ON e.report_id = r.id
        JOIN customers_customer cu ON cu.id = e.customer_id
        JOIN accounts_user u ON u.id = r.user_id
        WHERE r.date >= %s AND r.date <= %s {unit_r}
        GROUP BY r.unit_id
    ), urgent AS (
        SELECT unit_id,
            COUNT(*) FILTER (WHERE created_at >= %s AND created_at < %s) AS raised,
            COUNT(*) FILTER (WHERE resolved_at >= %s AND resolved_at < %s) AS resolved,
            COUNT(*) FILTER (WHERE created_at < %s AND (resolved_at IS NULL OR resolved_at >= %s)) AS open
        FROM visits_urgentreport WHERE created_at < %s AND (resolved_at IS NULL OR resolved_at >= %s)
        GROUP BY unit_id
    ), complaints AS (
        SELECT unit_id, COUNT(*) AS received, COUNT(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
            COUNT(*) FILTER (WHERE resolved_at IS NOT NULL AND resolved_at <= deadline) AS on_time
        FROM complaints_complaint WHERE received_at >= %s AND received_at < %s
        GROUP BY unit_id
    )
    SELECT s.id, c.customers, c.vr, c.vc, c.vd, c.cr, c.cc, c.cd, c.cm, c.behind,
        e.reports, e.entries, e.opinions, e.market, g.raised, g.resolved, g.open,
        p.received, p.resolved, p.on_time
    FROM accounts_serviceunit s
    LEFT JOIN compliance c ON c.unit_id = s.id
    LEFT JOIN entries e ON e.unit_id = s.id
    LEFT JOIN urgent g ON g.unit_id = s.id
    LEFT JOIN complaints p ON p.unit_id = s.id
    WHERE s.is_active {unit_s}
    """
    now = timezone.now()
    cutoff = min(w.end, now)
    params = [t(w.start), t(w.end), t(w.start), t(w.end), *week_params, t(lo), t(hi)]
    params += [*visits_params, *week_case_params]
    params += [w.month, w.last_day]
    params += [
        t(w.start),
        t(w.end),
        t(w.start),
        t(w.end),
        t(cutoff),
        t(cutoff),
        t(w.end),
        t(w.start),
    ]
    params += [t(w.start), t(w.end)]
    with transaction.atomic(), connection.cursor() as cursor:
        allow_long_statements()  # like the builder it is measured against
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    import json

    result = {}
    for row in rows:
        behind = row[9] if isinstance(row[9], list) else json.loads(row[9] or "[]")
        opinions = row[12] if isinstance(row[12], list) else json.loads(row[12] or "[]")
        market = row[13] if isinstance(row[13], list) else json.loads(row[13] or "[]")
        result[row[0]] = {
            "customers": row[1] or 0,
            "visits_done": row[4] or 0,
            "calls_done": row[8] or 0,
            "customers_behind": len(behind),
            "opinions_count": len(opinions),
            "market_count": len(market),
            "urgent_raised": row[14] or 0,
            "urgent_resolved": row[15] or 0,
            "urgent_open": row[16] or 0,
            "complaints_received": row[17] or 0,
        }
    return result


def measure_rollup(out: dict) -> None:
    from reports.models import MonthlyPatrolSummary

    if connection.vendor != "postgresql":
        out["rollup_note"] = "rollup figures need PostgreSQL"
        return
    normal, heavy = _months_to_roll()
    out["rollup_month"] = normal.isoformat()
    out["rollup_10x_month"] = heavy.isoformat()
    build_all_units(normal)  # warm-up (and the first insert of the rows)
    out["rollup_month_s"] = round(min(build_all_units(normal) for _ in range(2)), 2)
    floor_times, floor = [], {}
    for _ in range(3):
        started = time.perf_counter()
        floor = rollup_floor(normal)
        floor_times.append(time.perf_counter() - started)
    out["rollup_sql_floor_s"] = round(min(floor_times), 2)
    built = {
        s["unit_id"]: s
        for s in MonthlyPatrolSummary.objects.filter(month=normal).values(
            "unit_id", *next(iter(floor.values())).keys()
        )
    }
    out["rollup_floor_matches_builder"] = all(
        {k: built[u][k] for k in figures} == figures for u, figures in floor.items() if u in built
    )
    build_all_units(heavy)
    out["rollup_10x_s"] = round(min(build_all_units(heavy) for _ in range(2)), 2)


# --- urgent report routing with a real worker -------------------------------------


def measure_urgent_routing(out: dict, reports: int = 50) -> None:
    """Submit `reports` urgent reports one after another as the supervisor of the
    largest unit; the time from the submit call to the report seen routed in the
    database, with a real `celery worker` process consuming the broker."""
    from crm_site.celery import app
    from visits.models import UrgentReport
    from visits.urgent.services import urgent_report_raise

    if not settings.REDIS_URL:
        out["urgent_route_note"] = "needs REDIS_URL (a real broker and worker)"
        return
    _client, user = supervisor_client()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with tempfile.TemporaryDirectory() as tmp:
        worker = start_worker(Path(tmp) / "worker.log")
        try:
            samples = []
            for n in range(reports):
                started = time.perf_counter()
                report, _created = urgent_report_raise(
                    actor=user,
                    unit=user.primary_unit,
                    category=UrgentReport.Category.OTHER,
                    title=f"基准测试紧急报告 {n + 1}",
                    details="bench",
                )
                deadline = started + 30
                while not UrgentReport.objects.filter(
                    pk=report.pk, routed_at__isnull=False
                ).exists():
                    if time.perf_counter() > deadline:
                        raise RuntimeError("an urgent report was not routed within 30 s")
                    time.sleep(0.005)
                samples.append((time.perf_counter() - started) * 1000)
        finally:
            worker.terminate()
            worker.wait(30)
            app.conf.task_always_eager = previous
    out["urgent_route_p99_ms"] = round(p99(samples), 1)
    out["urgent_route_median_ms"] = round(sorted(samples)[len(samples) // 2], 1)


# --- afterwards -----------------------------------------------------------------

# The tables the measurements write to and roll back or clean up.
TOUCHED_TABLES = (
    "customers_customer",
    "customers_customerchange",
    "customers_gradechange",
    "visits_visit",
    "visits_urgentreport",
    "visits_urgentreportevent",
    "complaints_complaint",
    "complaints_complaintevent",
    "customers_customerimport",
    "core_notification",
    "django_session",
)


@contextmanager
def leaving_data_as_found():
    """Delete what the measurements committed (the routed urgent reports, the
    notifications of routing and rollups) and VACUUM ANALYZE, so that a second
    run measures what the first did. The import and the card's history are
    rolled back where they are made."""
    from crm_site.core.models import Notification
    from visits.models import UrgentReport

    last = {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (UrgentReport, Notification)
    }
    try:
        yield
    finally:
        for model, pk in last.items():
            model.objects.filter(pk__gt=pk).delete()
        vacuum_analyze()


def vacuum_analyze() -> None:
    """Reclaim what the rolled-back and deleted rows left behind and refresh the
    planner's statistics, so that the next run reads the data as a fresh one."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TOUCHED_TABLES:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


# --- EXPLAIN of every list filter ---------------------------------------------------

LIST_FILTERS = {
    "grade": "C",
    "status": "active",
    "nature": "manufacturer",
    "trend": "growing",
    "region": "__region__",
    "visiting_person": "__person__",
    "q": "上海",
    "q_name": "远航电",
    "q_code": "LC00012",
    "q_phone": "1380",
}


def explain_customer_filters(as_admin: bool = False) -> dict[str, str]:
    """EXPLAIN ANALYZE of the customer list's page query (the first page, as the
    list reads it) and of its capped count, for each filter (README)."""
    from crm_site.core.listing import COUNT_CAP
    from customers import selectors
    from customers.models import Customer
    from customers.selectors import PAGE_COUNT_COLUMN

    _client, user = supervisor_client()
    if as_admin:
        user = _admin()
    sample = (
        Customer.objects.visible_to(user).exclude(region=None).exclude(visiting_person=None).first()
    )
    plans = {}
    for key, value in LIST_FILTERS.items():
        name = "q" if key.startswith("q") else key
        if value == "__region__":
            value = str(sample.region_id)
        elif value == "__person__":
            value = str(sample.visiting_person_id)
        from customers.models import GradingRule

        rule = GradingRule.objects.current().as_rule()
        filters = selectors.customer_filter(user=user, data={name: value}, rule=rule)
        qs = selectors.customer_list(
            user=user, filters=filters.cleaned_filters(), sort="code", rule=rule
        )
        page = selectors.customer_page_rows(qs, sort="code", rule=rule)[0:20]
        counted = qs.order_by().values(PAGE_COUNT_COLUMN)[: COUNT_CAP + 1]
        analyze = {"analyze": True} if connection.vendor == "postgresql" else {}
        plans[f"{name}={value}"] = page.explain(**analyze)
        if connection.vendor == "postgresql":
            # The count as the paginator runs it: COUNT(*) over the capped rows.
            sql, params = counted.query.get_compiler(using=counted.db).as_sql()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) capped", params)
                plans[f"{name}={value} (count)"] = "\n".join(r[0] for r in cursor.fetchall())
    return plans
