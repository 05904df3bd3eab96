"""The production processes: exactly one beat (a second refuses to start),
and gunicorn's config file loads (Procfile, deploy/)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import require
from tests.support.services import ROOT, redis_reachable, spawn, stop_process, wait_until

pytestmark = pytest.mark.slow

TAKEN = b"beat lock taken"


def beat_environment(tmp_path: Path, lock: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_DEBUG"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "PYTHONUNBUFFERED": "1",
        "LOG_FORMAT": "text",
    }
    if lock == "redis":
        env["REDIS_URL"] = settings.REDIS_URL
    return env


def start_beat(tmp_path: Path, name: str, env: dict):
    args = [sys.executable, "-m", "celery", "-A", "crm_site", "beat", "--loglevel", "INFO"]
    args += ["--schedule", str(tmp_path / f"{name}-schedule")]
    return spawn(args, tmp_path / f"{name}.log", env)


def log_of(proc) -> bytes:
    return Path(proc.log_path).read_bytes()


@pytest.fixture(params=["file", "redis"])
def lock(request):
    if request.param == "redis":
        require(redis_reachable(), "Redis (set REDIS_URL)")
    return request.param


def test_a_second_beat_refuses_to_start_while_one_runs_and_starts_after_it_stopped(tmp_path, lock):
    env = beat_environment(tmp_path, lock)
    first = second = third = None
    try:
        first = start_beat(tmp_path, "first", env)
        wait_until(lambda: TAKEN in log_of(first), timeout=60, interval=0.2)

        second = start_beat(tmp_path, "second", env)
        assert second.wait(60) != 0
        assert b"another beat is running" in log_of(second)
        assert first.poll() is None  # the first one is untouched

        stop_process(first)  # a clean stop releases the lock
        third = start_beat(tmp_path, "third", env)
        wait_until(lambda: TAKEN in log_of(third), timeout=60, interval=0.2)
    finally:
        for proc in (first, second, third):
            if proc is not None:
                stop_process(proc)


def test_gunicorn_loads_the_production_config():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "--config",
            "deploy/gunicorn.conf.py",
            "crm_site.wsgi:application",
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_procfile_starts_gunicorn_with_its_config_and_exactly_one_beat():
    lines = [
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    processes = {name: command.strip() for name, command in lines}
    assert "--config deploy/gunicorn.conf.py" in processes["web"]
    assert [name for name, command in processes.items() if " beat " in command] == ["beat"]
    queues = " ".join(command for command in processes.values() if " worker " in command)
    assert "urgent" in queues and "bulk" in queues


def test_beat_ticks_well_inside_its_lock_expiry_and_the_staleness_limit():
    from crm_site.celery import app
    from crm_site.core import beat, health

    interval = app.conf.beat_max_loop_interval
    assert 0 < interval <= beat.LOCK_SECONDS / 3
    assert interval + health.BEAT_HEARTBEAT_SECONDS <= health.BEAT_STALE_SECONDS / 3
