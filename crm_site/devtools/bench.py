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
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from crm_site.core import months
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
    """base.html as every signed-in page renders it: through the context
    processors (the navigation with its counts, the user, the messages), with a
    line of content and no query of the view's own. The middleware's session
    and user lookups remain, as on every page."""
    from django.shortcuts import render

    return render(request, "core/bench_floor.html")


def prepared_floor_view(request):
    """The floor as measured before: base.html with the navigation context
    captured once, so that it pays neither the navigation's counts nor the
    context processors (kept for comparison with the earlier figures)."""
    from django.http import HttpResponse

    context = dict(_FLOOR_CONTEXT)
    context.update(request=request, user=request.user, csrf_token=get_token(request), messages=[])
    return HttpResponse(get_template("core/bench_floor.html").render(context))


urlpatterns = [
    path("__bench__/floor/", floor_view),
    path("__bench__/floor/prepared/", prepared_floor_view),
]


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
        url, params, *headers = pages[name]
        for _ in range(WARMUP):
            assert client.get(url, params, headers=(headers or [None])[0]).status_code == 200
    samples: dict[str, list] = {name: [] for name in names}
    for i in range(n):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            url, params, *headers = pages[name]
            started = time.perf_counter()
            response = client.get(url, params, headers=(headers or [None])[0])
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
        api = api_pages(user)
        samples = interleaved_requests(
            client,
            api["pages"]
            | {
                "render_floor_p90_ms": ("/__bench__/floor/", None),
                "render_floor_prepared_p90_ms": ("/__bench__/floor/prepared/", None),
                "customer_list_p90_ms": ("/customers/", LIST_FILTER),
                "customer_list_last_page_p90_ms": (
                    "/customers/",
                    LIST_FILTER | {"page": last_page},
                ),
                "customer_card_p90_ms": (card.get_absolute_url(), None),
                "waybill_search_p90_ms": ("/search/", {"q": waybill}),
                "complaint_list_p90_ms": ("/complaints/", None),
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
        for size in (10, 100):
            with CaptureQueriesContext(connection) as queries:
                client.get("/api/v1/customers/", {"page_size": size}, headers=api["headers"])
            out[f"api_queries_{size}_rows"] = len(queries.captured_queries)
        out["api_customer_list_deep_page"] = api["deep_page"]
        complaint_queries(client, out)
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


def _cursor_after(position: int) -> str:
    """The API's cursor for the page after the row with this id (DRF's encoding)."""
    from base64 import b64encode
    from urllib.parse import urlencode

    return b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


API_PAGE_SIZE = 50
API_DEEP_PAGES = 1000


def api_pages(user) -> dict:
    """The API's customer list as two more interleaved pages, each with an API
    key: the first page of 50 rows for `user` (the page figures' supervisor),
    and the page after 1,000 cursor pages for an admin (the only role that sees
    50,000 customers; on a smaller dataset, the deepest page there is). Keys and
    the admin are made in the caller's rolled-back transaction."""
    from django.contrib.auth.models import Group

    from crm_site.accounts.models import Role, User
    from crm_site.api.services import api_key_create
    from customers.models import Customer

    admin = User.objects.create_user("bench_api_admin", password=None, full_name="bench")
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])
    _row, user_key = api_key_create(actor=user, user=user, name="bench")
    _row, admin_key = api_key_create(actor=admin, user=admin, name="bench")
    total = Customer.objects.count()
    deep = max(0, min(API_DEEP_PAGES, total // API_PAGE_SIZE - 1))
    ids = Customer.objects.order_by("-id").values_list("id", flat=True)
    params: dict[str, object] = {"page_size": API_PAGE_SIZE}
    if deep:
        params["cursor"] = _cursor_after(ids[deep * API_PAGE_SIZE - 1])
    headers = {"Authorization": f"Api-Key {user_key}"}
    return {
        "headers": headers,
        "deep_page": deep + 1,
        "pages": {
            "api_customer_list_p90_ms": (
                "/api/v1/customers/",
                {"page_size": API_PAGE_SIZE},
                headers,
            ),
            "api_customer_list_deep_p90_ms": (
                "/api/v1/customers/",
                params,
                {"Authorization": f"Api-Key {admin_key}"},
            ),
        },
    }


def complaint_queries(client: Client, out: dict) -> None:
    """The complaint register's queries on its first page and on its last (fewer
    rows, unless the count divides evenly): the same whatever the rows."""
    with captured_context():
        first = client.get("/complaints/")
    paginator = first.context["page_obj"].paginator
    out["complaint_list_pages"] = paginator.num_pages
    pages = {"first": 1, "last": paginator.num_pages}
    for name, number in pages.items():
        client.get("/complaints/", {"page": number})
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/complaints/", {"page": number})
        out[f"complaint_queries_{name}_page"] = len(queries.captured_queries)
        assert response.status_code == 200, response.status_code
        last_rows = paginator.count - (paginator.num_pages - 1) * paginator.per_page
        out[f"complaint_rows_{name}_page"] = (
            min(paginator.per_page, paginator.count) if number == 1 else last_rows
        )


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
    plan = largedata.Plan.quick() if quick else largedata.Plan()
    if largedata.already_generated():
        # A dataset generated before the complaints at scale or the turnover were part of it.
        generator = largedata.Generator(plan, progress=progress)
        generator.add_complaints_at_scale().add_turnover()
        return
    largedata.Generator(plan, progress=progress).run()


def dataset_size(out: dict) -> None:
    from customers.models import Customer
    from customers.revenue.models import MonthlyTurnover
    from visits.models import DailyReportEntry

    out["customers"] = Customer.objects.count()
    out["turnover_rows"] = MonthlyTurnover.objects.count()
    out["entries"] = DailyReportEntry.objects.count()


# --- the monthly rollup ------------------------------------------------------------


def _months_to_roll() -> tuple:
    """(ordinary month, heavy month): the last closed month, and the month with the
    most entries (the generator's 10x month)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from visits.models import DailyReportEntry

    normal = months.shift(timezone.localdate().replace(day=1), -1)
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


# --- revenue: the gap analysis and the turnover import ---------------------------

REVENUE_RUNS = 5
TURNOVER_IMPORT_ROWS = 100_000


def gap_year_end(latest: date) -> date:
    """December of the newest year whose every month has turnover (the year the
    gap figure analyses), given the newest month stored."""
    year = latest.year if latest.month == 12 else latest.year - 1
    return date(year, 12, 1)


def gap_figures(user, unit, month) -> dict:
    """What the gap page computes (reports/revenue_views.py): the gap analysis
    with its individual analysis and the new customers, through the revenue
    selectors, reduced to comparable totals."""
    from customers.revenue import selectors

    analysis = selectors.gap_analysis(user=user, unit=unit, month=month)
    newcomers = analysis.newcomers
    assert newcomers is not None
    return {
        "by_month": [(m, line.actual, line.target) for m, line in analysis.by_month],
        "year_to_date": (analysis.year_to_date.actual, analysis.year_to_date.target),
        "by_person": sorted((line.label, line.actual, line.target) for line in analysis.by_person),
        "by_grade": [(line.label, line.actual, line.target) for line in analysis.by_grade],
        "drops": [c["change"] for c in analysis.drops],
        "rises": [c["change"] for c in analysis.rises],
        "retention": (analysis.retention["base"], analysis.retention["kept"]),
        "new_by_month": newcomers.by_month,
        "new_by_person": sorted((name, total) for name, _counts, total in newcomers.by_person),
    }


REVENUE_FLOOR_SQL = """
WITH per AS (
    SELECT c.id, c.grade, c.visiting_person_id AS person,
        SUM(t.amount) FILTER (WHERE t.month >= %(start)s) AS now,
        SUM(t.amount) FILTER (WHERE t.month >= %(before_start)s AND t.month <= %(before_end)s) AS before,
        BOOL_OR(t.month = %(year_before)s AND t.amount > 0) AS base,
        BOOL_OR(t.month = %(end)s AND t.amount > 0) AS kept,
        MIN(t.month) FILTER (WHERE t.amount > 0) AS first,
        {month_sums}
    FROM customers_monthlyturnover t
    JOIN customers_customer c ON c.id = t.customer_id
    WHERE c.unit_id = %(unit)s AND t.month <= %(end)s
    GROUP BY c.id
), targets AS (
    SELECT month, person_id, grade, amount FROM customers_revenuetarget
    WHERE unit_id = %(unit)s AND month >= %(start)s AND month <= %(end)s
), people AS (
    SELECT COALESCE(a.person, g.person) AS person, a.actual, g.target
    FROM (SELECT person, SUM(now) AS actual FROM per WHERE now IS NOT NULL GROUP BY person) a
    FULL JOIN (SELECT person_id AS person, SUM(amount) AS target FROM targets
               WHERE person_id IS NOT NULL AND grade = '' GROUP BY person_id) g
        ON g.person = a.person
), grades AS (
    SELECT COALESCE(a.grade, g.grade) AS grade, a.actual, g.target
    FROM (SELECT grade, SUM(now) AS actual FROM per WHERE now IS NOT NULL GROUP BY grade) a
    FULL JOIN (SELECT grade, SUM(amount) AS target FROM targets
               WHERE person_id IS NULL AND grade <> '' GROUP BY grade) g ON g.grade = a.grade
), movers AS (
    SELECT COALESCE(now, 0) - COALESCE(before, 0) AS change FROM per
    WHERE now IS NOT NULL OR before IS NOT NULL
)
SELECT 'month', v.n::text, NULL::text, SUM(v.x), NULL::numeric
FROM per, LATERAL (VALUES {month_values}) v(n, x) WHERE v.x IS NOT NULL GROUP BY v.n
UNION ALL
SELECT 'target', EXTRACT(MONTH FROM month)::text, NULL, amount, NULL
FROM targets WHERE person_id IS NULL AND grade = ''
UNION ALL
SELECT 'person', p.person::text, COALESCE(NULLIF(u.full_name, ''), NULLIF(u.username, ''), '-'),
    p.actual, p.target
FROM people p LEFT JOIN accounts_user u ON u.id = p.person
UNION ALL
SELECT 'grade', grade, NULL, actual, target FROM grades
UNION ALL
(SELECT 'drop', NULL, NULL, change, NULL FROM movers WHERE change < 0 ORDER BY change LIMIT %(top)s)
UNION ALL
(SELECT 'rise', NULL, NULL, change, NULL FROM movers WHERE change > 0 ORDER BY change DESC LIMIT %(top)s)
UNION ALL
SELECT 'retention', NULL, NULL, COUNT(*) FILTER (WHERE base), COUNT(*) FILTER (WHERE base AND kept)
FROM per
UNION ALL
SELECT 'new', COALESCE(NULLIF(u.full_name, ''), NULLIF(u.username, ''), '-'),
    EXTRACT(MONTH FROM p.first)::text, COUNT(*), NULL
FROM per p LEFT JOIN accounts_user u ON u.id = p.person
WHERE p.first >= %(start)s GROUP BY 2, 3
"""


def revenue_floor_query(unit_id: int, month: date, top: int = 10) -> tuple[str, dict]:
    """REVENUE_FLOOR_SQL for one unit and January to `month` of its year, with its parameters."""
    end = months.first_of(month)
    start = date(end.year, 1, 1)
    count = end.month
    sums = ",\n        ".join(
        f"SUM(t.amount) FILTER (WHERE t.month = %(m{i})s) AS m{i}" for i in range(count)
    )
    values = ", ".join(f"({i}, m{i})" for i in range(count))
    params = {
        "unit": unit_id,
        "start": start,
        "end": end,
        "before_start": months.shift(start, -12),
        "before_end": months.shift(end, -12),
        "year_before": months.shift(end, -12),
        "top": top,
        **{f"m{i}": months.shift(start, i) for i in range(count)},
    }
    return REVENUE_FLOOR_SQL.format(month_sums=sums, month_values=values), params


def revenue_floor(unit_id: int, month: date, top: int = 10) -> dict:
    """The gap page's figures for one unit and year (gap_figures) from one
    hand-written SQL statement: one pass over the unit's turnover up to
    `month` for every per-customer figure, the targets beside them."""
    from decimal import Decimal

    sql, params = revenue_floor_query(unit_id, month, top)
    start, count = params["start"], params["end"].month
    with connection.cursor() as cursor:  # under the web's statement timeout, like the page
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    zero = Decimal(0)
    actual, target = {}, {}
    people, grades, drops, rises, retention = [], [], [], [], (0, 0)
    new: dict[str, dict[int, int]] = {}
    for kind, key, label, a, b in rows:
        if kind == "month":
            actual[int(key)] = a
        elif kind == "target":
            target[int(key) - 1] = a
        elif kind == "person":
            people.append((label if key else "-", a or zero, b))
        elif kind == "grade":
            grades.append((key or "-", a or zero, b))
        elif kind == "drop":
            drops.append(a)
        elif kind == "rise":
            rises.append(a)
        elif kind == "retention":
            retention = (int(a), int(a if b is None else b))
        elif kind == "new":
            new.setdefault(key, {})[int(label)] = int(a)
    axis = [months.shift(start, i) for i in range(count)]
    unit_targets = [target.get(i) for i in range(count)]
    known = [t for t in unit_targets if t is not None]
    return {
        "by_month": [(m, actual.get(i, zero), unit_targets[i]) for i, m in enumerate(axis)],
        "year_to_date": (sum(actual.values(), zero), sum(known, zero) if known else None),
        "by_person": sorted(people),
        "by_grade": sorted(grades),
        "drops": drops,
        "rises": rises,
        "retention": retention,
        "new_by_month": [sum(n.get(m.month, 0) for n in new.values()) for m in axis],
        "new_by_person": sorted((name, sum(n.values())) for name, n in new.items()),
    }


def _best_of(work, runs: int = REVENUE_RUNS) -> float:
    """The shortest of `runs` timings of `work()`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def measure_revenue(out: dict) -> None:
    """The gap analysis of the largest unit for its newest whole year through
    the revenue selectors (what the gap page computes) against the same figures
    from one SQL statement, then an import of a month of turnover for every
    customer (up to TURNOVER_IMPORT_ROWS rows) through the import service."""
    from customers.revenue.services import latest_month

    _client, user = supervisor_client()
    latest = latest_month()
    if latest is None:
        out["revenue_note"] = "no turnover in the dataset"
        return
    unit, month = user.primary_unit, gap_year_end(latest)
    out["revenue_gap_month"] = month.isoformat()[:7]
    selector = gap_figures(user, unit, month)  # warm-up
    if connection.vendor != "postgresql":
        out["revenue_gap_s"] = round(_best_of(lambda: gap_figures(user, unit, month)), 3)
        out["revenue_note"] = "the SQL floor needs PostgreSQL"
    else:
        floor = revenue_floor(unit.pk, month)
        gap_times, floor_times = [], []
        for _ in range(REVENUE_RUNS):  # in turn, so that a busy moment falls on both
            gap_times.append(_best_of(lambda: gap_figures(user, unit, month), 1))
            floor_times.append(_best_of(lambda: revenue_floor(unit.pk, month), 1))
        out["revenue_gap_s"] = round(min(gap_times), 3)
        out["revenue_sql_floor_s"] = round(min(floor_times), 3)
        out["revenue_floor_matches_selector"] = floor == selector
        if floor != selector:
            out["revenue_floor_differs"] = sorted(k for k in floor if floor[k] != selector[k])
    out["revenue_gap_year_actual"] = str(selector["year_to_date"][0])
    measure_turnover_import(out, latest)


def turnover_upload(month, rows: int):
    """An .xlsx of `month`'s turnover for the first `rows` customers by code,
    each near its newest figure (made beforehand, not timed)."""
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import OuterRef, Subquery
    from openpyxl import Workbook

    from customers.models import Customer
    from customers.revenue import xlsx as sheet
    from customers.revenue.models import MonthlyTurnover

    rng = random.Random(month.toordinal())
    newest = MonthlyTurnover.objects.filter(customer=OuterRef("pk")).order_by("-month")
    customers = (
        Customer.objects.order_by("code")
        .annotate(amount=Subquery(newest.values("amount")[:1]))
        .values_list("code", "amount")[:rows]
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("turnover")
    ws.append([str(label) for _key, label, _width in sheet.COLUMNS])
    written = 0
    for code, amount in customers.iterator(chunk_size=10_000):
        figure = round(float(amount or 0) * rng.uniform(0.85, 1.15), 2)
        ws.append([code, f"{month:%Y-%m}", figure])
        written += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("turnover.xlsx", buffer.getvalue()), written


def measure_turnover_import(out: dict, latest) -> None:
    """The month after the newest one for every customer (up to
    TURNOVER_IMPORT_ROWS rows), imported by an admin through the service the
    import page calls: every row new, every customer's rolling figures
    refreshed. Rolled back, so a second run imports into the same data."""
    from customers.revenue import services

    admin = _admin()
    upload, rows = turnover_upload(months.shift(latest, 1), TURNOVER_IMPORT_ROWS)
    with transaction.atomic():  # under the web's statement timeout, like the page
        started = time.perf_counter()
        outcome = services.turnover_import(actor=admin, upload=upload, name=upload.name)
        out["revenue_import_100k_s"] = round(time.perf_counter() - started, 2)
        transaction.set_rollback(True)
    out["revenue_import_rows"] = rows
    out["revenue_import_created"] = outcome.created
    out["revenue_import_errors"] = outcome.error_count


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


# --- the nightly planner ----------------------------------------------------------


class _RolledBack(Exception):
    pass


def measure_plans(out: dict) -> None:
    """The planner's run for every customer (visits/plans/services.py), then a
    second run right after, which must add nothing; both rolled back, so the
    calendar is left as it was."""
    from visits.models import PlannedContact
    from visits.plans.services import planned_contacts_generate

    try:
        with transaction.atomic():
            started = time.perf_counter()
            first = planned_contacts_generate()
            out["plan_generate_s"] = round(time.perf_counter() - started, 2)
            out["plan_rows"] = first.created
            out["plan_people"] = PlannedContact.objects.values("person_id").distinct().count()
            out["plan_rerun_new_rows"] = planned_contacts_generate().created
            # A supervisor's unit week on the calendar (its event source), beside the floor.
            client, user = supervisor_client()
            capture_floor_context(client)
            monday = first.first_day - timedelta(days=first.first_day.weekday())
            week = {
                "unit": user.primary_unit.pk,
                "start": monday.isoformat(),
                "end": (monday + timedelta(days=7)).isoformat(),
            }
            samples = interleaved_requests(
                client,
                {
                    "floor": ("/__bench__/floor/", None),
                    "calendar_week_p90_ms": ("/visits/calendar/events/", week),
                },
            )
            out["calendar_week_p90_ms"] = round(p90(samples["calendar_week_p90_ms"]), 1)
            out.setdefault("render_floor_p90_ms", round(p90(samples["floor"]), 1))
            raise _RolledBack
    except _RolledBack:
        pass


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
    "customers_monthlyturnover",
    "customers_turnoverevent",
    "customers_regraderun",
    "core_auditlog",
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
