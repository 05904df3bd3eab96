"""Urgent work has a queue of its own: a long rollup on the bulk queue never
delays the routing of an urgent report (settings, "Celery queues")."""

import contextlib
import time

import pytest
from django.conf import settings

from crm_site.celery import app as celery_app
from reports import tasks as report_tasks
from tests.factories import make_urgent_report
from tests.support.services import purge_broker, start_worker, stop_process, wait_until
from visits.models import UrgentReport


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    "task_name",
    [
        "visits.urgent.tasks.urgent_report_route",
        "visits.urgent.tasks.urgent_reports_route_pending",
        "visits.urgent.tasks.urgent_reports_escalate",
        "crm_site.core.tasks.notification_email_send",
        "crm_site.core.tasks.notification_emails_sweep",
        "complaints.tasks.complaint_deadlines_sweep",
        "visits.tasks.remind_missing_daily_reports",
        "visits.tasks.remind_overdue_contacts",
        "customers.tasks.care_reminders_send",
    ],
)
def test_urgent_routing_escalations_and_notifications_go_to_the_urgent_queue(task_name):
    assert queue_of(task_name) == settings.CELERY_URGENT_QUEUE


@pytest.mark.parametrize(
    "task_name",
    [
        "reports.tasks.rollup_unit_month",
        "reports.tasks.rollup_units_month",
        "reports.tasks.rollup_reconcile",
        "customers.tasks.regrade_run_execute",
        "customers.tasks.regrade_quarterly",
        "customers.tasks.customer_import_check",
        "customers.tasks.customer_import_apply",
        "crm_site.core.tasks.export_run",
    ],
)
def test_rollups_regrades_imports_and_exports_go_to_the_bulk_queue(task_name):
    assert queue_of(task_name) == settings.CELERY_BULK_QUEUE


def test_every_task_of_the_project_has_a_known_queue():
    ours = [
        name
        for name in celery_app.tasks
        if name.split(".")[0] in {"crm_site", "customers", "visits", "complaints", "reports"}
    ]
    assert ours
    for name in ours:
        assert queue_of(name) in settings.CELERY_ALL_QUEUES, name


# Called by the monthly build task; the bulk worker waits inside it.
BUILD = "reports.services.summary_build"


@pytest.mark.slow
@pytest.mark.services
@pytest.mark.real_broker
def test_an_urgent_report_is_routed_within_5_seconds_while_a_long_rollup_holds_the_bulk_worker(
    postgres_required, redis_required, transactional_db, tmp_path, supervisor_a, manager_a, unit_a
):
    bulk = urgent = None
    purge_broker()
    try:
        bulk = start_worker(
            tmp_path / "bulk.log",
            queues=[settings.CELERY_BULK_QUEUE],
            pauses={BUILD: {"before": 60}},
        )
        urgent = start_worker(
            tmp_path / "urgent.log",
            queues=[settings.CELERY_URGENT_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE],
        )
        report_tasks.rollup_unit_month.delay(unit_a.pk, "2026-10-01")
        paused = f"test-pause {BUILD} before".encode()
        wait_until(lambda: paused in (tmp_path / "bulk.log").read_bytes(), timeout=30)

        started = time.monotonic()
        report = make_urgent_report(unit_a, supervisor_a)
        routed = wait_until(
            lambda: UrgentReport.objects.filter(pk=report.pk, status="routed").first(),
            timeout=5,
            interval=0.05,
        )
        assert time.monotonic() - started < 5
        assert routed.assignee == manager_a
        # The rollup is still being held: the urgent worker did not wait for it.
        assert bulk.poll() is None
    finally:
        for proc in (bulk, urgent):
            if proc is not None:
                stop_process(proc, timeout=5)
        with contextlib.suppress(Exception):
            purge_broker()
