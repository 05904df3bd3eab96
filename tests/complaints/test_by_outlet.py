"""Complaints per responsible outlet (count, overdue, claims paid) on the
figures page and in the monthly summary, and the claims of an outlet."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.claims.selectors import outlet_claims
from complaints.models import Complaint
from tests import factories as f
from tests.complaints.claim_factories import make_claim, make_outlet, make_paid_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlets(customer_a, customer_a2, customer_b, staff_a, staff_a2, staff_b, unit_a, unit_b):
    north, south = make_outlet(unit_a, code="N01"), make_outlet(unit_a, code="S01")
    other = make_outlet(unit_b, code="G01")
    late = f.make_complaint(customer_a, by=staff_a, responsible_outlet=north)
    Complaint.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=2))
    north_2 = f.make_complaint(customer_a2, by=staff_a2, responsible_outlet=north)
    south_1 = f.make_complaint(customer_a, by=staff_a, responsible_outlet=south)
    loose = f.make_complaint(customer_a, by=staff_a)
    b_1 = f.make_complaint(customer_b, by=staff_b, responsible_outlet=other)
    make_paid_claim(late, amount="100.10")
    make_paid_claim(north_2, amount="0.01")
    make_claim(north_2, amount="999.00")  # open: not paid
    make_paid_claim(south_1, amount="50.00")
    make_paid_claim(loose, amount="7.77")
    make_paid_claim(b_1, amount="888.88")
    return {"north": north, "south": south, "other": other}


def _stats(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("complaints:stats"), params)
    assert response.status_code == 200
    return response


def test_the_figures_page_has_a_row_per_responsible_outlet(client, outlets, supervisor_a):
    rows = _stats(client, supervisor_a).context["by_outlet"]
    got = {
        r["responsible_outlet__code"]: (r["received"], r["overdue"], r["claims_paid"]) for r in rows
    }
    assert got == {
        "N01": (2, 1, Decimal("100.11")),
        "S01": (1, 0, Decimal("50.00")),
        None: (1, 0, Decimal("7.77")),
    }
    assert [r["responsible_outlet__code"] for r in rows] == ["N01", "S01", None]
    html = _stats(client, supervisor_a).content.decode()
    assert 'data-outlet="N01"' in html and "¥100.11" in html
    assert "G01" not in html  # the other unit's outlet


def test_staff_see_only_their_own_complaints_outlets(client, outlets, staff_a2):
    rows = _stats(client, staff_a2).context["by_outlet"]
    assert [(r["responsible_outlet__code"], r["received"], r["claims_paid"]) for r in rows] == [
        ("N01", 1, Decimal("0.01"))
    ]


def test_the_figures_page_costs_the_same_queries_however_many_outlets(
    client, outlets, supervisor_a, customer_a, staff_a, unit_a
):
    _stats(client, supervisor_a)
    with CaptureQueriesContext(connection) as few:
        _stats(client, supervisor_a)
    for i in range(6):
        complaint = f.make_complaint(
            customer_a, by=staff_a, responsible_outlet=make_outlet(unit_a, code=f"X{i}")
        )
        make_paid_claim(complaint, amount="1.00")
    with CaptureQueriesContext(connection) as many:
        _stats(client, supervisor_a)
    assert len(many) == len(few)


def test_the_monthly_summary_has_the_by_outlet_table(client, outlets, supervisor_a, unit_a):
    from reports.services import summary_build

    summary = summary_build(unit_id=unit_a.pk, month=timezone.localdate().replace(day=1)).summary
    stored = {row["code"]: row for row in summary.complaints["by_outlet"]}
    assert stored["N01"] == {
        "code": "N01",
        "name": outlets["north"].name,
        "received": 2,
        "overdue": 1,
        "claims_paid": "100.11",
    }
    assert stored[""]["claims_paid"] == "7.77"
    assert "G01" not in stored
    client.force_login(supervisor_a)
    html = client.get(reverse("reports:monthly_detail", args=[summary.pk])).content.decode()
    assert 'data-outlet="N01"' in html and "¥100.11" in html and "¥50.00" in html


def test_the_monthly_figures_cost_the_same_queries_however_many_outlets(
    outlets, unit_a, customer_a, staff_a
):
    from complaints.services import complaint_figures_by_unit

    today = timezone.localdate()
    first = today.replace(day=1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            complaint_figures_by_unit(unit_ids=[unit_a.pk], start=first, end=today)
        return len(ctx)

    before = count()
    for _ in range(5):
        f.make_complaint(customer_a, by=staff_a, responsible_outlet=make_outlet(unit_a))
    assert count() == before


# --- an outlet's claims -----------------------------------------------------------------


def test_an_outlets_claims_and_paid_total(outlets, supervisor_a, staff_a2, supervisor_b):
    section = outlet_claims(user=supervisor_a, outlet=outlets["north"])
    assert section["count"] == 3 and section["open"] == 1
    assert section["paid_total"] == Decimal("100.11")
    assert len(section["claims"]) == 3
    # staff_a2 works one of the two complaints charged to the outlet.
    mine = outlet_claims(user=staff_a2, outlet=outlets["north"])
    assert mine["count"] == 2 and mine["paid_total"] == Decimal("0.01")
    # The other unit's people see none of it.
    assert outlet_claims(user=supervisor_b, outlet=outlets["north"])["count"] == 0


def test_an_outlets_claims_cost_two_queries(outlets, supervisor_a, django_assert_num_queries):
    outlet_claims(user=supervisor_a, outlet=outlets["north"])  # the user's role and units
    with django_assert_num_queries(2):
        section = outlet_claims(user=supervisor_a, outlet=outlets["north"])
        [c.number for c in section["claims"]]


def test_the_outlet_page_shows_its_claims_and_the_paid_total(client, outlets, supervisor_a):
    client.force_login(supervisor_a)
    page = client.get(outlets["north"].get_absolute_url()).content.decode()
    assert "outlet-claims" in page
    assert "¥100.11" in page
    claim_numbers = outlet_claims(user=supervisor_a, outlet=outlets["north"])["claims"]
    assert all(c.number in page for c in claim_numbers)
    assert f"{reverse('complaints:claims')}?outlet={outlets['north'].pk}" in page


def test_the_other_units_outlet_page_is_not_found(client, outlets, supervisor_b):
    client.force_login(supervisor_b)
    assert client.get(outlets["north"].get_absolute_url()).status_code == 404
