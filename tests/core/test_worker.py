"""A real Celery worker process picks up a task sent after a committed write."""

import time

import pytest
from django.db import transaction

from crm_site.core import tasks
from crm_site.core.jobs import send_now, send_on_commit
from crm_site.core.models import WorkerHeartbeat
from tests.support.services import use_broker, wait_until

pytestmark = pytest.mark.services


def test_a_task_sent_after_commit_runs_in_the_worker_and_writes_to_the_database(celery_worker):
    with transaction.atomic():
        WorkerHeartbeat.objects.create(name="round-trip", seen_at="2026-01-01T00:00:00Z", runs=0)
        send_on_commit(tasks.worker_heartbeat, "round-trip")
        # Not sent yet: the row is not committed.
    beat = wait_until(
        lambda: WorkerHeartbeat.objects.filter(name="round-trip", runs__gte=1).first(), timeout=30
    )
    assert beat.runs == 1
    assert beat.seen_at.year >= 2026


@pytest.mark.django_db
@pytest.mark.real_broker
def test_a_dead_broker_does_not_fail_the_caller():
    with use_broker("redis://127.0.0.1:1/0"):
        started = time.monotonic()
        assert send_now(tasks.worker_heartbeat, "nobody-listens") is False
        assert time.monotonic() - started < 10


def test_eager_mode_runs_the_task_at_commit(db, django_capture_on_commit_callbacks):
    from crm_site.celery import app

    assert app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit(tasks.worker_heartbeat, "eager")
        assert not WorkerHeartbeat.objects.filter(name="eager").exists()
    assert WorkerHeartbeat.objects.filter(name="eager").exists()
