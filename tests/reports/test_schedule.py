"""When summaries get built: the beat entries, the closed month on the 1st, the daily
reconciliation (never relying on one beat firing), the request sweeper and the
rollup_month command."""

import copy
import io
from datetime import date, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from crm_site.celery import app as celery_app
from reports import services, tasks
from reports.models import MonthlyPatrolSummary, RollupRequest
from tests.factories import make_daily_report, make_entry
from tests.reports.conftest import OCTOBER

pytestmark = pytest.mark.django_db


def entry(name):
    beat = settings.CELERY_BEAT_SCHEDULE[name]
    assert beat["task"] in celery_app.tasks, beat["task"]
    return beat["schedule"]


def next_run(schedule: crontab, after: datetime) -> datetime:
    """When the entry fires next after `after` (as beat computes it, in Shanghai time)."""
    probe = copy.copy(schedule)
    probe.nowfun = lambda: after
    return after + probe.remaining_estimate(after)


def test_the_closed_month_is_built_at_one_on_the_first_shanghai_time():
    schedule = entry("reports-rollup-closed-month")
    assert isinstance(schedule, crontab)
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == ({0}, {1}, {1})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    after = datetime(2026, 10, 31, 23, 59, tzinfo=timezone.get_current_timezone())
    run = timezone.localtime(next_run(schedule, after))
    assert (run.date(), run.hour, run.minute) == (date(2026, 11, 1), 1, 0)


def test_the_reconciliation_runs_every_day_at_two_and_the_sweeper_every_five_minutes():
    reconcile = entry("reports-rollup-reconcile")
    assert (reconcile.minute, reconcile.hour) == ({0}, {2})
    assert len(reconcile.day_of_month) == 31
    sweep = entry("reports-rollup-requests-sweep")
    assert sweep.minute == set(range(0, 60, 5))


def test_the_beat_task_builds_the_month_that_closed_for_every_unit(october, unit_a, unit_b):
    assert tasks.rollup_closed_month.delay("2026-11-01").get() == 2
    built = MonthlyPatrolSummary.objects.values_list("unit__code", "month")
    assert sorted(built) == [("A", OCTOBER), ("B", OCTOBER)]


def test_the_reconciliation_builds_a_missed_month_and_refreshes_the_month_in_progress(
    october, unit_a, unit_b
):
    # The 1 November beat never fired; the reconciliation on the 3rd catches up.
    tasks.rollup_reconcile.delay("2026-11-03").get()
    summaries = {(s.unit.code, s.month): s for s in MonthlyPatrolSummary.objects.all()}
    assert summaries[("A", OCTOBER)].as_of == date(2026, 10, 31)
    assert summaries[("A", OCTOBER)].opinions_count == 3
    assert summaries[("A", date(2026, 11, 1))].as_of == date(2026, 11, 3)
    # Months before the units' first daily report (5 October) are not built.
    assert min(month for _code, month in summaries) == OCTOBER


def test_a_summary_built_before_its_month_closed_is_rebuilt_in_full(october, unit_a):
    early = services.summary_build(unit_id=unit_a.pk, month=OCTOBER, today=date(2026, 10, 14))
    assert early.summary.as_of == date(2026, 10, 14)
    done = services.unit_reconcile(unit_id=unit_a.pk, today=date(2026, 11, 2))
    assert "2026-10-01" in done["built"]
    early.summary.refresh_from_db()
    assert early.summary.as_of == date(2026, 10, 31)


def test_the_reconciliation_rebuilds_changed_drafts_and_flags_submitted_ones(
    october, unit_a, supervisor_a, staff_a
):
    september = services.summary_build(unit_id=unit_a.pk, month=date(2026, 9, 1)).summary
    october_summary = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    services.summary_submit(summary=october_summary, actor=supervisor_a, commentary="好")
    make_entry(make_daily_report(staff_a, date(2026, 9, 24)), october["a1"], kind="visit")
    make_entry(make_daily_report(staff_a, date(2026, 10, 29)), october["a1"], kind="visit")
    done = services.unit_reconcile(unit_id=unit_a.pk, today=date(2026, 11, 23))
    assert done["rebuilt"][0] == "2026-09-01" and done["stale"] == ["2026-10-01"]
    september.refresh_from_db()
    october_summary.refresh_from_db()
    assert september.visits_done == 1 and not september.stale
    assert october_summary.stale and october_summary.status == "submitted"
    assert october_summary.visits_done == 4  # the signed figures stay until a rebuild


