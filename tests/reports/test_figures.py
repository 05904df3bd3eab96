"""The figures of a summary equal what we count by hand from the October fixture
(tests/reports/conftest.py), month boundaries in Asia/Shanghai included, and the
compliance equals the compliance page's for the same data."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core.models import WorkCalendarDay
from reports import display, services
from reports.display import entry_rows
from tests.factories import make_customer, make_daily_report, make_entry, make_user, make_visit
from tests.reports.conftest import OCTOBER, at

pytestmark = pytest.mark.django_db


def build(unit, month=OCTOBER, **kwargs):
    return services.summary_build(unit_id=unit.pk, month=month, **kwargs).summary


def test_compliance_by_grade_and_person_matches_the_hand_count(october, unit_a):
    summary = build(unit_a)
    grades = {row["grade"]: row for row in summary.compliance["by_grade"]}
    assert set(grades) == {"A", "B", "D"}
    a = grades["A"]
    assert (a["customers"], a["visits_counted"], a["visits_required"]) == (1, 2, 3)
    # Calls: week 28 Sep 1 (the 30 Sep call), 5 Oct 3→2, 12 Oct 1, 19 Oct 0, 26 Oct 2.
    assert (a["calls_counted"], a["calls_required"], a["calls_done"]) == (6, 10, 7)
    b = grades["B"]
    # 乙's 23:30 visit on 31 Oct counts for October; 丙's 00:30 on 1 Nov does not.
    assert (b["customers"], b["visits_counted"], b["visits_required"]) == (2, 1, 4)
    assert (b["calls_counted"], b["calls_required"]) == (0, 20)
    d = grades["D"]
    assert (d["visits_counted"], d["visits_required"], d["calls_counted"]) == (1, 1, 5)
    people = {p["person"]: p["total"] for p in summary.compliance["by_person"]}
    assert (people["张三"]["visits_counted"], people["张三"]["visits_required"]) == (3, 4)
    assert (people["张三"]["calls_counted"], people["张三"]["calls_required"]) == (11, 15)
    assert (people["李四"]["visits_counted"], people["李四"]["calls_counted"]) == (1, 0)
    total = summary.compliance["total"]
    assert (total["customers"], total["visits_counted"], total["visits_required"]) == (4, 4, 8)
    assert (total["calls_counted"], total["calls_required"]) == (11, 35)
    assert (summary.visits_percent, summary.calls_percent) == (50.0, 31.4)
    assert summary.compliance_percent == 34.9  # 15 of 43


def test_customers_behind_are_listed_with_their_numbers(october, unit_a):
    summary = build(unit_a)
    behind = [
        (row["name"], row["visits_counted"], row["calls_counted"])
        for row in display.behind_rows(summary)
    ]
    assert behind == [("甲客户", 2, 6), ("乙客户", 1, 0), ("丙客户", 0, 0)]
    assert summary.customers_behind == 3


def test_activity_counts_the_months_reports_entries_visits_and_calls(october, unit_a):
    summary = build(unit_a)
    assert (summary.activity["reports"], summary.activity["entries"]) == (3, 4)
    assert summary.activity["staff"] == 2
    # Visits made in October (local): 5, 19 ×2 and 31 Oct 23:30; calls in the
    # calendar month: 甲 6 (not 30 Sep, not 2 Nov), 丁 4.
    assert (summary.visits_done, summary.calls_done) == (4, 10)


def test_opinions_and_market_reports_are_listed_in_full_with_customer_and_author(october, unit_a):
    summary = build(unit_a)
    opinions = [
        (r["customer"], r["author"], r["text"], r["at"]) for r in entry_rows(summary.opinions)
    ]
    assert opinions == [
        ("甲客户", "张三", "希望增加周末班次", "2026-10-05 09:00"),
        ("丁客户", "张三", "=SUM(A1:A9)", "2026-10-19 16:00"),
        ("乙客户", "李四", "月底最后一条意见", "2026-10-31 23:30"),
    ]
    assert [r["text"] for r in entry_rows(summary.market)] == ["同行降价5%", "新园区开业"]
    assert (summary.opinions_count, summary.market_count) == (3, 2)


def test_november_keeps_what_happened_after_midnight_shanghai_time(october, unit_a):
    summary = build(unit_a, month=date(2026, 11, 1))
    assert [r["text"] for r in entry_rows(summary.opinions)] == ["十一月的意见"]
    assert [r["at"] for r in entry_rows(summary.opinions)] == ["2026-11-01 00:30"]
    assert summary.urgent_raised == 1
    assert summary.complaints_received == 1


def test_urgent_reports_raised_resolved_and_open_at_the_months_end(october, unit_a):
    summary = build(unit_a)
    assert (summary.urgent_raised, summary.urgent_resolved, summary.urgent_open) == (3, 2, 2)
    titles = [row["title"] for row in summary.urgent["list"]]
    assert titles == [
        "九月提出十月解决",
        "十月提出十月解决",
        "十月提出十一月解决",
        "十月底提出仍未解决",
    ]
    open_at_end = [row["title"] for row in summary.urgent["list"] if row["open_at_end"]]
    assert open_at_end == ["十月提出十一月解决", "十月底提出仍未解决"]


def test_complaints_received_resolved_and_on_time_are_the_receipt_cohorts(october, unit_a):
    summary = build(unit_a)
    assert summary.complaints_received == 3  # 9, 12 and 31 Oct 23:00; not 1 Nov
    assert summary.complaints_resolved == 2
    assert summary.complaints_on_time == 1  # the 30 Nov resolution was late
    assert summary.complaints["resolution_rate"] == 66.7
    assert summary.complaints["on_time_rate"] == 50.0


def test_the_other_unit_sees_only_its_own_figures(october, unit_b):
    summary = build(unit_b)
    assert summary.customers == 1
    assert [r["text"] for r in entry_rows(summary.opinions)] == ["别的单位的意见"]
    assert summary.urgent_raised == 0 and summary.complaints_received == 0


def test_the_month_in_progress_counts_only_weeks_begun(october, unit_a):
    summary = build(unit_a, today=date(2026, 10, 14))
    assert summary.as_of == date(2026, 10, 14)
    assert len(summary.activity["weeks"]) == 3  # 28 Sep, 5 Oct, 12 Oct
    grades = {row["grade"]: row for row in summary.compliance["by_grade"]}
    assert (grades["A"]["calls_counted"], grades["A"]["calls_required"]) == (4, 6)
    assert grades["A"]["visits_required"] == 3  # the month's visits count in full


def _page_view(client, supervisor, unit, year, month):
    """The compliance page's numbers for the unit and month, as its supervisor sees them."""
    client.force_login(supervisor)
    params = {"month": f"{year}-{month:02d}", "unit": unit.pk}
    response = client.get(reverse("visits:compliance"), params)
    groups = {
        (row["visiting_person"], row["grade"]): tuple(row[key] for key in GROUP_FIGURES)
        for person in response.context["people"]
        for row in person["grades"]
    }
    behind = []
    for number in response.context["page_obj"].paginator.page_range:
        page = client.get(reverse("visits:compliance"), params | {"page": number})
        behind += [
            (c.pk, c.visits_counted, c.visits_required, c.calls_counted, c.calls_required)
            for c in page.context["page_obj"].object_list
        ]
    return groups, sorted(behind), response.context["total"]["percent"]


