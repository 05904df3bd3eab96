"""The waybill page (/waybills/<number>/) and the search box (/search/?q=):
each role finds only what its scope holds; the other unit's waybill is no hit
and a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from complaints.defaults import defaults_ensure
from tests import factories as f
from tests.complaints.claim_factories import make_claim, make_paid_claim

pytestmark = pytest.mark.django_db

WAYBILL = "SF1234567890"
OTHER_WAYBILL = "YT9876543210"


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


@pytest.fixture
def world(unit_a, unit_b, staff_a, staff_a2, staff_b, supervisor_a):
    """Unit A: a complaint of staff_a's customer, an entry of staff_a's and an
    urgent report naming WAYBILL. Unit B: a complaint naming OTHER_WAYBILL."""
    defaults_ensure()
    customer_a = f.make_customer(unit_a, code="C-A1", name="上海甲公司", visiting_person=staff_a)
    customer_b = f.make_customer(unit_b, code="C-B1", name="广州丙公司", visiting_person=staff_b)
    complaint = f.make_complaint(customer_a, by=staff_a, waybills=[WAYBILL])
    entry = f.make_entry(f.make_daily_report(staff_a), customer_a, waybills=(WAYBILL,))
    urgent = f.make_urgent_report(
        unit_a, supervisor_a, customer=customer_a, waybills=[WAYBILL], title="丢件升级"
    )
    other = f.make_complaint(customer_b, by=staff_b, waybills=[OTHER_WAYBILL])
    return {"complaint": complaint, "entry": entry, "urgent": urgent, "other": other}


def page(client, user, number):
    client.force_login(user)
    return client.get(reverse("waybills:detail", args=[number]))


def test_the_supervisor_sees_the_complaint_the_entry_and_the_urgent_report(
    client, world, supervisor_a
):
    response = page(client, supervisor_a, WAYBILL)
    assert response.status_code == 200
    html = response.content.decode()
    assert world["complaint"].number in html
    assert world["entry"].get_absolute_url() in html
    assert world["urgent"].get_absolute_url() in html
    kinds = [m.kind for m in response.context["mentions"]]
    assert sorted(kinds) == ["complaint", "entry", "urgent"]
    times = [m.at for m in response.context["mentions"]]
    assert times == sorted(times, reverse=True)


def test_staff_see_their_complaint_and_entry_but_no_urgent_report(client, world, staff_a):
    response = page(client, staff_a, WAYBILL)
    kinds = sorted(m.kind for m in response.context["mentions"])
    assert kinds == ["complaint", "entry"]


def test_a_claim_on_the_waybill_is_listed_with_its_state_and_the_amount_paid(
    client, world, staff_a, supervisor_a
):
    complaint = world["complaint"]
    waybill = complaint.waybills.get()
    claim = make_paid_claim(complaint, amount="6500.00")
    claim.waybills.set([waybill])
    make_claim(complaint)  # on none of the complaint's waybills
    for user in (staff_a, supervisor_a):
        response = page(client, user, WAYBILL)
        claims = [m for m in response.context["mentions"] if m.kind == "claim"]
        assert [m.url for m in claims] == [claim.get_absolute_url()]
        html = response.content.decode()
        assert claim.number in html and "赔付 ¥6500.00" in html


def test_a_claim_does_not_open_the_waybill_to_the_other_unit(client, world, supervisor_b, staff_a2):
    claim = make_claim(world["complaint"], waybills=world["complaint"].waybills.all())
    for user in (supervisor_b, staff_a2):
        assert page(client, user, WAYBILL).status_code == 404
    assert claim.waybills.count() == 1


def test_a_colleague_whose_customer_it_is_not_gets_404(client, world, staff_a2):
    assert page(client, staff_a2, WAYBILL).status_code == 404


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b", "manager_b"])
def test_the_other_unit_gets_404_for_a_waybill_it_does_not_name(client, world, persona, request):
    assert page(client, request.getfixturevalue(persona), WAYBILL).status_code == 404


def test_a_waybill_of_another_unit_is_404_even_to_a_manager(client, world, manager_a):
    assert page(client, manager_a, OTHER_WAYBILL).status_code == 404
    assert page(client, manager_a, WAYBILL).status_code == 200


def test_the_admin_sees_both_units(client, world, admin_user):
    assert page(client, admin_user, WAYBILL).status_code == 200
    assert page(client, admin_user, OTHER_WAYBILL).status_code == 200


def test_any_case_redirects_to_the_canonical_address(client, world, supervisor_a):
    response = page(client, supervisor_a, "sf1234567890")
    assert response.status_code == 302
    assert response["Location"] == reverse("waybills:detail", args=[WAYBILL])
    assert page(client, supervisor_a, "ＳＦ1234567890").status_code == 302


def test_an_unknown_or_malformed_number_is_404(client, world, supervisor_a):
    assert page(client, supervisor_a, "SF0000000000").status_code == 404
    assert page(client, supervisor_a, "SF1").status_code == 404


# --- the search box ----------------------------------------------------------------


def search(client, user, q, **kwargs):
    client.force_login(user)
    return client.get(reverse("search:search"), {"q": q}, **kwargs)


def test_searching_a_waybill_lists_what_names_it(client, world, supervisor_a):
    response = search(client, supervisor_a, "sf1234567890")
    assert response.status_code == 200
    html = response.content.decode()
    assert "search-group-waybill" in html and world["complaint"].number in html


def test_the_other_units_waybill_is_no_hit(client, world, supervisor_a):
    response = search(client, supervisor_a, OTHER_WAYBILL)
    html = response.content.decode()
    assert response.context["result"].empty
    assert world["other"].number not in html
    assert "empty-state" in html


def test_a_complaint_number_opens_the_complaint(client, world, staff_a):
    complaint = world["complaint"]
    response = search(client, staff_a, complaint.number.lower())
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    loose = complaint.number.replace("-", "")
    assert search(client, staff_a, loose)["Location"] == complaint.get_absolute_url()


def test_another_units_complaint_number_finds_nothing(client, world, supervisor_a):
    response = search(client, supervisor_a, world["other"].number)
    assert response.status_code == 200 and response.context["result"].empty


def test_a_customer_code_or_name_finds_the_customer_in_scope(client, world, staff_a, staff_b):
    html = search(client, staff_a, "上海甲").content.decode()
    assert "search-group-customers" in html and "C-A1" in html
    assert search(client, staff_b, "C-A1").context["result"].customers == []


def test_an_empty_query_shows_the_hint_and_nothing_found_says_so(client, world, staff_a):
    empty = search(client, staff_a, "")
    assert empty.status_code == 200 and "empty-state" in empty.content.decode()
    nothing = search(client, staff_a, "没有这个").content.decode()
    assert zh("Waybill, complaint number or customer") in nothing
    assert "empty-state" in nothing


def test_hostile_queries_are_answered_safely(client, world, staff_a):
    for q in ["<script>alert(1)</script>", "' OR 1=1 --", "％＿", "x" * 5000, "\u202eSF1"]:
        response = search(client, staff_a, q)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_the_top_bar_carries_the_search_box(client, world, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("home")).content.decode()
    assert 'class="nav-search' in html and reverse("search:search") in html


def test_the_search_page_costs_the_same_queries_for_one_row_or_many(
    client, world, supervisor_a, staff_a, unit_a
):
    customer = world["complaint"].customer

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert search(client, supervisor_a, WAYBILL).status_code == 200
        return len(queries)

    count()  # the first request after signing in also loads the session's extras
    one = count()
    for _ in range(5):
        more = f.make_complaint(customer, by=staff_a, waybills=[WAYBILL])
        make_claim(more, waybills=more.waybills.all())
        f.make_urgent_report(unit_a, supervisor_a, waybills=[WAYBILL])
    assert count() == one
