"""Starting and stopping real service processes for tests (worker, redis-server)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from crm_site.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def redis_reachable(url: str | None = None) -> bool:
    url = url or settings.REDIS_URL
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def test_database_url() -> str:
    """DATABASE_URL of the database this test session uses (the test_ copy)."""
    from crm_site.devtools.bench import current_database_url

    return current_database_url()


def database_url_through(proxy) -> str:
    """DATABASE_URL of the test database, reached through a TcpProxy in front of it."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@127.0.0.1:{proxy.port}/{s['NAME']}"


def sessions_through(proxy, ports=None) -> int:
    """PostgreSQL sessions still open that came through the proxy (or through
    those of its upstream `ports`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY(%s)",
            [sorted(proxy.upstream_ports if ports is None else ports)],
        )
        return cursor.fetchone()[0]


def closed_on_the_server(proxy) -> bool:
    """PostgreSQL has ended every session that came through the proxy (wait for it
    before the test database is dropped at the end of the session)."""
    return sessions_through(proxy) == 0


def all_queues() -> list[str]:
    """The default queue (a test may point it at a queue of its own) and the
    urgent and bulk queues (settings, "Celery queues")."""
    return [
        settings.CELERY_TASK_DEFAULT_QUEUE,
        settings.CELERY_URGENT_QUEUE,
        settings.CELERY_BULK_QUEUE,
    ]


def purge_broker() -> None:
    """Drop messages left in the queues by earlier runs, so they cannot leak in."""
    with celery_app.connection_for_write() as conn:
        for queue in all_queues():
            conn.default_channel.queue_purge(queue)


def spawn(args: list[str], log_path: Path, env: dict | None = None):
    """Start a process in a session of its own, its output appended to `log_path`."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_path = log_path
    proc.log_file = log
    return proc


def run_python(
    *args: str, env: dict, timeout: float, check: bool = False
) -> subprocess.CompletedProcess:
    """Run this project's Python with `args` from the repository root and wait for it,
    its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


class SessionWorker:
    """The suite's shared worker (the `celery_worker` fixture): started when a
    test first needs it, stopped while a test runs workers of its own (else it
    would take their tasks: a paused or killed worker must be the one that got
    the task), and started again by the next test that needs it."""

    current: "SessionWorker | None" = None

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.proc = None
        SessionWorker.current = self

    def running(self):
        if self.proc is None or self.proc.poll() is not None:
            purge_broker()
            self.proc = start_worker(self.log_path, _shared=True)
        return self.proc

    def set_aside(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


def start_worker(
    log_path: Path,
    extra_env: dict | None = None,
    ready_timeout: float = 60,
    pauses: dict | None = None,
    queues: list[str] | None = None,
    _shared: bool = False,
):
    """Start `celery worker` (solo pool) on the test database; wait until ready.

    It consumes every queue (default, urgent, bulk) unless `queues` names some.
    The suite's shared worker is stopped first (SessionWorker), so that this
    one gets the test's tasks.

    `pauses` slows functions down inside the worker, so a test can kill it at a
    known point: {"reports.services._overwrite": {"after": 120}} (see
    tests/support/worker_app.py; the worker logs "test-pause <function> ...").
    """
    if not _shared and SessionWorker.current is not None:
        SessionWorker.current.set_aside()
    env = os.environ.copy()
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    app = "crm_site"
    if pauses:
        app = "tests.support.worker_app"
        env["TEST_WORKER_PAUSES"] = json.dumps(pauses)
    # The log may hold an earlier worker's lines (spawn appends): only what
    # this one writes says it is ready.
    offset = log_path.stat().st_size if log_path.exists() else 0
    proc = spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--queues",
            ",".join(queues or all_queues()),
            "--hostname",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        log_path,
        env,
    )
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log_path.read_text(errors='replace')}")
        if b" ready." in log_path.read_bytes()[offset:]:
            return proc
        time.sleep(0.2)
    stop_process(proc)
    raise RuntimeError(
        f"worker not ready in {ready_timeout}s:\n{log_path.read_text(errors='replace')}"
    )


def stop_process(proc, sig=signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process this test started, by its own id (and its process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    log_file = getattr(proc, "log_file", None)
    if log_file:
        log_file.close()


def wait_until(predicate, timeout: float = 20, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; return that, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class use_broker:  # noqa: N801 - reads as a context manager
    """Point this test process's Celery producer at another broker URL."""

    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        self.previous = celery_app.conf.broker_url
        self._switch(self.url)
        return self

    def __exit__(self, *exc):
        self._switch(self.previous)

    @staticmethod
    def _switch(url):
        # Celery caches producer pools on the app and on app.amqp; drop both so
        # the next send connects to the new URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.broker_url = url
