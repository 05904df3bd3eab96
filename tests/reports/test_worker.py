"""A real Celery worker builds summaries; a worker killed half way through a build
leaves the previous complete summary, and a new worker completes it."""

import contextlib
import os
import signal
import time
from datetime import date

import pytest
from django.urls import reverse

from reports import services, tasks
from reports.models import MonthlyPatrolSummary
from tests.factories import make_daily_report, make_entry
from tests.reports.conftest import OCTOBER
from tests.support.services import purge_broker, start_worker, stop_process, wait_until

pytestmark = pytest.mark.services

FIGURES = (*services.HEADLINE, *services.SECTIONS, "as_of", "source_fingerprint")


def figures_of(summary) -> dict:
    return {key: getattr(summary, key) for key in FIGURES}


def test_a_real_worker_builds_the_month_a_supervisor_asks_for(
    celery_worker, client, supervisor_a, unit_a, october
):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("reports:monthly_build"), {"unit": unit_a.pk, "month": "2026-10"}
    )
    assert response.status_code == 302
    summary = wait_until(
        lambda: MonthlyPatrolSummary.objects.filter(unit=unit_a, month=OCTOBER).first(), timeout=60
    )
    assert (summary.customers_behind, summary.opinions_count, summary.urgent_open) == (3, 3, 2)
    assert client.get(response.url).url == summary.get_absolute_url()
    assert supervisor_a.notifications.filter(kind="reports.summary_built").count() == 1


def test_a_real_worker_fans_the_month_out_to_every_unit(celery_worker, unit_a, unit_b, october):
    tasks.rollup_month.delay(OCTOBER.isoformat())
    wait_until(lambda: MonthlyPatrolSummary.objects.filter(month=OCTOBER).count() == 2, timeout=60)
    codes = sorted(MonthlyPatrolSummary.objects.values_list("unit__code", flat=True))
    assert codes == ["A", "B"]


KILL_QUEUE = "crm-reports-kill-test"
# Called inside the build's transaction once per unit, after its figures are written.
PAUSE = "reports.services._overwrite"


@pytest.mark.slow
@pytest.mark.real_broker
def test_a_build_killed_half_way_leaves_the_previous_summary_and_a_new_worker_completes_it(
    postgres_required,
    redis_required,
    transactional_db,
    tmp_path,
    settings,
    october,
    unit_a,
    supervisor_a,
    staff_a,
):
    previous = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    services.summary_save_commentary(summary=previous, actor=supervisor_a, commentary="请保留")
    previous.refresh_from_db()
    before = figures_of(previous)
    # New data, so the killed build had something different to write.
    make_entry(
        make_daily_report(staff_a, date(2026, 10, 27)),
        october["d1"],
        kind="visit",
        opinions="新的意见",
    )

    settings.CELERY_TASK_DEFAULT_QUEUE = KILL_QUEUE
    env = {"CELERY_QUEUE": KILL_QUEUE, "CELERY_VISIBILITY_TIMEOUT": "3"}
    first = second = None
    try:
        purge_broker()  # the test's own queue (settings above)
        # This worker stops for 120 s after writing the figures, before the commit.
        first = start_worker(tmp_path / "first.log", extra_env=env, pauses={PAUSE: {"after": 120}})
        sent_at = time.monotonic()
        tasks.rollup_unit_month.apply_async(args=[unit_a.pk, OCTOBER.isoformat()], queue=KILL_QUEUE)
        paused = f"test-pause {PAUSE}".encode()
        wait_until(lambda: paused in (tmp_path / "first.log").read_bytes(), 60)
        # Inside the build's transaction: the new figures are written, not committed.
        assert figures_of(MonthlyPatrolSummary.objects.get(pk=previous.pk)) == before
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        summary = MonthlyPatrolSummary.objects.get(pk=previous.pk)
        assert figures_of(summary) == before and summary.build_count == 1
        # The unacknowledged message becomes visible again after the visibility
        # timeout; a new worker restores it when it starts and builds it.
        time.sleep(max(0.0, 4 - (time.monotonic() - sent_at)))
        second = start_worker(tmp_path / "second.log", extra_env=env)
        rebuilt = wait_until(
            lambda: MonthlyPatrolSummary.objects.filter(pk=previous.pk, build_count=2).first(),
            timeout=60,
        )
    finally:
        for proc in (first, second):
            if proc is not None:
                stop_process(proc)
        with contextlib.suppress(Exception):
            purge_broker()
    assert MonthlyPatrolSummary.objects.filter(unit=unit_a, month=OCTOBER).count() == 1
    assert rebuilt.commentary == "请保留"
    assert rebuilt.opinions_count == 4 and rebuilt.visits_done == 5
    assert rebuilt.activity["entries"] == 5
    # Complete and correct: exactly what a build now computes.
    again = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    assert figures_of(again) == figures_of(rebuilt)
