"""schemathesis against the live schema: every operation, with the API key of
a staff user and of an admin, on generated input (a fixed seed): no server
error, and every answer conforms to the schema (status code, content type,
body)."""

from collections import Counter

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings

from complaints.defaults import defaults_ensure
from crm_site.core.services import notify
from customers.revenue.models import MonthlyTurnover
from tests import factories as f
from tests.complaints.claim_factories import make_claim
from visits.plans.models import PlannedContact

from .conftest import key_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 12


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler in this thread, on the test's transaction: the
    handler's per-request connection closing is held off, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(staff_a, admin_user, unit_a, supervisor_a, manager_a):
    defaults_ensure()
    customer = f.make_customer(unit_a, visiting_person=staff_a)
    f.make_contact(customer)
    make_claim(f.make_complaint(customer, by=staff_a), by=staff_a)
    PlannedContact.objects.create(
        customer=customer, person=staff_a, unit=unit_a, day=timezone.localdate(), kind="call"
    )
    MonthlyTurnover.objects.create(
        customer=customer, month=timezone.localdate().replace(day=1), amount=1000
    )
    f.make_entry(f.make_daily_report(staff_a), customer)
    f.make_urgent_report(unit_a, raised_by=supervisor_a, route=True)
    notify(recipient=staff_a, kind="test", title="通知")
    return {
        "staff": {"Authorization": f"Api-Key {key_for(staff_a)}"},
        "admin": {"Authorization": f"Api-Key {key_for(admin_user)}"},
    }


def test_every_operation_answers_within_its_schema(wsgi_app, data):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?lang=en", wsgi_app, headers=data["admin"]
    )
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    seen: Counter = Counter()
    for operation in operations:
        for headers in data.values():
            _exercise(operation, headers, checks, seen)
    # The keys work (reads succeed), and nothing answered a server error.
    assert seen[200] > 50, seen
    assert not [code for code in seen if code >= 500], seen


def _exercise(operation, headers, checks, seen):
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case):
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        case.validate_response(response, checks=checks)

    exercise()
