"""The workflow kernel: one conditional UPDATE, one event row, side effects after commit."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from crm_site.core.workflow import TransitionRefused, Workflow, transition, workflow_of
from tests.factories import make_daily_report
from visits.models import DailyReport, DailyReportEvent
from visits.services import WORKFLOW as DAILY_REPORT_WORKFLOW

DRAFT, SUBMITTED, REVIEWED, RETURNED = "draft", "submitted", "reviewed", "returned"


def test_a_workflow_is_a_table_of_actions():
    flow = Workflow(
        states=("open", "done"),
        actions={"finish": (("open",), "done"), "note": (("open", "done"), None, "noted")},
    )
    assert flow.allows("finish", "open")
    assert not flow.allows("finish", "done")
    assert flow.target("finish", "open") == "done"
    assert flow.target("note", "done") == "done"
    assert flow.actions["note"].kind == "noted"
    assert flow.available("done") == ["note"]


def test_a_workflow_refuses_an_action_to_an_unknown_state():
    with pytest.raises(ValueError):
        Workflow(states=("open",), actions={"finish": (("open",), "done")})


def test_the_model_finds_its_workflow():
    assert workflow_of(DailyReport) is DAILY_REPORT_WORKFLOW


def test_an_allowed_transition_moves_the_state_and_writes_the_event(staff_a):
    report = make_daily_report(staff_a)

    event = transition(report, "submit", actor=staff_a, note="done for today")

    report.refresh_from_db()
    assert (report.status, report.note) == (SUBMITTED, "done for today")
    assert isinstance(event, DailyReportEvent)
    assert (event.report, event.actor, event.kind) == (report, staff_a, "submitted")
    assert (event.from_state, event.to_state) == (DRAFT, SUBMITTED)
    assert list(report.events.values_list("kind", flat=True)) == ["submitted"]


def test_a_transition_from_a_wrong_state_is_refused_and_writes_nothing(staff_a, supervisor_a):
    report = make_daily_report(staff_a)

    with pytest.raises(ValidationError) as caught:
        transition(report, "review", actor=supervisor_a)

    assert not caught.value.changed
    assert caught.value.messages  # a sentence for the user, naming the state
    report.refresh_from_db()
    assert report.status == DRAFT
    assert not report.events.exists()


def test_a_concurrent_change_loses_cleanly(staff_a, supervisor_a):
    report = make_daily_report(staff_a, status=SUBMITTED)
    seen_by_one = DailyReport.objects.get(pk=report.pk)
    seen_by_other = DailyReport.objects.get(pk=report.pk)

    transition(seen_by_one, "review", actor=supervisor_a)
    with pytest.raises(TransitionRefused) as caught:
        transition(seen_by_other, "return", actor=supervisor_a, review_comment="redo")

    assert caught.value.changed
    assert seen_by_other.status == REVIEWED  # reloaded, so the page can say what it is now
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (REVIEWED, "")
    assert list(report.events.values_list("kind", flat=True)) == ["reviewed"]


def test_an_extra_condition_that_no_longer_holds_loses_cleanly(staff_a, staff_a2):
    report = make_daily_report(staff_a)

    with pytest.raises(TransitionRefused):
        transition(report, "submit", actor=staff_a2, where={"user": staff_a2})

    report.refresh_from_db()
    assert report.status == DRAFT
    assert not report.events.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_at_once_move_it_once(postgres_required, staff_a, supervisor_a, manager_a):
    report = make_daily_report(staff_a, status=SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(action, person):
        try:
            barrier.wait()
            transition(DailyReport.objects.get(pk=report.pk), action, actor=person)
            outcomes.append(action)
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=act, args=("review", supervisor_a)),
        threading.Thread(target=act, args=("return", manager_a)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    report.refresh_from_db()
    (winner,) = [outcome for outcome in outcomes if outcome != "refused"]
    assert outcomes.count("refused") == 1
    assert report.status == {"review": REVIEWED, "return": RETURNED}[winner]
    assert list(report.events.values_list("kind", flat=True)) == [report.status]


def test_a_double_submit_moves_once(staff_a):
    report = make_daily_report(staff_a)
    transition(report, "submit", actor=staff_a)

    with pytest.raises(TransitionRefused):
        transition(report, "submit", actor=staff_a)

    assert report.events.count() == 1


def test_side_effects_run_only_after_commit(staff_a, django_capture_on_commit_callbacks):
    report = make_daily_report(staff_a)
    sent = []

    with django_capture_on_commit_callbacks() as callbacks:
        transition(report, "submit", actor=staff_a, on_commit=lambda: sent.append(report.pk))
        assert sent == []  # still inside the transaction

    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [report.pk]


def test_a_refused_transition_sends_nothing(staff_a, django_capture_on_commit_callbacks):
    report = make_daily_report(staff_a, status=REVIEWED)
    sent = []

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionRefused),
    ):
        transition(report, "submit", actor=staff_a, on_commit=lambda: sent.append(1))

    assert callbacks == []
    assert sent == []