def _summary_view(unit, year, month, today):
    """The monthly summary's numbers for the same unit and month."""
    summary = build(unit, month=date(year, month, 1), today=today)
    groups = {
        (row["person_id"], row["grade"]): tuple(row[key] for key in GROUP_FIGURES)
        for person in summary.compliance["by_person"]
        for row in person["grades"]
    }
    behind = [
        (
            row["customer_id"],
            row["visits_counted"],
            row["visits_required"],
            row["calls_counted"],
            row["calls_required"],
        )
        for row in display.behind_rows(summary)
    ]
    return groups, sorted(behind), summary.compliance_percent


GROUP_FIGURES = (
    "customers",
    "visits_required",
    "visits_counted",
    "calls_required",
    "calls_counted",
)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("today", [date(2026, 11, 20), date(2026, 10, 16)])
def test_the_compliance_page_and_the_monthly_summary_show_the_same_numbers(
    seed, today, client, monkeypatch, unit_a, staff_a, staff_a2, supervisor_a
):
    """Random contacts around October, a holiday week (no calls required) and a
    make-up Saturday: the supervisor's compliance page and the unit's summary
    agree per person and grade, on the customers behind and on the percentage."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    rng = random.Random(seed)
    for day in range(12, 17):  # Mon 12 – Fri 16 Oct: holidays
        WorkCalendarDay.objects.create(date=date(2026, 10, day), is_working=False)
    WorkCalendarDay.objects.create(date=date(2026, 10, 10), is_working=True)
    people = [staff_a, staff_a2, None]
    customers = [
        make_customer(unit_a, grade=rng.choice("ABCD"), visiting_person=rng.choice(people))
        for _ in range(30)
    ]
    customers.append(make_customer(unit_a, grade="", visiting_person=staff_a))
    customers.append(make_customer(unit_a, grade="A", status="lost", visiting_person=staff_a))
    start = datetime(2026, 9, 24, tzinfo=timezone.get_current_timezone())
    for _ in range(300):
        moment = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 45))
        make_visit(
            rng.choice(customers), staff_a, kind=rng.choice(["visit", "call"]), occurred_at=moment
        )
    page = _page_view(client, supervisor_a, unit_a, 2026, 10)
    summary = _summary_view(unit_a, 2026, 10, today)
    assert page == summary
    assert page[1]  # some customers are behind


def statements(captured) -> int:
    """Queries, not counting savepoints (a deduplicated notification rolls one back)."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith(skip))


