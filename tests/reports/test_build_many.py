"""Building several units' month at once: the same figures as one by one, all or nothing."""

import json

import pytest

from crm_site.accounts.models import ServiceUnit
from reports import rollup, services
from reports.models import MonthlyPatrolSummary, RollupRequest, SummaryEvent
from tests.factories import make_complaint, make_customer, make_daily_report, make_entry
from tests.reports.conftest import OCTOBER, at, urgent_report

pytestmark = pytest.mark.django_db

FIGURES = (*services.HEADLINE, *services.SECTIONS, "as_of", "source_fingerprint", "figures_digest")


def text(stored_list) -> str:
    return json.dumps(stored_list, ensure_ascii=False)


def stored(unit):
    summary = MonthlyPatrolSummary.objects.get(unit=unit, month=OCTOBER)
    return {key: getattr(summary, key) for key in FIGURES}


@pytest.fixture
def busy_b(october, unit_b, staff_b, supervisor_a):
    """Unit B gets a month of its own, so that no unit's figures are all zero."""
    customer = make_customer(unit_b, name="乙单位大客户", grade="C", visiting_person=staff_b)
    report = make_daily_report(staff_b, OCTOBER.replace(day=23))
    make_entry(report, customer, kind="visit", at="10:00", opinions="运价偏高", market="同行促销")
    make_complaint(customer, received_at=at(OCTOBER.replace(day=9)))
    urgent_report(unit_b, supervisor_a, raised=at(OCTOBER.replace(day=12)))
    return customer


def test_building_units_together_gives_each_the_figures_it_gets_alone(busy_b, unit_a, unit_b):
    services.summaries_build(unit_ids=[unit_a.pk, unit_b.pk], month=OCTOBER)
    together = {unit.pk: stored(unit) for unit in (unit_a, unit_b)}
    MonthlyPatrolSummary.objects.all().delete()
    for unit in (unit_a, unit_b):
        services.summary_build(unit_id=unit.pk, month=OCTOBER)
    alone = {unit.pk: stored(unit) for unit in (unit_a, unit_b)}
    assert together == alone
    assert "运价偏高" in text(together[unit_b.pk]["opinions"])
    assert together[unit_b.pk]["complaints_received"] >= 1
    assert together[unit_b.pk]["urgent_raised"] >= 1
    # Nothing of one unit leaks into the other.
    assert "乙单位大客户" not in text(together[unit_a.pk]["behind"])
    assert "运价偏高" not in text(together[unit_a.pk]["opinions"])


def test_the_grouped_figures_match_the_per_unit_computation(busy_b, unit_a, unit_b):
    from django.utils import timezone

    now = timezone.now()
    today = timezone.localdate()
    many = rollup.compute_many(unit_ids=[unit_a.pk, unit_b.pk], month=OCTOBER, today=today, now=now)
    for unit in (unit_a, unit_b):
        one = rollup.compute_many(unit_ids=[unit.pk], month=OCTOBER, today=today, now=now)[unit.pk]
        assert many[unit.pk]["figures_digest"] == one["figures_digest"]
        assert many[unit.pk]["opinions"].text == one["opinions"].text


def test_a_unit_without_anything_that_month_gets_an_empty_summary(october, unit_a):
    empty = ServiceUnit.objects.create(code="E", name="新设营业部")
    make_customer(empty, grade="")  # no contacts, reports or complaints
    results = services.summaries_build(unit_ids=[unit_a.pk, empty.pk], month=OCTOBER)
    summary = results[1].summary
    assert summary.unit_id == empty.pk
    assert (summary.opinions_count, summary.urgent_raised, summary.complaints_received) == (0, 0, 0)
    assert summary.activity["entries"] == 0 and summary.complaints["by_category"] == []


def test_a_failure_while_writing_keeps_no_unit_half_built(busy_b, unit_a, unit_b, monkeypatch):
    services.summaries_build(unit_ids=[unit_a.pk, unit_b.pk], month=OCTOBER)
    before = {unit.pk: stored(unit) for unit in (unit_a, unit_b)}
    events = SummaryEvent.objects.count()
    make_entry(
        make_daily_report(busy_b.visiting_person, OCTOBER.replace(day=27)), busy_b, kind="call"
    )
    written = []
    real_overwrite = services._overwrite

    def overwrite_then_fail(summary, values, built_at):
        real_overwrite(summary, values, built_at)
        written.append(summary.unit_id)
        if len(written) == 2:
            raise RuntimeError("killed half way")

    monkeypatch.setattr(services, "_overwrite", overwrite_then_fail)
    with pytest.raises(RuntimeError):
        services.summaries_build(unit_ids=[unit_a.pk, unit_b.pk], month=OCTOBER)
    assert written == [unit_a.pk, unit_b.pk]
    assert {unit.pk: stored(unit) for unit in (unit_a, unit_b)} == before
    assert SummaryEvent.objects.count() == events


def test_a_group_build_marks_each_units_pending_request_done(october, unit_a, unit_b, supervisor_a):
    request = RollupRequest.objects.create(unit=unit_a, month=OCTOBER, requested_by=supervisor_a)
    results = services.summaries_build(unit_ids=[unit_b.pk, unit_a.pk], month=OCTOBER)
    request.refresh_from_db()
    assert request.done_at is not None
    assert request.summary_id == results[1].summary.pk