def test_running_the_reconciliation_twice_changes_nothing_more(october, unit_a):
    services.unit_reconcile(unit_id=unit_a.pk, today=date(2026, 11, 23))
    before = dict(MonthlyPatrolSummary.objects.values_list("month", "build_count"))
    again = services.unit_reconcile(unit_id=unit_a.pk, today=date(2026, 11, 23))
    after = dict(MonthlyPatrolSummary.objects.values_list("month", "build_count"))
    assert again["built"] == [] or again["built"] == ["2026-11-01"]
    assert {m: n for m, n in after.items() if m != date(2026, 11, 1)} == {
        m: n for m, n in before.items() if m != date(2026, 11, 1)
    }
    assert MonthlyPatrolSummary.objects.count() == len(before)


def test_the_sweeper_resends_a_request_the_broker_never_got(
    october, unit_a, supervisor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.summary_request_build(unit_id=unit_a.pk, month=OCTOBER, actor=supervisor_a)
    request = RollupRequest.objects.get()
    assert services.rollup_requests_sweep() == 0  # too recent to call lost
    later = timezone.now() + timedelta(minutes=3)
    assert services.rollup_requests_sweep(now=later) == 1
    request.refresh_from_db()
    assert request.done_at is not None and request.summary.month == OCTOBER
    assert services.rollup_requests_sweep(now=later + timedelta(minutes=3)) == 0


def test_a_redelivered_request_builds_once(
    october, unit_a, supervisor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.summary_request_build(
            unit_id=unit_a.pk, month=OCTOBER, actor=supervisor_a
        )
    tasks.rollup_unit_month.delay(unit_a.pk, OCTOBER.isoformat(), request.pk)
    assert MonthlyPatrolSummary.objects.get().build_count == 1


def test_the_command_builds_every_unit_and_prints_what_it_built(october, unit_a, unit_b):
    out = io.StringIO()
    call_command("rollup_month", "2026-10", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[2].startswith("2 unit(s) in ")
    assert lines[0].startswith("built 2026-10 A (华东营业部): summary #")
    assert "compliance 34.9%" in lines[0] and "3 behind" in lines[0]
    out = io.StringIO()
    call_command("rollup_month", "2026-10", "--unit", "A", stdout=out)
    assert out.getvalue().startswith("rebuilt 2026-10 A") and "(unchanged)" in out.getvalue()
    assert MonthlyPatrolSummary.objects.count() == 2


def test_the_command_builds_units_side_by_side_with_the_same_figures(
    transactional_db, october, unit_a, unit_b
):
    # --jobs 2: each unit on its own connection (threads), as the workers do.
    call_command("rollup_month", "2026-10", "--jobs", "2", stdout=io.StringIO())
    side_by_side = {
        s.unit_id: (s.figures_digest, s.customers_behind)
        for s in MonthlyPatrolSummary.objects.all()
    }
    out = io.StringIO()
    call_command("rollup_month", "2026-10", stdout=out)
    assert out.getvalue().count("(unchanged)") == 2
    assert {
        s.unit_id: (s.figures_digest, s.customers_behind)
        for s in MonthlyPatrolSummary.objects.all()
    } == side_by_side
    assert set(side_by_side) == {unit_a.pk, unit_b.pk}


def test_the_command_refuses_nonsense(unit_a):
    for args in (["2026-13"], ["soon"], ["2099-01"], ["2026-10", "--unit", "ZZ"]):
        with pytest.raises(CommandError):
            call_command("rollup_month", *args, stdout=io.StringIO())
