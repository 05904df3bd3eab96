"""/healthz/ is liveness (the process answers), /readyz/ is readiness: the
database migrated, the broker, beat's heartbeat and a worker, each named."""

import json
import os
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from crm_site.core import health
from crm_site.core.beat import LOCK_KEY as BEAT_LOCK_KEY
from crm_site.core.beat import RedisLock, lock_renewed_seconds_ago
from crm_site.core.models import Notification, WorkerHeartbeat
from tests.support import services
from tests.support.processes import WebServer, free_port
from tests.support.services import (
    closed_on_the_server,
    database_url_through,
    sessions_through,
    spawn,
    stop_process,
    wait_until,
)
from tests.support.tcpproxy import TcpProxy


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


@pytest.fixture
def heartbeat_unreadable(monkeypatch):
    """The heartbeat row cannot be read: the database is away."""

    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health.WorkerHeartbeat.objects, "filter", unreachable)


def test_with_the_database_away_beat_is_judged_by_its_lock(heartbeat_unreadable, monkeypatch):
    monkeypatch.setattr(health, "lock_renewed_seconds_ago", lambda: 12.5)
    assert health.check_beat() == health.Part(
        True, "lock renewed 12 seconds ago (heartbeat row unreadable)"
    )


def test_with_the_database_away_and_no_lock_beat_is_unknown(heartbeat_unreadable, monkeypatch):
    monkeypatch.setattr(health, "lock_renewed_seconds_ago", lambda: None)
    assert health.check_beat() == health.Part(False, "unknown: database unreachable")


def test_the_beat_lock_tells_how_long_ago_beat_renewed_it(redis_required):
    lock = RedisLock(settings.REDIS_URL)
    lock.client.delete(BEAT_LOCK_KEY)
    assert lock_renewed_seconds_ago() is None  # no beat holds it
    assert lock.acquire()
    try:
        assert 0 <= lock_renewed_seconds_ago() < 5
    finally:
        lock.release()
    assert lock_renewed_seconds_ago() is None


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


def beat_process(tmp_path, env):
    """A real beat; a lock left in the test Redis by a beat an earlier test
    killed would make it refuse to start for up to 90 seconds."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(BEAT_LOCK_KEY)
    args = [sys.executable, "-m", "celery", "-A", "crm_site", "beat", "--loglevel", "INFO"]
    return spawn([*args, "--schedule", str(tmp_path / "schedule")], tmp_path / "beat.log", env)


def answers(server: WebServer, times: int) -> list[tuple[int, dict]]:
    """/readyz/ asked `times` times in a row (the requests spread over the workers)."""
    replies = []
    for _ in range(times):
        status, _location, content = server.request("GET", "/readyz/", cookies={})
        replies.append((status, json.loads(content)))
    return replies


def all_with(status: int, server: WebServer, times: int = 6):
    """The replies when `times` /readyz/ in a row answered `status`, else None."""
    replies = answers(server, times)
    return replies if all(code == status for code, _body in replies) else None


def ready_on_both_workers(server: WebServer, proxy: TcpProxy, new_since=frozenset()):
    """The replies when /readyz/ answered 200 in a row and both web workers hold a
    database session through the proxy (opened after `new_since`'s ports), else None."""
    replies = all_with(200, server)
    fresh = set(proxy.upstream_ports) - set(new_since)
    return replies if replies and sessions_through(proxy, fresh) == 2 else None


def database_proxy() -> TcpProxy:
    host = connection.settings_dict["HOST"] or "127.0.0.1"
    return TcpProxy(host, int(connection.settings_dict["PORT"] or 5432)).start()


@pytest.mark.slow
@pytest.mark.services
def test_readyz_is_a_503_naming_the_database_while_postgresql_is_down_and_200_once_it_is_back(
    celery_worker, tmp_path
):
    """gunicorn (2 workers) and beat reach the database through proxies that,
    while "PostgreSQL is stopped", cut every open connection and refuse new
    ones; a real worker and Redis stay up. Each web worker's kept connection
    is replaced by a new one once PostgreSQL is back."""
    web_db, beat_db = database_proxy(), database_proxy()
    env = {
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LOG_LEVEL": "ERROR",
    }
    beat_env = os.environ.copy() | {"PYTHONUNBUFFERED": "1"} | env
    beat_proc = beat_process(tmp_path, beat_env | {"DATABASE_URL": database_url_through(beat_db)})
    server = WebServer(tmp_path, env | {"DATABASE_URL": database_url_through(web_db)}, workers=2)
    try:
        server.start()
        # Up: every part ok, both web workers holding a database session.
        wait_until(lambda: ready_on_both_workers(server, web_db), timeout=60, interval=0.5)

        before = set(web_db.upstream_ports)
        web_db.cut()  # PostgreSQL stops
        beat_db.cut()
        down = wait_until(lambda: all_with(503, server), timeout=20, interval=0.2)

        web_db.restore()  # and starts again
        beat_db.restore()
        up = wait_until(
            lambda: ready_on_both_workers(server, web_db, new_since=before),
            timeout=20,
            interval=0.2,
        )
    finally:
        server.stop()
        stop_process(beat_proc)
        for proxy in (web_db, beat_db):
            proxy.stop()
            wait_until(lambda proxy=proxy: closed_on_the_server(proxy), timeout=20)

    for _status, body in down:
        assert body["status"] == "unavailable"
        assert body["failing"] == ["database"]
        assert body["checks"]["database"] == {"ok": False, "detail": "unreachable"}
        assert body["checks"]["broker"] == {"ok": True, "detail": "reachable"}
        assert body["checks"]["worker"] == {"ok": True, "detail": "answering"}
        # Its heartbeat row is out of reach; its lock in Redis shows it ticking.
        assert body["checks"]["beat"]["ok"] is True
        assert "lock renewed" in body["checks"]["beat"]["detail"]
    for _status, body in up:
        assert body["failing"] == []
        assert body["checks"]["database"] == {"ok": True, "detail": "reachable and migrated"}
        assert "last heartbeat" in body["checks"]["beat"]["detail"]
