"""/healthz/ is liveness (the process answers), /readyz/ is readiness: the
database migrated, the broker, beat's heartbeat and a worker, each named."""

import json
import os
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from crm_site.core import health
from crm_site.core.models import Notification, WorkerHeartbeat
from tests.support import services
from tests.support.processes import free_port
from tests.support.services import spawn, stop_process, wait_until


def readyz(client):
    response = client.get("/readyz/")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_readyz_names_every_part_and_says_eager_mode_needs_no_worker(client):
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "beat", "worker"}
    assert body["checks"]["database"] == {"ok": True, "detail": "reachable and migrated"}
    assert "eager" in body["checks"]["worker"]["detail"]


@pytest.fixture
def broker_and_worker_up(monkeypatch):
    """Only beat under test: the broker and the worker answer."""
    monkeypatch.setattr(health, "check_broker", lambda: health.Part(True, "reachable"))
    monkeypatch.setattr(health, "check_worker", lambda: health.Part(True, "answering"))


@pytest.mark.django_db
@pytest.mark.real_broker
def test_a_stale_beat_is_a_503_naming_beat_and_the_admins_are_told_once(
    client, broker_and_worker_up, admin_user, staff_a
):
    WorkerHeartbeat.objects.create(
        name="beat", seen_at=timezone.now() - timedelta(minutes=5), runs=10
    )
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["beat"]
    assert body["checks"]["beat"]["ok"] is False
    assert body["checks"]["beat"]["detail"].startswith("last heartbeat 3")

    readyz(client)  # checked again a minute later: still the same outage
    alerts = Notification.objects.filter(kind="beat_stale")
    assert [n.recipient for n in alerts] == [admin_user]
    assert alerts.get().title == "定时任务没有运行"


@pytest.mark.django_db
@pytest.mark.real_broker
def test_a_fresh_beat_heartbeat_is_ready(client, broker_and_worker_up, admin_user):
    WorkerHeartbeat.objects.create(
        name="beat", seen_at=timezone.now() - timedelta(seconds=30), runs=10
    )
    status, body = readyz(client)
    assert status == 200 and body["checks"]["beat"]["ok"] is True
    assert not Notification.objects.filter(kind="beat_stale").exists()


PROBE = """
import django
django.setup()
from django.test import Client
response = Client().get("/readyz/")
print(response.status_code, response.content.decode())
"""


def test_readyz_is_a_503_naming_the_database_when_it_is_unreachable():
    """A real process whose database is a closed port (nothing else is down:
    jobs run eagerly there)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_DEBUG"}}
    env |= {
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
        "CELERY_EAGER": "1",
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
    }
    result = services.run_python("-c", PROBE, env=env, timeout=120)
    status, _, content = result.stdout.strip().splitlines()[-1].partition(" ")
    body = json.loads(content)
    assert status == "503"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable"}
    assert "127.0.0.1" not in content and "nobody" not in content


@pytest.mark.slow
@pytest.mark.services
def test_readyz_is_ok_with_a_real_worker_and_a_real_beat(celery_worker, client, tmp_path):
    env = os.environ.copy() | {
        "DATABASE_URL": services.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "PYTHONUNBUFFERED": "1",
    }
    args = [sys.executable, "-m", "celery", "-A", "crm_site", "beat", "--loglevel", "INFO"]
    beat = spawn([*args, "--schedule", str(tmp_path / "schedule")], tmp_path / "beat.log", env)
    try:
        # Beat records its own heartbeat on its first tick.
        wait_until(lambda: WorkerHeartbeat.objects.filter(name="beat").exists(), timeout=60)
        status, body = readyz(client)
    finally:
        stop_process(beat)
    assert status == 200, body
    assert body["failing"] == []
    assert body["checks"]["worker"] == {"ok": True, "detail": "answering"}
    assert body["checks"]["broker"]["ok"] and body["checks"]["beat"]["ok"]