def test_a_build_costs_the_same_number_of_queries_however_many_entries(october, unit_a):
    build(unit_a)
    busy = make_user(Role.STAFF, unit_a, full_name="勤快")
    customers = [make_customer(unit_a, grade="C", visiting_person=busy) for _ in range(5)]
    # Both measured builds change the figures (and so tell the supervisors).
    make_entry(make_daily_report(busy, date(2026, 10, 29)), customers[0], kind="call", at="9:00")
    with CaptureQueriesContext(connection) as few:
        build(unit_a)
    for day in range(1, 29):
        when = date(2026, 10, day)
        report = make_daily_report(busy, when)
        for i, customer in enumerate(customers):
            make_entry(
                report, customer, kind="call", at=f"{9 + i}:00", opinions="意见", market="行情"
            )
    with CaptureQueriesContext(connection) as many:
        summary = build(unit_a)
    assert summary.opinions_count == 3 + 28 * 5
    assert statements(many) == statements(few)
    # The figures, the by-outlet complaints and claims, and the service plans'
    # progress: a fixed number of statements.
    assert statements(many) <= 22


def test_an_entry_at_half_past_eleven_on_the_last_night_is_octobers_though_it_is_1530_utc(
    unit_a, staff_a
):
    customer = make_customer(unit_a, grade="D", visiting_person=staff_a)
    report = make_daily_report(staff_a, date(2026, 10, 31))
    entry = make_entry(report, customer, kind="visit", at="23:30", opinions="最后一刻")
    assert entry.occurred_at.astimezone(UTC).hour == 15
    october = build(unit_a)
    november = build(unit_a, month=date(2026, 11, 1))
    assert (october.visits_done, october.opinions_count) == (1, 1)
    assert (november.visits_done, november.opinions_count) == (0, 0)
    assert at(date(2026, 10, 31), 23, 30) == entry.occurred_at
