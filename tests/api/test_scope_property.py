"""Scope of an API key as a property: over roles x resources x ids, a key reads
an object exactly when its user's `visible_to` holds it (404 otherwise, 403 for
a role that may never use the resource), never writes with a read-only key
(403), and an expired or revoked key is refused (401)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.claims.models import Claim
from complaints.models import Complaint
from crm_site.accounts.models import Role
from crm_site.accounts.scope import is_at_least
from crm_site.api.models import ApiKey
from crm_site.core.models import Notification
from customers.models import Contact, Customer
from customers.revenue.models import MonthlyTurnover
from reports.models import MonthlyPatrolSummary
from reports.services import summary_build
from tests import factories as f
from tests.complaints.claim_factories import make_claim
from visits.models import DailyReport, PlannedContact, UrgentReport
from visits.plans.models import ContactKind

from .conftest import ApiClient, key_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "staff_a",
    "staff_b",
    "supervisor_a",
    "supervisor_b",
    "manager_a",
    "manager_b",
    "admin_user",
]
# resource -> (model, URL of one object, the least role that may use it)
RESOURCES = {
    "customers": (Customer, "/api/v1/customers/{pk}/", Role.STAFF),
    "complaints": (Complaint, "/api/v1/complaints/{pk}/", Role.STAFF),
    "claims": (Claim, "/api/v1/claims/{pk}/", Role.STAFF),
    "planned-contacts": (PlannedContact, "/api/v1/planned-contacts/{pk}/", Role.STAFF),
    "turnover": (MonthlyTurnover, "/api/v1/turnover/{pk}/", Role.STAFF),
    "daily-reports": (DailyReport, "/api/v1/daily-reports/{pk}/", Role.STAFF),
    "urgent-reports": (UrgentReport, "/api/v1/urgent-reports/{pk}/", Role.SUPERVISOR),
    "monthly-summaries": (MonthlyPatrolSummary, "/api/v1/monthly-summaries/{pk}/", Role.SUPERVISOR),
    "notifications": (Notification, "/api/v1/notifications/{pk}/", Role.STAFF),
}


@pytest.fixture
def world(request, unit_a, unit_b, staff_a, staff_b, supervisor_a, supervisor_b, manager_a, manager_b, admin_user):  # fmt: skip
    from complaints.defaults import defaults_ensure
    from crm_site.core.services import notify

    defaults_ensure()
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    for unit, staff, supervisor in (
        (unit_a, staff_a, supervisor_a),
        (unit_b, staff_b, supervisor_b),
    ):
        customer = f.make_customer(unit, visiting_person=staff)
        f.make_contact(customer)
        make_claim(f.make_complaint(customer, by=staff), by=staff)
        PlannedContact.objects.create(
            customer=customer,
            person=staff,
            unit=unit,
            day=timezone.localdate(),
            kind=ContactKind.VISIT,
        )
        MonthlyTurnover.objects.create(
            customer=customer, month=timezone.localdate().replace(day=1), amount=1000
        )
        f.make_daily_report(staff)
        f.make_urgent_report(unit, raised_by=supervisor)
        summary_build(unit_id=unit.pk, month=timezone.localdate().replace(day=1))
        notify(recipient=staff, kind="t", title="t")
    keys = {name: key_for(user) for name, user in people.items()}
    return people, keys


@settings(
    max_examples=45,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    persona=st.sampled_from(PERSONAS),
    resource=st.sampled_from(sorted(RESOURCES)),
    index=st.integers(min_value=0, max_value=3),
    bogus=st.integers(min_value=1, max_value=10**9),
)
def test_a_key_reads_exactly_what_its_user_may_see(world, persona, resource, index, bogus):
    people, keys = world
    user = people[persona]
    model, url, least = RESOURCES[resource]
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    pk = ids[index] if index < len(ids) else max(ids) + bogus
    response = ApiClient(keys[persona]).get(url.format(pk=pk))
    if not is_at_least(user, least):
        assert response.status_code == 403
    elif model.objects.visible_to(user).filter(pk=pk).exists():
        assert response.status_code == 200
        assert response.json()["id"] == pk
    else:
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": response.json()["message"]}


WRITES = [
    ("post", "/api/v1/customers/", {"code": "RO-X", "name": "x", "nature": "other"}),
    ("post", "/api/v1/entries/", {"customer": 1, "kind": "call", "time": "10:00"}),
    ("post", "/api/v1/complaints/", {"customer": 1}),
    ("post", "/api/v1/notifications/read-all/", {}),
    ("patch", "/api/v1/customers/{customer}/", {"name": "x"}),
    ("post", "/api/v1/waybills/SF1234567890/events/", {"event_id": "1"}),
    ("post", "/api/v1/planned-contacts/", {"customer": 1, "kind": "call", "day": "2030-01-07"}),
    ("post", "/api/v1/turnover/", {"customer": 1, "month": "2030-01", "amount": "1"}),
    (
        "post",
        "/api/v1/turnover/batch/",
        {"rows": [{"customer": 1, "month": "2030-01", "amount": "1"}]},
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_read_only_key_never_writes(world, persona):
    people, _keys = world
    user = people[persona]
    api = ApiClient(key_for(user, read_only=True))
    customer = Customer.objects.visible_to(user).first() or Customer.objects.first()
    models = (Customer, Complaint, Contact, PlannedContact, MonthlyTurnover)
    counts = [model.objects.count() for model in models]
    for method, url, data in WRITES:
        response = getattr(api, method)(url.format(customer=customer.pk), data)
        assert response.status_code == 403, (method, url, response.content)
        assert response.json()["code"] == "permission_denied"
    assert counts == [model.objects.count() for model in models]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_expired_or_revoked_key_is_refused(world, persona, how):
    people, _keys = world
    user = people[persona]
    key = key_for(user, expires_in_days=1)
    row = ApiKey.objects.get(prefix=key.split(".")[0])
    if how == "expired":
        ApiKey.objects.filter(pk=row.pk).update(expiry_date=timezone.now() - timedelta(minutes=1))
    else:
        ApiKey.objects.filter(pk=row.pk).update(revoked=True)
    api = ApiClient(key)
    for url in ("/api/v1/customers/", "/api/v1/notifications/", "/api/v1/schema/"):
        response = api.get(url)
        assert response.status_code == 401, url
    assert api.post("/api/v1/notifications/read-all/").status_code == 401
