"""Claims and planned contacts through the API: the claims register's filters
and scope, the calendar's people and units, planning a contact through its
form (errors in the caller's language) and an idempotent retry."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from crm_site.core.services import work_calendar
from tests import factories as f
from tests.complaints.claim_factories import make_claim
from visits.plans.models import ContactKind, PlannedContact, PlannedContactEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_a(staff_a, unit_a):
    return f.make_customer(unit_a, visiting_person=staff_a)


@pytest.fixture
def customer_b(staff_b, unit_b):
    return f.make_customer(unit_b, visiting_person=staff_b)


def _working_day(after: int = 1) -> date:
    """A working day at least `after` days from today."""
    day = timezone.localdate() + timedelta(days=after)
    return work_calendar().add_working_days(day, 0)


def _day_off() -> date:
    day = timezone.localdate() + timedelta(days=1)
    while work_calendar().is_working_day(day):
        day += timedelta(days=1)
    return day


def _plan(customer, person, *, day=None, kind=ContactKind.VISIT) -> PlannedContact:
    return PlannedContact.objects.create(
        customer=customer,
        person=person,
        unit_id=customer.unit_id,
        day=day or _working_day(),
        kind=kind,
    )


# --- claims -------------------------------------------------------------------------------


def test_claims_list_the_registers_rows_under_its_filters(api_as, staff_a, customer_a, customer_b):
    complaint = f.make_complaint(customer_a, by=staff_a)
    lost = make_claim(complaint, amount="800.00", kind="lost")
    damaged = make_claim(complaint, amount="2500.00", kind="damaged")
    rejected = make_claim(complaint, kind="short", state="rejected", rejection_reason="无依据")
    make_claim(f.make_complaint(customer_b))  # another unit's: never listed
    api = api_as(staff_a)

    def ids(query=""):
        response = api.get(f"/api/v1/claims/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [rejected.pk, damaged.pk, lost.pk]
    assert ids("?state=open") == [damaged.pk, lost.pk]
    assert ids("?kind=damaged") == [damaged.pk]
    assert ids("?amount_min=1000") == [damaged.pk]
    assert ids(f"?q={complaint.number}&state=rejected") == [rejected.pk]
    row = api.get(f"/api/v1/claims/{lost.pk}/").json()
    assert (row["number"], row["amount_claimed"]) == (f"{complaint.number}-L1", "800.00")


def test_a_claim_outside_the_scope_is_not_found_and_a_wrong_filter_is_400(
    api_as, staff_a, customer_b
):
    other = make_claim(f.make_complaint(customer_b))
    api = api_as(staff_a, language="zh-hans")
    response = api.get(f"/api/v1/claims/{other.pk}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。"}
    wrong = api.get("/api/v1/claims/?kind=nope")
    assert wrong.status_code == 400
    assert "kind" in wrong.json()["fields"]


def test_claim_pages_walk_every_row_once(api_as, admin_user, customer_a, staff_a):
    complaint = f.make_complaint(customer_a, by=staff_a)
    for _ in range(5):
        make_claim(complaint)
    api = api_as(admin_user)
    seen, url = [], "/api/v1/claims/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


# --- planned contacts: reads -------------------------------------------------------------


def test_staff_list_their_own_calendar_and_nobody_elses(
    api_as, staff_a, staff_a2, customer_a, unit_a
):
    mine = _plan(customer_a, staff_a)
    _plan(customer_a, staff_a2)
    api = api_as(staff_a)
    rows = api.get("/api/v1/planned-contacts/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert api.get(f"/api/v1/planned-contacts/?person={staff_a2.pk}").status_code == 400
    assert api.get(f"/api/v1/planned-contacts/?unit={unit_a.pk}").status_code == 400


def test_supervisors_open_a_persons_or_their_units_calendar(
    api_as, supervisor_a, staff_a, staff_a2, staff_b, customer_a, customer_b, unit_a, unit_b
):
    first = _plan(customer_a, staff_a, day=_working_day(1))
    later = _plan(customer_a, staff_a, day=_working_day(10), kind=ContactKind.CALL)
    colleague = _plan(customer_a, staff_a2)
    _plan(customer_b, staff_b)
    api = api_as(supervisor_a)

    def ids(query):
        response = api.get(f"/api/v1/planned-contacts/{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == set()  # their own calendar, as the page opens
    assert ids(f"?person={staff_a.pk}") == {first.pk, later.pk}
    assert ids(f"?unit={unit_a.pk}") == {first.pk, later.pk, colleague.pk}
    assert ids(f"?person={staff_a.pk}&kind=call") == {later.pk}
    assert ids(f"?person={staff_a.pk}&date_to={first.day.isoformat()}") == {first.pk}
    assert api.get(f"/api/v1/planned-contacts/?person={staff_b.pk}").status_code == 400
    assert api.get(f"/api/v1/planned-contacts/?unit={unit_b.pk}").status_code == 400


def test_a_planned_contact_outside_the_scope_is_not_found(api_as, staff_a, staff_b, customer_b):
    other = _plan(customer_b, staff_b)
    assert api_as(staff_a).get(f"/api/v1/planned-contacts/{other.pk}/").status_code == 404
    assert api_as(staff_b).get(f"/api/v1/planned-contacts/{other.pk}/").status_code == 200


# --- planned contacts: create ------------------------------------------------------------


def test_staff_plan_a_contact_on_their_own_calendar(api_as, staff_a, customer_a):
    day = _working_day()
    response = api_as(staff_a).post(
        "/api/v1/planned-contacts/",
        {
            "customer": customer_a.pk,
            "day": day.isoformat(),
            "kind": "visit",
            "purpose": "旺季运力沟通",
            "start_time": "09:30",
            "end_time": "10:30",
        },
    )
    assert response.status_code == 201, response.json()
    contact = PlannedContact.objects.get(pk=response.json()["id"])
    assert (contact.person, contact.unit_id, contact.day) == (staff_a, customer_a.unit_id, day)
    assert contact.source == PlannedContact.Source.MANUAL
    assert response.json()["start_time"] == "09:30:00"
    assert PlannedContactEvent.objects.filter(contact=contact, actor=staff_a).count() == 1


def test_a_supervisor_plans_on_a_calendar_of_their_unit_only(
    api_as, supervisor_a, staff_a, staff_b, customer_a
):
    api = api_as(supervisor_a)
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "call"}
    assert api.post("/api/v1/planned-contacts/", data | {"person": staff_a.pk}).status_code == 201
    refused = api.post("/api/v1/planned-contacts/", data | {"person": staff_b.pk})
    assert refused.status_code == 400
    assert "person" in refused.json()["fields"]
    assert PlannedContact.objects.filter(person=staff_b).count() == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_time": "11:00", "end_time": "10:00"}, "end_time", "结束时间"),
        ({"day": "weekend"}, "day", "工作日"),
        ({"day": "yesterday"}, "day", "已过去"),
        ({"customer": "other"}, "customer", "客户"),
        ({"kind": "fax"}, "kind", "有效的选项"),
    ],
)
def test_the_form_refuses_with_chinese_messages(
    api_as, staff_a, customer_a, customer_b, change, field, message
):
    days = {
        "weekend": _day_off().isoformat(),
        "yesterday": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    change = change | ({"day": days[change["day"]]} if "day" in change else {})
    change = change | ({"customer": customer_b.pk} if "customer" in change else {})
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "visit"}
    response = api_as(staff_a, language="zh-hans").post("/api/v1/planned-contacts/", data | change)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    assert message in body["fields"][field][0], body
    assert not PlannedContact.objects.exists()


def test_a_second_contact_of_the_kind_that_day_is_refused(api_as, staff_a, customer_a):
    api = api_as(staff_a, language="zh-hans")
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "visit"}
    assert api.post("/api/v1/planned-contacts/", data).status_code == 201
    again = api.post("/api/v1/planned-contacts/", data)
    assert again.status_code == 400
    assert "当天已有" in again.json()["message"]
    assert PlannedContact.objects.count() == 1


def test_an_idempotent_retry_returns_the_first_contact_and_creates_nothing(
    api_as, staff_a, customer_a
):
    api = api_as(staff_a)
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "call"}
    first = api.post("/api/v1/planned-contacts/", data, HTTP_IDEMPOTENCY_KEY="plan-1")
    again = api.post("/api/v1/planned-contacts/", data, HTTP_IDEMPOTENCY_KEY="plan-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert PlannedContact.objects.count() == PlannedContactEvent.objects.count() == 1


def test_a_read_only_key_cannot_plan(api_as, staff_a, customer_a):
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "call"}
    response = api_as(staff_a, read_only=True).post("/api/v1/planned-contacts/", data)
    assert response.status_code == 403
    assert not PlannedContact.objects.exists()


def test_a_page_of_claims_or_planned_contacts_costs_the_same_queries_for_more_rows(
    api_as, staff_a, customer_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    complaint = f.make_complaint(customer_a, by=staff_a)
    api = api_as(staff_a)
    api.get("/api/v1/notifications/")  # the key's first use is recorded once

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    today = timezone.localdate()
    days = work_calendar().working_days(today + timedelta(days=1), today + timedelta(days=30))
    make_claim(complaint)
    _plan(customer_a, staff_a, day=days[0])
    few = (queries("/api/v1/claims/"), queries("/api/v1/planned-contacts/"))
    for day in days[1:7]:
        make_claim(complaint)
        _plan(customer_a, staff_a, day=day)
    assert (queries("/api/v1/claims/"), queries("/api/v1/planned-contacts/")) == few


def test_a_manager_of_two_units_plans_a_customer_only_on_its_own_units_calendar(
    api_as, manager_a, unit_b, staff_a, staff_b, customer_a
):
    from crm_site.accounts.models import Membership
    from crm_site.accounts.services import membership_set

    membership_set(user=manager_a, unit=unit_b, kind=Membership.Kind.MANAGER)
    api = api_as(manager_a, language="zh-hans")
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "visit"}
    refused = api.post("/api/v1/planned-contacts/", data | {"person": staff_b.pk})
    assert refused.status_code == 400
    (message,) = refused.json()["fields"]["person"]
    assert staff_b.get_full_name() in message and customer_a.unit.name in message
    assert "巡访专员" in message
    assert not PlannedContact.objects.filter(person=staff_b).exists()
    assert api.post("/api/v1/planned-contacts/", data | {"person": staff_a.pk}).status_code == 201


def test_the_customers_own_visiting_person_of_another_unit_may_be_planned(
    api_as, manager_a, unit_b, staff_b, customer_a
):
    from crm_site.accounts.models import Membership
    from crm_site.accounts.services import membership_set

    membership_set(user=manager_a, unit=unit_b, kind=Membership.Kind.MANAGER)
    customer_a.visiting_person = staff_b  # assigned by exception
    customer_a.save(update_fields=["visiting_person"])
    data = {"customer": customer_a.pk, "day": _working_day().isoformat(), "kind": "visit"}
    response = api_as(manager_a).post("/api/v1/planned-contacts/", data | {"person": staff_b.pk})
    assert response.status_code == 201, response.json()
