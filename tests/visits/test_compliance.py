"""/visits/compliance/: numbers per staff member and grade equal to the hand count.

March 2025 on the plain calendar: 21 working days; the ISO weeks counted for
March are those of Thursdays 6, 13, 20 and 27 (Mondays 3, 10, 17, 24). The
week of Mon 24 Feb (Thursday 27 Feb) belongs to February; the week of Mon 31
Mar (Thursday 3 Apr) to April.
"""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer, make_visit

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def march(unit_a, unit_b, staff_a, staff_a2, staff_b):
    a1 = make_customer(unit_a, name="甲客户", grade="A", visiting_person=staff_a)
    d1 = make_customer(unit_a, name="丁客户", grade="D", visiting_person=staff_a)
    b1 = make_customer(unit_a, name="乙客户", grade="B", visiting_person=staff_a2)
    other = make_customer(unit_b, name="别的单位客户", grade="A", visiting_person=staff_b)
    # a1 (A: 3 visits, 2 calls a week): 2 visits in March, 1 in April.
    for day in (date(2025, 3, 5), date(2025, 3, 19), date(2025, 4, 2)):
        make_visit(a1, staff_a, kind="visit", occurred_at=at(day))
    # a1 calls: week 3 Mar ×3 (counts 2), week 10 Mar ×1, week 24 Mar ×2,
    # plus Sat 1 Mar (February's week) and Mon 31 Mar (April's week): not counted.
    for day in [date(2025, 3, 3)] * 3 + [
        date(2025, 3, 12),
        date(2025, 3, 24),
        date(2025, 3, 27),
        date(2025, 3, 1),
        date(2025, 3, 31),
    ]:
        make_visit(a1, staff_a, kind="call", occurred_at=at(day))
    # d1 (D: 2 visits, 1 call a week): everything done.
    for day in (date(2025, 3, 14), date(2025, 3, 21)):
        make_visit(d1, staff_a, kind="visit", occurred_at=at(day))
    for day in (date(2025, 3, 4), date(2025, 3, 11), date(2025, 3, 18), date(2025, 3, 25)):
        make_visit(d1, staff_a, kind="call", occurred_at=at(day))
    # The other unit's customer is fully served but must not appear.
    for day in (date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)):
        make_visit(other, staff_b, kind="visit", occurred_at=at(day))
    return {"a1": a1, "d1": d1, "b1": b1, "other": other}


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("visits:compliance"), {"month": "2025-03", **params})
    assert response.status_code == 200
    return response


def test_compliance_per_person_and_grade_matches_the_hand_count(client, supervisor_a, march):
    people = {p["name"]: p for p in page(client, supervisor_a).context["people"]}
    zhang = people["张三"]
    grades = {row["grade"]: row for row in zhang["grades"]}
    assert grades["A"]["visits_required"] == 3 and grades["A"]["visits_counted"] == 2
    assert grades["A"]["calls_required"] == 8 and grades["A"]["calls_counted"] == 5
    assert grades["D"]["visits_required"] == 2 and grades["D"]["visits_counted"] == 2
    assert grades["D"]["calls_required"] == 4 and grades["D"]["calls_counted"] == 4
    assert zhang["total"]["visits_percent"] == 80.0  # 4 of 5
    assert zhang["total"]["calls_percent"] == 75.0  # 9 of 12
    li = people["李四"]["total"]
    assert (li["visits_counted"], li["visits_required"]) == (0, 2)
    assert (li["calls_counted"], li["calls_required"]) == (0, 8)


def test_unit_totals_and_percentages_are_on_the_page(client, supervisor_a, march):
    response = page(client, supervisor_a)
    total = response.context["total"]
    assert (total["visits_counted"], total["visits_required"]) == (4, 7)
    assert (total["calls_counted"], total["calls_required"]) == (9, 20)
    html = response.content.decode()
    assert "57.1%" in html and "45.0%" in html and "80.0%" in html


def test_customers_behind_are_listed_with_their_numbers_and_the_served_ones_are_not(
    client, supervisor_a, march
):
    response = page(client, supervisor_a)
    behind = {c.name: c for c in response.context["page_obj"].object_list}
    assert set(behind) == {"甲客户", "乙客户"}
    assert (behind["甲客户"].visits_counted, behind["甲客户"].calls_counted) == (2, 5)
    html = response.content.decode()
    assert "别的单位客户" not in html
    assert "走访 2/3" in html


def test_a_manager_of_both_units_can_narrow_to_one(
    client, unit_a, unit_b, march, django_assert_max_num_queries
):
    from crm_site.accounts.models import Role
    from tests.factories import make_user

    boss = make_user(Role.MANAGER, [unit_a, unit_b])
    assert page(client, boss).context["total"]["customers"] == 4
    with django_assert_max_num_queries(18):
        narrowed = client.get(reverse("visits:compliance"), {"month": "2025-03", "unit": unit_b.pk})
    assert narrowed.context["total"]["customers"] == 1
    assert narrowed.context["total"]["visits_percent"] == 100.0


def test_an_unparseable_or_future_month_shows_this_month(client, supervisor_a):
    client.force_login(supervisor_a)
    today = timezone.localdate()
    for value in ("nonsense", "2999-01"):
        response = client.get(reverse("visits:compliance"), {"month": value})
        assert response.context["month"] == today.replace(day=1)
