"""Demo summaries: every month with daily reports, one submitted and reviewed; idempotent."""

import io

import pytest

from crm_site.core import months
from crm_site.devtools.demo import accounts as accounts_demo
from crm_site.devtools.demo import customers as customers_demo
from crm_site.devtools.demo import reports as demo
from crm_site.devtools.demo import visits as visits_demo
from reports.models import MonthlyPatrolSummary, SummaryEvent
from visits.models import DailyReport

pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        MonthlyPatrolSummary.objects.values_list("unit__code", "month", "status", "build_count")
    )


def test_the_demo_builds_the_months_with_reports_and_signs_one_off_twice_is_the_same():
    out = io.StringIO()
    for seeder in (accounts_demo, customers_demo, visits_demo):
        seeder.seed(out)
    demo.seed(out)
    report_months = {
        (r.unit.code, months.first_of(r.date)) for r in DailyReport.objects.select_related("unit")
    }
    first = rows()
    assert {(code, month) for code, month, _s, _n in first} == report_months
    reviewed = MonthlyPatrolSummary.objects.get(status="reviewed")
    assert reviewed.unit.code == "1" and reviewed.commentary and reviewed.review_comment
    assert reviewed.reviewed_by.username == "manager1"
    assert MonthlyPatrolSummary.objects.filter(status="submitted", unit__code="2").count() == 1
    events = SummaryEvent.objects.count()
    demo.seed(out)
    assert rows() == first
    assert SummaryEvent.objects.count() == events
