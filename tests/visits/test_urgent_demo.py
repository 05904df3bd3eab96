"""Demo urgent reports: every state in both units, idempotent."""

import io

import pytest

from crm_site.accounts.models import ServiceUnit
from crm_site.devtools.demo import accounts as accounts_demo
from crm_site.devtools.demo import urgent as urgent_demo
from tests.factories import make_customer
from visits.models import UrgentReport, UrgentReportEvent

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(UrgentReport.objects.values_list("unit__code", "status", "title")),
        UrgentReportEvent.objects.count(),
    )


def test_the_demo_has_reports_in_every_state_in_both_units_and_a_second_run_changes_nothing():
    accounts_demo.seed(io.StringIO())
    for unit in ServiceUnit.objects.filter(code__in=["1", "2"]):
        make_customer(unit)
    urgent_demo.seed(io.StringIO())
    first = snapshot()
    urgent_demo.seed(io.StringIO())
    assert snapshot() == first
    for code in ("1", "2"):
        states = set(UrgentReport.objects.filter(unit__code=code).values_list("status", flat=True))
        assert states == {"pending", "routed", "acknowledged", "resolved"}
        assert UrgentReport.objects.filter(unit__code=code, escalated_at__isnull=False).exists()
    assert all(r.events.filter(kind="raised").exists() for r in UrgentReport.objects.all())
    resolved = UrgentReport.objects.filter(status="resolved")
    assert all(r.resolution and r.resolved_at for r in resolved)


def test_without_the_demo_accounts_the_demo_creates_nothing():
    urgent_demo.seed(io.StringIO())
    assert not UrgentReport.objects.exists()
