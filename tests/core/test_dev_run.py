"""`make run` runs everything with no services: the web server, a worker for
each queue and beat (Procfile.dev under honcho) on SQLite and the broker folder.

The test starts Procfile.dev the way `make run` does, in a folder of its own
(its own SQLite file and broker folder), raises an urgent report through the
service and sees the worker route it; then stops everything as Ctrl-C does
and starts again, as a second `make run` would.
"""

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.support.processes import _wait_for_port, free_port
from tests.support.services import ROOT, run_python, spawn, stop_process, wait_until
from visits.models import UrgentReport

pytestmark = pytest.mark.slow

RAISE = """
import django
django.setup()
from crm_site.accounts.models import Role
from tests import factories as f
from visits.urgent.services import urgent_report_raise
unit = f.make_unit(code="DEV", name="演示营业部")
f.make_user(Role.MANAGER, unit, username="dev-manager")
supervisor = f.make_user(Role.SUPERVISOR, unit, username="dev-supervisor")
report, _ = urgent_report_raise(
    actor=supervisor, unit=unit, category="other", title="演示紧急报告", details="仓库漏水"
)
print(report.pk)
"""


def dev_environment(folder: Path, port: int) -> dict:
    """What `make run` gives its processes: debug, no DATABASE_URL, no REDIS_URL
    (here: a SQLite file and a broker folder of the test's own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DJANGO_DEBUG", "CELERY_EAGER", "CELERY_QUEUE"}
    }
    return env | {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_DIR": str(folder / "broker"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "LOG_FORMAT": "text",
        "PORT": str(port),
    }


def start_honcho(folder: Path, env: dict, log: Path):
    honcho = [sys.executable, "-m", "honcho", "-f", str(ROOT / "Procfile.dev")]
    proc = spawn([*honcho, "start", "-p", env["PORT"]], log, env)
    _wait_for_port(int(env["PORT"]), proc, "make run's web server", timeout=90)
    # Both workers and beat up (each logs this once it takes messages).
    wait_until(lambda: log.read_bytes().count(b" ready.") >= 2, timeout=90, interval=0.2)
    wait_until(lambda: b"beat: Starting" in log.read_bytes(), timeout=60, interval=0.2)
    return proc


def ctrl_c(proc) -> None:
    """What Ctrl-C in the terminal does: SIGINT to honcho, which stops the rest."""
    os.kill(proc.pid, signal.SIGINT)
    try:
        proc.wait(30)
    finally:
        stop_process(proc)  # frees its log; kills the group if anything was left


def status_of(db: Path, pk: int) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            f"SELECT status FROM {UrgentReport._meta.db_table} WHERE id = ?", (pk,)
        ).fetchone()
    return row[0] if row else None


def test_make_run_routes_an_urgent_report_within_10_seconds_and_restarts_cleanly(tmp_path):
    port = free_port()
    env = dev_environment(tmp_path, port)
    run_python("manage.py", "migrate", "--noinput", env=env, timeout=300, check=True)
    log = tmp_path / "honcho.log"
    proc = start_honcho(tmp_path, env, log)
    try:
        raised = run_python("-c", RAISE, env=env, timeout=60, check=True)
        pk = int(raised.stdout.strip().splitlines()[-1])
        # Routed by the urgent worker within 10 seconds of the commit.
        wait_until(lambda: status_of(tmp_path / "db.sqlite3", pk) == "routed", timeout=10)
    finally:
        ctrl_c(proc)
    assert proc.returncode is not None
    assert b"Traceback" not in log.read_bytes()

    # A second start: nothing stale (port, beat lock, schedule file) stops it.
    again = start_honcho(tmp_path, env, tmp_path / "again.log")
    ctrl_c(again)
