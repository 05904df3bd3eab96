"""The benchmark behind `manage.py bench` (README "Performance").

Every figure is measured in this process on the configured database against
the generated dataset (crm_site.core.largedata), logged in as the supervisor of
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
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from . import largedata

REQUESTS = 30
WARMUP = 5
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


def timed_requests(client: Client, url: str, params=None, n: int = REQUESTS) -> list[float]:
    for _ in range(WARMUP):
        assert client.get(url, params).status_code == 200
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def supervisor_client():
    from crm_site.accounts.models import User

    user = User.objects.get(username="l01_sup")
    client = Client()
    client.force_login(user)
    return client, user


@contextmanager
def captured_context():
    """Let the test client record template contexts, only for the requests inside."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


def capture_floor_context(client: Client) -> int:
    """Capture the navigation context once; return the list's number of pages."""
    with captured_context():
        response = client.get("/customers/", LIST_FILTER)
    keys = ("nav_items", "crm_name", "unread_notifications", "nav_badges")
    _FLOOR_CONTEXT.clear()
    _FLOOR_CONTEXT.update({k: response.context[k] for k in keys})
    return response.context["page_obj"].paginator.num_pages


def measure_pages(out: dict) -> None:
    client, _user = supervisor_client()
    last_page = capture_floor_context(client)
    out["render_floor_p90_ms"] = round(p90(timed_requests(client, "/__bench__/floor/")), 1)
    out["customer_list_p90_ms"] = round(p90(timed_requests(client, "/customers/", LIST_FILTER)), 1)
    out["customer_list_pages"] = last_page
    out["customer_list_last_page_p90_ms"] = round(
        p90(timed_requests(client, "/customers/", LIST_FILTER | {"page": last_page})), 1
    )
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            client.get("/customers/", LIST_FILTER | {"per_page": size})
        out[f"queries_{size}_rows"] = len(queries.captured_queries)


# --- export ---------------------------------------------------------------------


def _admin():
    from crm_site.accounts.models import User

    admin = User.objects.filter(is_superuser=True).first()
    if admin is None:
        admin = User.objects.create_superuser("bench_admin", "bench@example.com", "crm-demo-2026")
    return admin


def measure_export(out: dict) -> None:
    from openpyxl import Workbook

    from customers import xlsx
    from customers.views.excel import _export_rows, write_export

    from .exports import job_request

    request = job_request(_admin(), {})
    with tempfile.TemporaryFile() as stream:
        started = time.perf_counter()
        rows, _name = write_export(request, stream, progress=lambda n: None)
        out["export_100k_s"] = round(time.perf_counter() - started, 2)
    out["export_rows"] = rows

    # The floor: the same rows' values, fetched first, written with openpyxl
    # write-only and nothing else.
    _f, customers, _s = _export_rows(request)
    fields = ["code", "name", "nature", "scale", "annual_revenue", "trend", "industry", "address"]
    values = list(customers.values_list(*fields))
    width = len(xlsx.COLUMNS)
    with tempfile.TemporaryFile() as stream:
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("floor")
        ws.append([c.key for c in xlsx.COLUMNS])
        for row in values:
            ws.append((list(row) + [""] * width)[:width])
        wb.save(stream)
        out["export_floor_s"] = round(time.perf_counter() - started, 2)
    del values

    tracemalloc.start()
    with tempfile.TemporaryFile() as stream:
        write_export(request, stream, progress=lambda n: None)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["export_peak_mb"] = round(peak / 1024 / 1024, 1)


# --- import -----------------------------------------------------------------------


def measure_import(out: dict, rows: int = 10_000) -> None:
    """Validate and apply a 10,000-row import: the supervisor's own customers,
    exported, one cell changed per row (so every row is an update)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from customers.models import CustomerImport
    from customers.services import imports
    from customers.views.excel import write_export

    from .exports import job_request

    client, user = supervisor_client()
    buffer = io.BytesIO()
    write_export(job_request(_admin(), {"unit": str(user.primary_unit.pk)}), buffer)
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

    started = time.perf_counter()
    record = imports.customer_import_upload(actor=user, upload=upload)
    imports.customer_import_check(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.state == CustomerImport.State.PREVIEWED, record.result
    imports.customer_import_request_apply(actor=user, record=record)
    imports.customer_import_apply(import_id=str(record.pk))
    out["import_10k_s"] = round(time.perf_counter() - started, 2)
    record.refresh_from_db()
    out["import_rows"] = min(kept, rows)
    out["import_state"] = record.state


# --- worker helpers -----------------------------------------------------------------


def start_worker(log_path: Path):
    """A `celery worker` process on the configured database and broker."""
    env = os.environ.copy()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "crm_site", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
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
