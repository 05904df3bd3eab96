"""The background regrade: batched, idempotent, pinned customers kept and listed, swept, quarterly."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from crm_site.core.models import Notification
from customers import services
from customers.models import Customer, GradeChange, GradingRule, RegradeRun
from customers.services import rules as rule_services
from tests.customers.rules import definition
from tests.factories import make_customer
from tests.support.services import wait_until

pytestmark = pytest.mark.django_db


def new_rule(admin, **thresholds) -> RegradeRun:
    """Save a rule version without running its regrade (the test runs it)."""
    rule = GradingRule.objects.create(
        version=GradingRule.objects.current().version + 1,
        definition=definition(**thresholds),
        created_by=admin,
    )
    return RegradeRun.objects.create(rule=rule, requested_by=admin, reason="调整门槛")


def test_a_run_moves_customers_and_records_why(admin_user, book):
    run = new_rule(admin_user, A=101, C=50)
    assert services.regrade_run_execute(run_id=run.pk) is True
    run.refresh_from_db()
    assert (run.state, run.customers_checked, run.customers_moved) == ("done", 3, 2)
    assert run.moves == {"A→B": 1, "C→D": 1}
    change = GradeChange.objects.get(customer=book["colleague"])
    assert (change.old_grade, change.new_grade, change.rule, change.run, change.reason) == (
        "C",
        "D",
        run.rule,
        run,
        "调整门槛",
    )
    assert Customer.objects.get(code="A-001").grade_rule == run.rule


def test_running_the_same_run_twice_changes_nothing_the_second_time(admin_user, book):
    run = new_rule(admin_user, A=101)
    assert services.regrade_run_execute(run_id=run.pk) is True
    assert services.regrade_run_execute(run_id=run.pk) is False  # claimed already
    again = RegradeRun.objects.create(rule=run.rule)
    services.regrade_run_execute(run_id=again.pk)
    again.refresh_from_db()
    assert (again.state, again.customers_moved, again.moves) == ("done", 0, {})
    assert GradeChange.objects.count() == 1


def test_pinned_customers_keep_their_grade_and_are_listed(admin_user, supervisor_a, book):
    services.customer_pin_grade(
        customer=book["mine"], actor=supervisor_a, grade="A", reason="战略客户"
    )
    run = new_rule(admin_user, A=101)
    services.regrade_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert Customer.objects.get(code="A-001").grade == "A"
    assert run.pinned_ids == [book["mine"].pk] and run.customers_moved == 0


def test_customers_are_graded_in_batches_without_a_query_per_customer(
    admin_user, unit_a, monkeypatch, django_assert_max_num_queries
):
    for i in range(30):
        make_customer(unit_a, code=f"Q-{i:03d}", annual_revenue=1000 + i, scale="large")
    monkeypatch.setattr(rule_services, "BATCH_SIZE", 10)
    run = new_rule(admin_user, A=200)
    # claim, load the run, newest rule; 4 batches of (savepoint, select, bulk
    # update, insert, progress, release); the summary; a notification.
    with django_assert_max_num_queries(40):
        services.regrade_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.customers_checked, run.customers_moved) == (30, 30)


def test_a_run_for_a_replaced_rule_is_superseded(admin_user, book):
    old = new_rule(admin_user, A=101)
    newer = new_rule(admin_user, A=90)
    services.regrade_run_execute(run_id=old.pk)
    old.refresh_from_db()
    assert old.state == "superseded" and not GradeChange.objects.exists()
    services.regrade_run_execute(run_id=newer.pk)
    assert Customer.objects.get(code="A-001").grade_rule == newer.rule


def test_the_sweeper_sends_runs_the_broker_never_got(admin_user, book):
    run = new_rule(admin_user, A=101)
    fresh = new_rule(admin_user, A=102)
    RegradeRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert services.regrade_runs_sweep() == 1  # eager: runs now
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.state == "superseded"  # a newer rule exists; its own run is still fresh
    assert fresh.state == "pending"


def test_a_run_whose_worker_died_is_claimed_again(admin_user, book):
    run = new_rule(admin_user, A=101)
    long_ago = timezone.now() - timedelta(hours=1)
    RegradeRun.objects.filter(pk=run.pk).update(state="running", progress_at=long_ago)
    assert services.regrade_runs_sweep() == 1
    run.refresh_from_db()
    assert (run.state, run.customers_moved) == ("done", 1)


def test_a_running_run_is_not_claimed_twice(admin_user, book):
    run = new_rule(admin_user, A=101)
    RegradeRun.objects.filter(pk=run.pk).update(state="running", progress_at=timezone.now())
    assert services.regrade_run_execute(run_id=run.pk) is False


def test_the_quarterly_regrade_runs_once_per_quarter(book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.regrade_quarterly_start(today=date(2027, 1, 1))
        again = services.regrade_quarterly_start(today=date(2027, 3, 31))
        next_quarter = services.regrade_quarterly_start(today=date(2027, 4, 1))
    assert (
        first.key == "quarterly-2027Q1" and again is None and next_quarter.key == "quarterly-2027Q2"
    )
    first.refresh_from_db()
    assert first.state == "done" and first.requested_by is None


def test_the_admin_who_saved_the_rule_is_told_when_it_is_done(admin_user, book):
    run = new_rule(admin_user, A=101)
    services.regrade_run_execute(run_id=run.pk)
    note = Notification.objects.get(recipient=admin_user)
    assert note.title == "按分级规则 v2 重新评级已完成"
    assert note.url == run.get_absolute_url()


def test_the_beat_schedule_has_the_sweeper_and_the_quarterly_regrade(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "customers.tasks.regrade_runs_sweep",
        "customers.tasks.regrade_quarterly",
        "customers.tasks.customer_imports_sweep",
        "customers.tasks.customer_imports_purge",
    } <= tasks


@pytest.mark.services
def test_a_real_worker_regrades_after_the_rule_is_saved(celery_worker, admin_user, unit_a):
    for i in range(25):
        make_customer(unit_a, code=f"W-{i:03d}", annual_revenue=1000 + i, scale="large")
    run = services.grading_rule_save(actor=admin_user, definition=definition(A=101), note="实跑")
    done = wait_until(
        lambda: RegradeRun.objects.filter(pk=run.pk, state="done").first(), timeout=60
    )
    assert (done.customers_checked, done.customers_moved) == (25, 25)
    assert done.moves == {"A→B": 25}
    assert GradeChange.objects.filter(run=run, new_grade="B").count() == 25
    # A second delivery of the same message finds the run claimed and does nothing.
    from crm_site.core.jobs import send_now
    from customers import tasks

    send_now(tasks.regrade_run_execute, run.pk)
    second = RegradeRun.objects.create(rule=run.rule)
    send_now(tasks.regrade_run_execute, second.pk)
    wait_until(lambda: RegradeRun.objects.filter(pk=second.pk, state="done").exists(), timeout=60)
    assert GradeChange.objects.filter(rule=run.rule).count() == 25
