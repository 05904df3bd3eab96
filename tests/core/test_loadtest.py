"""A short `make loadtest`: gunicorn (4 workers), the urgent and bulk Celery
workers and beat on the test database and a redis-server of the test's own,
a few simulated users for 30 seconds, a web worker and a Celery worker
SIGKILLed and Redis restarted during the run. Nothing answered with success
is lost or stored twice, every urgent report raised is routed, and the
figures are written as JSON (the full run: README, "Load test")."""

import importlib.util
import json
import shutil

import pytest

from crm_site.devtools.loadtest import driver
from tests.conftest import require
from tests.support import services

pytestmark = [pytest.mark.slow, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_a_short_load_run_with_faults_loses_and_duplicates_nothing(postgres_required, tmp_path):
    require(shutil.which("redis-server") is not None, "redis-server")
    require(importlib.util.find_spec("locust") is not None, "locust (pip install -e '.[dev]')")
    output = tmp_path / "loadtest.json"

    result = driver.run(
        driver.Options(
            users=8,
            duration=30,
            database_url=services.test_database_url(),
            workdir=tmp_path / "run",
            output=output,
        )
    )

    written = json.loads(output.read_text(encoding="utf-8"))
    assert written["run"] == result["run"]
    assert [fault["fault"] for fault in written["faults"]] == [
        "gunicorn worker SIGKILL",
        "celery urgent worker SIGKILL + restart",
        "redis restart",
    ]
    assert not any(fault.get("skipped") for fault in written["faults"])
    checks = written["checks"]
    assert checks["entries"]["accepted"] > 0, checks
    assert written["lost"] == 0, checks
    assert written["duplicated"] == 0, checks
    assert written["unrouted"] == 0, checks
    assert written["requests"] > 0
    for name in ("entry save", "customers search", "login"):
        figures = written["endpoints"][name]
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], (name, figures)
        assert figures["per_second"] > 0
    assert "error_rate_inside_redis_window" in written
    assert "errors_outside_redis_window" in written
