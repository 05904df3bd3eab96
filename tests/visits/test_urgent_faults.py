"""Fault tests for urgent-report routing, with real processes.

Each test starts its own redis-server on a spare port and its own Celery
worker(s) on the test database, so it can stop Redis and kill workers freely
without touching the machine's shared Redis. Every process a test starts is
stopped by the test, by its own id, in a fixture's teardown (so also when the
test fails).

1. Redis is down when the supervisor submits: the request still succeeds and
   the report waits as pending; with Redis back, the sweeper routes it once.
2. The worker is killed (SIGKILL) in the middle of routing, after the claim
   and before the commit: the claim rolls back, the message is redelivered to
   a new worker, which routes the report once, with one notification.
3. The same routing message is delivered twice, to two workers at once: one
   assignment, one notification.
"""

import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from crm_site.core.jobs import send_now
from crm_site.core.models import Notification
from tests.conftest import require
from tests.support.services import start_worker, stop_process, use_broker, wait_until
from tests.visits.test_urgent_raise import form_data
from visits.models import UrgentReport, UrgentReportEvent
from visits.urgent import tasks

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.real_broker]


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(port: int, log_path: Path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed by stop_process
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_file = log
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def answers():
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited: {log_path.read_text(errors='replace')}")
        try:
            return client.ping()
        except redis.RedisError:
            return False

    wait_until(answers, timeout=20)
    return proc


@pytest.fixture
def own_redis(postgres_required, transactional_db, tmp_path):
    """A private redis-server on a spare port: .start() (again after .stop())."""
    require(shutil.which("redis-server") is not None, "redis-server")
    port = spare_port()
    started = []
    box = SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", proc=None)

    def start():
        box.proc = start_redis(port, tmp_path / f"redis-{len(started)}.log")
        started.append(box.proc)
        return box.proc

    def stop():
        stop_process(box.proc)

    box.start, box.stop = start, stop
    try:
        yield box
    finally:
        for proc in started:
            stop_process(proc)


# Called in the routing transaction right after the claim (visits/urgent/routing.py).
CLAIMED = "visits.urgent.routing.notify_assigned"


@pytest.fixture
def workers(own_redis, transactional_db, tmp_path):
    """Start Celery workers on the private Redis; all are stopped at the end."""
    started = []

    def start(hold_claim: float = 0, **env):
        """hold_claim: seconds the worker waits between a routing claim and its commit."""
        log = tmp_path / f"worker-{len(started)}.log"
        pauses = {CLAIMED: {"before": hold_claim}} if hold_claim else None
        proc = start_worker(log, extra_env={"REDIS_URL": own_redis.url, **env}, pauses=pauses)
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            stop_process(proc, sig=signal.SIGKILL)


def log_of(proc) -> str:
    return proc.log_path.read_text(errors="replace")


def routed_once(report, manager):
    report.refresh_from_db()
    assert (report.status, report.assignee) == ("routed", manager)
    assert UrgentReportEvent.objects.filter(report=report, kind="routed").count() == 1
    assert Notification.objects.filter(recipient=manager, kind="urgent_assigned").count() == 1
    assert Notification.objects.filter(kind="urgent_assigned").count() == 1


def submit(client, supervisor, unit):
    client.force_login(supervisor)
    started = time.monotonic()
    response = client.post(reverse("visits:urgent_create"), form_data(unit))
    return response, time.monotonic() - started


def test_redis_down_at_submit_the_request_succeeds_and_the_sweeper_routes_the_report_once(
    client, own_redis, workers, supervisor_a, manager_a, unit_a
):
    own_redis.start()
    own_redis.stop()  # Redis goes down before the supervisor submits.
    with use_broker(own_redis.url):
        response, seconds = submit(client, supervisor_a, unit_a)
    assert response.status_code == 302
    assert seconds < 10  # a dead broker must not hang the request
    report = UrgentReport.objects.get()
    assert report.status == "pending" and report.assignee is None

    own_redis.start()
    worker = workers()
    with use_broker(own_redis.url):
        # What beat sends every minute: the sweeper, through the broker.
        wait_until(lambda: send_now(tasks.urgent_reports_route_pending), timeout=20)
        wait_until(lambda: UrgentReport.objects.filter(status="routed").exists(), timeout=60)
        send_now(tasks.urgent_reports_route_pending)  # a second sweep finds nothing to do
        wait_until(lambda: log_of(worker).count("succeeded") >= 2, timeout=60)
    routed_once(report, manager_a)


def test_a_worker_killed_while_routing_leaves_the_report_pending_and_the_redelivered_message_routes_it_once(
    client, own_redis, workers, supervisor_a, manager_a, unit_a
):
    own_redis.start()
    # This worker stops for 30 s between the claim and the commit.
    first = workers(hold_claim=30)
    with use_broker(own_redis.url):
        response, _seconds = submit(client, supervisor_a, unit_a)
    assert response.status_code == 302
    report = UrgentReport.objects.get()
    wait_until(lambda: f"urgent report {report.pk} claimed" in log_of(first), timeout=60)
    stop_process(first, sig=signal.SIGKILL)

    # The claim died with the worker's transaction: nothing half done.
    report.refresh_from_db()
    assert report.status == "pending" and report.assignee is None
    assert not Notification.objects.exists()

    # A new worker restores the unacknowledged message (acks_late,
    # visibility timeout) and routes the report. Kombu restores only messages
    # older than the visibility timeout, at the worker's start and then rarely:
    # start it once the message is surely older than that.
    time.sleep(2)
    second = workers(CELERY_VISIBILITY_TIMEOUT="1")
    wait_until(lambda: UrgentReport.objects.filter(status="routed").exists(), timeout=90)
    assert "visits.urgent.tasks.urgent_report_route[" in log_of(second)
    routed_once(report, manager_a)


def test_the_same_routing_message_delivered_twice_assigns_once_and_notifies_once(
    client, own_redis, workers, supervisor_a, manager_a, unit_a
):
    # The report is recorded while no broker answers, so no message exists yet.
    with use_broker("redis://127.0.0.1:1/0"):
        response, _seconds = submit(client, supervisor_a, unit_a)
    assert response.status_code == 302
    report = UrgentReport.objects.get(status="pending")

    own_redis.start()
    # Two workers take one copy each at the same moment; each holds its claim
    # for 2 s, so the second one's UPDATE waits for the first one's commit.
    one = workers(hold_claim=2)
    two = workers(hold_claim=2)
    task_id = str(uuid.uuid4())
    with use_broker(own_redis.url):
        for _copy in range(2):
            tasks.urgent_report_route.apply_async(args=[report.pk], task_id=task_id)
    done = f"urgent_report_route[{task_id}] succeeded"
    wait_until(lambda: (log_of(one) + log_of(two)).count(done) == 2, timeout=60)
    routed_once(report, manager_a)
