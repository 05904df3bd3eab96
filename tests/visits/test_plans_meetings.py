"""A-grade customers' meetings on the visit calendar, over a half-year of
nightly planner runs: one big-customer meeting (座谈会) each half-year and one
needs-analysis meeting (需求分析会) each month, with the visiting person,
never twice, and none for the other grades."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_customer
from visits.models import PlannedContact
from visits.plans.models import ContactKind
from visits.plans.services import planned_contact_move, planned_contacts_generate

pytestmark = pytest.mark.django_db

MEETINGS = [ContactKind.MEETING, ContactKind.NEEDS]


def test_a_half_year_of_nightly_runs_plans_each_meeting_once(unit_a, staff_a, staff_a2):
    big = [make_customer(unit_a, grade="A", visiting_person=staff_a) for _ in range(2)]
    big.append(make_customer(unit_a, grade="A", visiting_person=staff_a2))
    other = make_customer(unit_a, grade="B", visiting_person=staff_a)
    day = date(2027, 1, 4)
    while day <= date(2027, 6, 30):
        if day.weekday() < 5:
            planned_contacts_generate(today=day)
            # The people hold the day's meetings.
            PlannedContact.objects.filter(day=day, kind__in=MEETINGS).update(
                state=PlannedContact.State.DONE
            )
        day += timedelta(days=1)

    rows = PlannedContact.objects.filter(kind__in=MEETINGS, day__lte=date(2027, 6, 30))
    assert not rows.filter(customer=other).exists()
    assert not rows.exclude(state=PlannedContact.State.DONE).exists()
    for customer in big:
        mine = rows.filter(customer=customer)
        assert set(mine.values_list("person_id", flat=True)) == {customer.visiting_person_id}
        assert mine.filter(kind=ContactKind.MEETING).count() == 1
        needs = Counter(
            d.month for d in mine.filter(kind=ContactKind.NEEDS).values_list("day", flat=True)
        )
        assert needs == dict.fromkeys(range(1, 7), 1)


def test_a_meeting_moved_by_hand_is_not_planned_again(unit_a, staff_a):
    customer = make_customer(unit_a, grade="A", visiting_person=staff_a)
    today = date(2027, 6, 14)  # late in the half-year: the meetings fall in the horizon
    planned_contacts_generate(today=today)
    meeting = PlannedContact.objects.get(customer=customer, kind=ContactKind.MEETING)
    target = date(2027, 6, 29)
    if meeting.day == target:
        target = date(2027, 6, 28)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: today)
        planned_contact_move(contact=meeting, actor=staff_a, day=target)
    assert planned_contacts_generate(today=today).created == 0
    planned_contacts_generate(today=today + timedelta(days=1))
    assert PlannedContact.objects.filter(customer=customer, kind=ContactKind.MEETING).count() == 1
