"""Only the customer's visiting person's contacts count towards its cadence:
on the due list, on the compliance page and in the monthly summary alike.

March 2025 on the plain calendar: 21 working days; the ISO weeks counted for
March are those of Mondays 3, 10, 17 and 24. Grade C asks for 1 visit a month
and 2 calls a week (8 calls in March).
"""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from reports import services as report_services
from tests.factories import make_customer, make_region, make_user, make_visit
from visits import queries

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)
MONDAYS = (date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17), date(2025, 3, 24))


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def salesperson(unit_a):
    return make_user(Role.STAFF, unit_a, username="sales_sh", full_name="周销售")


@pytest.fixture
def customer(unit_a, staff_a, salesperson):
    region = make_region(code="SH", name="上海", salespeople=[salesperson])
    return make_customer(
        unit_a, name="申通配套厂", grade="C", visiting_person=staff_a, region=region
    )


def serve_march(customer, person):
    """Everything grade C asks for in March, done by `person`."""
    make_visit(customer, person, kind="visit", occurred_at=at(date(2025, 3, 12)))
    for monday in MONDAYS:
        for hour in (9, 15):
            make_visit(customer, person, kind="call", occurred_at=at(monday, hour))


def compliance_page(client, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(reverse("visits:compliance"), {"month": "2025-03"})
    assert response.status_code == 200
    return response


def behind_names(response) -> set[str]:
    return {c.name for c in response.context["page_obj"].object_list}


def test_the_salespersons_and_a_colleagues_contacts_leave_the_customer_due(
    client, supervisor_a, customer, salesperson, staff_a2
):
    serve_march(customer, salesperson)
    serve_march(customer, staff_a2)
    response = compliance_page(client, supervisor_a)
    total = response.context["total"]
    assert (total["visits_counted"], total["visits_required"]) == (0, 1)
    assert (total["calls_counted"], total["calls_required"]) == (0, 8)
    assert behind_names(response) == {"申通配套厂"}
    assert "只计各客户的巡访专员本人的走访和电话" in response.content.decode()


def test_the_visiting_persons_contacts_make_it_compliant(
    client, supervisor_a, customer, staff_a, staff_a2
):
    serve_march(customer, staff_a2)
    serve_march(customer, staff_a)
    response = compliance_page(client, supervisor_a)
    total = response.context["total"]
    assert (total["visits_counted"], total["visits_done"], total["visits_required"]) == (1, 1, 1)
    assert (total["calls_counted"], total["calls_done"], total["calls_required"]) == (8, 8, 8)
    assert total["percent"] == 100.0
    assert behind_names(response) == set()


def test_the_monthly_summary_agrees_with_the_page(
    client, supervisor_a, unit_a, customer, staff_a, staff_a2, salesperson
):
    serve_march(customer, salesperson)
    # The visiting person: the visit and the calls of two weeks; a colleague the rest.
    make_visit(customer, staff_a, kind="visit", occurred_at=at(date(2025, 3, 12)))
    for monday in MONDAYS[:2]:
        for hour in (9, 15):
            make_visit(customer, staff_a, kind="call", occurred_at=at(monday, hour))
    for monday in MONDAYS[2:]:
        make_visit(customer, staff_a2, kind="call", occurred_at=at(monday))
    page_total = compliance_page(client, supervisor_a).context["total"]
    summary = report_services.summary_build(unit_id=unit_a.pk, month=MARCH).summary
    rolled = summary.compliance["total"]
    keys = ("customers", "visits_counted", "visits_required", "calls_counted", "calls_required")
    assert {k: rolled[k] for k in keys} == {k: page_total[k] for k in keys}
    assert (rolled["visits_counted"], rolled["calls_counted"], rolled["calls_done"]) == (1, 4, 4)
    assert summary.calls_percent == page_total["calls_percent"] == 50.0
    assert summary.customers_behind == 1


def test_the_due_list_counts_only_the_visiting_persons_contacts(
    client, customer, staff_a, salesperson
):
    make_visit(customer, salesperson, kind="visit", occurred_at=timezone.now())
    client.force_login(staff_a)
    assert "本月走访 0/1" in client.get(reverse("visits:due")).content.decode()
    row = queries.due_row_for(customer, timezone.localdate())
    assert row is not None and row.status.visits.done == 0
    make_visit(customer, staff_a, kind="visit", occurred_at=timezone.now())
    row = queries.due_row_for(customer, timezone.localdate())
    assert row is not None and row.status.visits.done == 1 and row.status.visits.met


def test_the_customer_card_counts_only_the_visiting_persons_contacts(
    client, customer, staff_a, salesperson
):
    make_visit(customer, salesperson, kind="call", occurred_at=timezone.now())
    make_visit(customer, staff_a, kind="visit", occurred_at=timezone.now())
    client.force_login(staff_a)
    response = client.get(customer.get_absolute_url())
    sections = [s for s in response.context["sections"] if s.get("status") is not None]
    assert len(sections) == 1
    status = sections[0]["status"]
    assert (status.visits.done, status.calls.done) == (1, 0)
