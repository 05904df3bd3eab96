"""A unit's October 2026 (and a neighbour unit) for the monthly summary tests.

October 2026 on the plain calendar (no holidays configured): 22 working days;
the ISO weeks counted for October are those whose Thursday is in October:
Mondays 28 Sep (Thu 1 Oct), 5, 12, 19 and 26 Oct (Thu 29 Oct). Grades are set
by hand under the default rule with D at 1 visit a month (A 3 visits a month
and 2 calls a week, B 2 and 2, D 1 and 1): the hand counts below were made
for it, and the shipped D cadence is tested in tests/customers/test_grading.py.
"""

import copy
from datetime import date, datetime

import pytest
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit
from customers.grading import DEFAULT_DEFINITION
from customers.models import GradingRule
from tests.factories import make_complaint, make_customer, make_daily_report, make_entry, make_visit
from visits.models import UrgentReport

OCTOBER = date(2026, 10, 1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime at local (Asia/Shanghai) wall-clock time."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def urgent_report(unit, by, *, raised: datetime, resolved: datetime | None = None, **fields):
    """An urgent report raised (and resolved) at the given moments (no routing)."""
    report = UrgentReport.objects.create(
        unit=unit,
        raised_by=by,
        category=fields.pop("category", UrgentReport.Category.COMPETITOR_POLICY),
        title=fields.pop("title", "竞争对手降价"),
        details=fields.pop("details", "详情"),
        status=UrgentReport.Status.RESOLVED if resolved else UrgentReport.Status.ROUTED,
        resolved_at=resolved,
        **fields,
    )
    UrgentReport.objects.filter(pk=report.pk).update(created_at=raised)
    report.refresh_from_db()
    return report


@pytest.fixture
def october(unit_a, unit_b, staff_a, staff_a2, staff_b, supervisor_a):
    """Unit A's October 2026, with the numbers the tests check by hand.

    - 甲 (A, staff_a): visits on 5 and 19 Oct (2 of 3); calls: week 5 Oct ×3
      (counts 2), week 12 Oct ×1, week 26 Oct ×2, week 28 Sep: Wed 30 Sep ×1
      (September's day, October's week: counts); Mon 2 Nov (November's
      week): not counted. Calls counted 2+1+0+2+1 = 6 of 10.
    - 丁 (D, staff_a): 1 visit, a call each of the five weeks: all done.
    - 乙 (B, staff_a2): one visit on 31 Oct at 23:30 Shanghai time (15:30 UTC,
      still October), no calls: visits 1 of 2, calls 0 of 10.
    - 丙 (B, staff_a2): a visit at 00:30 on 1 Nov (November: not counted).
    - unit B's customer is fully served and must not appear.
    """
    definition = copy.deepcopy(DEFAULT_DEFINITION)
    for grade in definition["grades"]:
        if grade["code"] == "D":
            grade["visits_per_month"] = 1
    GradingRule.objects.update_or_create(version=1, defaults={"definition": definition})
    a1 = make_customer(unit_a, name="甲客户", grade="A", visiting_person=staff_a)
    d1 = make_customer(unit_a, name="丁客户", grade="D", visiting_person=staff_a)
    b1 = make_customer(unit_a, name="乙客户", grade="B", visiting_person=staff_a2)
    b2 = make_customer(unit_a, name="丙客户", grade="B", visiting_person=staff_a2)
    other = make_customer(unit_b, name="别的单位客户", grade="A", visiting_person=staff_b)

    # 甲: two visits filed in daily reports, with opinions and market notes.
    r5 = make_daily_report(staff_a, date(2026, 10, 5))
    make_entry(r5, a1, kind="visit", at="09:00", opinions="希望增加周末班次", market="")
    r19 = make_daily_report(staff_a, date(2026, 10, 19))
    make_entry(r19, a1, kind="visit", at="14:00", opinions="", market="同行降价5%")
    make_entry(r19, d1, kind="visit", at="16:00", opinions="=SUM(A1:A9)", market="新园区开业")
    for day in [date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)]:
        make_visit(a1, staff_a, kind="call", occurred_at=at(day, 11))
    for day in [date(2026, 10, 14), date(2026, 10, 26), date(2026, 10, 28), date(2026, 9, 30)]:
        make_visit(a1, staff_a, kind="call", occurred_at=at(day, 11))
    make_visit(a1, staff_a, kind="call", occurred_at=at(date(2026, 11, 2), 11))
    make_visit(a1, staff_a, kind="visit", occurred_at=at(date(2026, 11, 3), 11))
    # 丁: a call each counted week.
    for day in [date(2026, 9, 29), date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20)]:
        make_visit(d1, staff_a, kind="call", occurred_at=at(day, 9))
    make_visit(d1, staff_a, kind="call", occurred_at=at(date(2026, 10, 27), 9))
    # 乙: the month-boundary entry, 23:30 on 31 October in Shanghai.
    r31 = make_daily_report(staff_a2, date(2026, 10, 31))
    make_entry(r31, b1, kind="visit", at="23:30", opinions="月底最后一条意见", market="")
    # 丙: 00:30 on 1 November belongs to November.
    n1 = make_daily_report(staff_a2, date(2026, 11, 1))
    make_entry(n1, b2, kind="visit", at="00:30", opinions="十一月的意见", market="十一月行情")
    # The other unit: fully served, with its own opinions.
    rb = make_daily_report(staff_b, date(2026, 10, 8))
    make_entry(rb, other, kind="visit", at="10:00", opinions="别的单位的意见")

    # Urgent reports of unit A: (raised, resolved or None, title).
    for raised, resolved, title in [
        (at(date(2026, 9, 20)), at(date(2026, 10, 3)), "九月提出十月解决"),
        (at(date(2026, 10, 10)), at(date(2026, 10, 20)), "十月提出十月解决"),
        (at(date(2026, 10, 30)), at(date(2026, 11, 5)), "十月提出十一月解决"),
        (at(date(2026, 10, 31), 23, 30), None, "十月底提出仍未解决"),
        (at(date(2026, 9, 1)), at(date(2026, 9, 15)), "九月已解决"),
        (at(date(2026, 11, 1), 0, 30), None, "十一月提出"),
    ]:
        urgent_report(unit_a, supervisor_a, raised=raised, resolved=resolved, title=title)

    # Complaints received in October: two, one resolved on time, one late.
    c1 = make_complaint(a1, by=staff_a, received_at=at(date(2026, 10, 9)))
    make_complaint(
        d1,
        by=staff_a,
        received_at=at(date(2026, 10, 12)),
        status="resolved",
        resolved_at=at(date(2026, 10, 13)),
    )
    make_complaint(
        b1,
        by=staff_a2,
        received_at=at(date(2026, 10, 31), 23, 0),
        status="resolved",
        resolved_at=at(date(2026, 11, 30)),
    )
    make_complaint(b1, by=staff_a2, received_at=at(date(2026, 11, 1), 1, 0))
    return {"a1": a1, "d1": d1, "b1": b1, "b2": b2, "other": other, "open_complaint": c1}


@pytest.fixture
def unit_a_id(unit_a) -> int:
    return ServiceUnit.objects.get(code="A").pk
