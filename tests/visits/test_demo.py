"""Demo daily reports: idempotent, on working days, for whatever customers exist."""

import io

import pytest

from crm_site.accounts.models import ServiceUnit, User
from crm_site.devtools.demo import accounts as accounts_demo
from crm_site.devtools.demo import visits as demo
from tests.factories import make_customer
from visits.models import DailyReport, DailyReportEntry, Visit

pytestmark = pytest.mark.django_db


def counts():
    return (
        DailyReport.objects.count(),
        DailyReportEntry.objects.count(),
        Visit.objects.count(),
        sorted(DailyReport.objects.values_list("status", flat=True).distinct()),
    )


def test_without_customers_the_demo_creates_nothing():
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert counts()[:3] == (0, 0, 0)


def test_the_demo_fills_two_months_of_working_days_and_running_it_twice_changes_nothing():
    accounts_demo.seed(io.StringIO())
    unit1, unit2 = ServiceUnit.objects.get(code="1"), ServiceUnit.objects.get(code="2")
    for i, (username, unit) in enumerate([("staff1", unit1), ("staff2", unit1), ("staff3", unit2)]):
        person = User.objects.get(username=username)
        for grade in "AB":
            make_customer(unit, grade=grade, visiting_person=person, name=f"{username}{grade}{i}")
    demo.seed(io.StringIO())
    first = counts()
    demo.seed(io.StringIO())
    assert counts() == first
    reports, entries, visits, statuses = first
    assert reports >= 3 * 35  # ~43 working days in 61 days, for three people
    assert entries == visits
    assert {"reviewed", "submitted", "returned"} <= set(statuses)
    assert DailyReportEntry.objects.flagged().exists()
    assert all(d.weekday() < 5 for d in DailyReport.objects.values_list("date", flat=True))
