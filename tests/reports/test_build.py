"""Building, rebuilding, staleness, and the supervisor's and manager's sign-off."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from crm_site.core.models import Notification
from reports import services
from reports.display import entry_rows
from reports.models import MonthlyPatrolSummary, SummaryEvent
from tests.factories import make_daily_report, make_entry
from tests.reports.conftest import OCTOBER, at
from visits import services as visit_services

pytestmark = pytest.mark.django_db

FIGURES = (*services.HEADLINE, *services.SECTIONS, "as_of", "source_fingerprint")


def build(unit, **kwargs):
    return services.summary_build(unit_id=unit.pk, month=OCTOBER, **kwargs)


def figures(summary):
    summary.refresh_from_db()
    return {key: getattr(summary, key) for key in FIGURES}


def submitted(unit, supervisor):
    summary = build(unit).summary
    services.summary_submit(summary=summary, actor=supervisor, commentary="十月情况良好。")
    summary.refresh_from_db()
    return summary


def test_rebuilding_gives_the_same_figures_in_the_same_row(october, unit_a):
    first = build(unit_a)
    second = build(unit_a)
    assert first.created and not second.created and not second.changed
    assert second.summary.pk == first.summary.pk
    assert MonthlyPatrolSummary.objects.filter(unit=unit_a, month=OCTOBER).count() == 1
    assert figures(second.summary) == figures(first.summary)
    assert second.summary.build_count == 2


def test_rebuilding_never_erases_the_commentary_or_the_review(
    october, unit_a, supervisor_a, manager_a, staff_a
):
    summary = submitted(unit_a, supervisor_a)
    services.summary_review(summary=summary, actor=manager_a, comment="同意。")
    make_entry(
        make_daily_report(staff_a, date(2026, 10, 20)),
        october["b1"],
        kind="call",
        opinions="新意见",
    )
    rebuilt = build(unit_a).summary
    rebuilt.refresh_from_db()
    assert rebuilt.commentary == "十月情况良好。"
    assert (rebuilt.review_comment, rebuilt.reviewed_by) == ("同意。", manager_a)
    assert (rebuilt.status, rebuilt.submitted_by) == ("reviewed", supervisor_a)
    assert rebuilt.opinions_count == 4


def test_changed_daily_reports_mark_a_submitted_summary_stale_and_a_rebuild_clears_it(
    october, unit_a, supervisor_a, staff_a
):
    summary = submitted(unit_a, supervisor_a)
    assert services.summary_check_stale(summary=summary) is False
    make_entry(make_daily_report(staff_a, date(2026, 10, 21)), october["d1"], kind="visit")
    assert services.summary_check_stale(summary=summary) is True
    summary.refresh_from_db()
    assert summary.stale and summary.stale_since is not None
    assert summary.stale_changes["counts"]["reports"] == [3, 4]
    assert summary.stale_changes["counts"]["entries"] == [4, 5]
    assert SummaryEvent.objects.filter(summary=summary, kind="stale").count() == 1
    # Checking again changes nothing more.
    services.summary_check_stale(summary=summary)
    assert SummaryEvent.objects.filter(summary=summary, kind="stale").count() == 1
    rebuilt = build(unit_a).summary
    rebuilt.refresh_from_db()
    assert not rebuilt.stale and rebuilt.stale_changes == {}
    assert rebuilt.status == "submitted"
    assert services.summary_check_stale(summary=rebuilt) is False


def test_editing_an_entry_without_changing_counts_still_marks_it_stale(october, unit_a, staff_a):
    summary = build(unit_a).summary
    entry = staff_a.daily_reports.get(date=date(2026, 10, 5)).entries.get()
    content = visit_services.EntryContent(
        customer=entry.customer,
        kind=entry.kind,
        occurred_at=entry.occurred_at,
        opinions="改过的意见",
    )
    visit_services.daily_report_entry_update(entry=entry, actor=staff_a, content=content)
    assert services.summary_check_stale(summary=summary) is True
    summary.refresh_from_db()
    assert summary.stale_changes["counts"] == {}
    assert summary.stale_changes["edited"] is True
    assert entry_rows(build(unit_a).summary.opinions)[0]["text"] == "改过的意见"


def test_a_call_logged_directly_in_the_month_marks_it_stale(october, unit_a, staff_a):
    summary = build(unit_a).summary
    visit_services.visit_log(
        customer=october["b1"],
        user=staff_a,
        kind="call",
        occurred_at=at(date(2026, 10, 22)),
        form_token=uuid.uuid4(),
    )
    assert services.summary_check_stale(summary=summary) is True
    summary.refresh_from_db()
    assert summary.stale_changes["counts"]["contacts"] == [17, 18]


def test_the_supervisors_are_told_once_per_set_of_figures(october, unit_a, supervisor_a, staff_a):
    build(unit_a)
    build(unit_a)
    notes = Notification.objects.filter(recipient=supervisor_a, kind="reports.summary_built")
    assert notes.count() == 1
    assert "2026-10" in notes.get().title and "华东营业部" in notes.get().title
    make_entry(make_daily_report(staff_a, date(2026, 10, 22)), october["d1"], kind="visit")
    build(unit_a)
    assert notes.count() == 2


def test_the_automatic_refresh_of_the_month_in_progress_tells_nobody(october, unit_a, supervisor_a):
    build(unit_a, today=date(2026, 10, 14))
    assert not Notification.objects.filter(recipient=supervisor_a).exists()
    build(unit_a, today=date(2026, 10, 14), requested_by=supervisor_a)
    assert Notification.objects.filter(recipient=supervisor_a).count() == 1


def test_submitting_tells_the_units_managers_and_reviewing_tells_the_supervisor(
    october, unit_a, unit_b, supervisor_a, manager_a, manager_b, mailoutbox
):
    summary = submitted(unit_a, supervisor_a)
    assert summary.status == "submitted" and summary.submitted_by == supervisor_a
    note = Notification.objects.get(recipient=manager_a, kind="reports.summary_submitted")
    assert note.url == summary.get_absolute_url()
    assert not Notification.objects.filter(recipient=manager_b).exists()
    services.summary_review(summary=summary, actor=manager_a, comment="请继续跟进。")
    summary.refresh_from_db()
    assert summary.status == "reviewed" and summary.reviewed_by == manager_a
    reviewed = Notification.objects.get(recipient=supervisor_a, kind="reports.summary_reviewed")
    assert "请继续跟进。" in reviewed.body


def test_a_double_submit_or_review_changes_the_status_once(
    october, unit_a, supervisor_a, manager_a
):
    summary = submitted(unit_a, supervisor_a)
    assert services.summary_submit(summary=summary, actor=supervisor_a) is False
    assert services.summary_review(summary=summary, actor=manager_a) is True
    assert services.summary_review(summary=summary, actor=manager_a) is False
    kinds = list(SummaryEvent.objects.filter(summary=summary).values_list("kind", flat=True))
    assert kinds.count("submitted") == 1 and kinds.count("reviewed") == 1


def test_submission_needs_commentary_a_closed_month_and_fresh_figures(
    october, unit_a, supervisor_a, staff_a
):
    in_progress = build(unit_a, today=date(2026, 10, 14)).summary
    with pytest.raises(ValidationError, match="重新生成"):
        services.summary_submit(summary=in_progress, actor=supervisor_a, commentary="写好了")
    summary = build(unit_a).summary
    with pytest.raises(ValidationError, match="主管意见"):
        services.summary_submit(summary=summary, actor=supervisor_a, commentary="  ")
    make_entry(make_daily_report(staff_a, date(2026, 10, 23)), october["d1"], kind="visit")
    with pytest.raises(ValidationError, match="日报"):
        services.summary_submit(summary=summary, actor=supervisor_a, commentary="写好了")
    summary.refresh_from_db()
    assert summary.status == "draft" and summary.commentary == "写好了"


def test_only_the_units_supervisor_comments_and_only_its_manager_reviews(
    october, unit_a, supervisor_b, manager_b, manager_a, supervisor_a
):
    summary = build(unit_a).summary
    with pytest.raises(PermissionDenied):
        services.summary_save_commentary(summary=summary, actor=supervisor_b, commentary="x")
    with pytest.raises(PermissionDenied):
        services.summary_save_commentary(summary=summary, actor=manager_a, commentary="x")
    summary = submitted(unit_a, supervisor_a)
    with pytest.raises(PermissionDenied):
        services.summary_review(summary=summary, actor=manager_b, comment="x")
    with pytest.raises(PermissionDenied):
        services.summary_review(summary=summary, actor=supervisor_a, comment="x")


def test_a_month_that_has_not_begun_cannot_be_built(unit_a):
    with pytest.raises(ValidationError):
        services.summary_build(unit_id=unit_a.pk, month=date(2099, 1, 1))


def current_statement_timeout_ms() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        return int(cursor.fetchone()[0])


def test_the_monthly_build_runs_under_the_jobs_statement_timeout(
    postgres_required, settings, monkeypatch, unit_a, october
):
    settings.DB_JOB_STATEMENT_TIMEOUT_MS = 123_000
    seen = []
    compute_many = services.rollup.compute_many

    def watched(**kwargs):
        seen.append(current_statement_timeout_ms())
        return compute_many(**kwargs)

    monkeypatch.setattr(services.rollup, "compute_many", watched)
    services.summary_build(unit_id=unit_a.pk, month=OCTOBER)
    assert seen == [123_000]
