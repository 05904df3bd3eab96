"""Selectors read the rows a user may see (scope per role), and the list pages'
FilterSets reject bad input with the messages the pages always showed."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone, translation

from complaints import selectors as complaint_selectors
from complaints.filters import ComplaintFilter, ComplaintStatsFilter
from customers.voice.filters import SurveyReportFilter
from reports import selectors as report_selectors
from reports.filters import CustomerAnalysisFilter
from tests import factories as f
from visits import selectors as visit_selectors
from visits.filters import DailyReportFilter, IntelligenceFilter
from visits.models import DailyReport, UrgentReport
from visits.urgent import selectors as urgent_selectors
from visits.urgent.filters import UrgentFilter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def reports(staff_a, staff_a2, staff_b):
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "a": f.make_daily_report(staff_a, yesterday, status=DailyReport.Status.SUBMITTED),
        "a2": f.make_daily_report(staff_a2, yesterday),
        "b": f.make_daily_report(staff_b, yesterday, status=DailyReport.Status.SUBMITTED),
    }


def _pks(rows) -> set[int]:
    return {row.pk for row in rows}


# --- scope ------------------------------------------------------------------------


def test_staff_list_only_their_own_daily_reports(staff_a, reports):
    assert _pks(visit_selectors.daily_report_list(user=staff_a)) == {reports["a"].pk}


def test_supervisors_and_managers_list_their_units_daily_reports(supervisor_a, manager_b, reports):
    assert _pks(visit_selectors.daily_report_list(user=supervisor_a)) == {
        reports["a"].pk,
        reports["a2"].pk,
    }
    assert _pks(visit_selectors.daily_report_list(user=manager_b)) == {reports["b"].pk}


def test_admins_list_every_daily_report(admin_user, reports):
    assert _pks(visit_selectors.daily_report_list(user=admin_user)) == _pks(reports.values())


def test_a_daily_report_outside_the_scope_is_not_found(staff_b, supervisor_b, reports):
    with pytest.raises(Http404):
        visit_selectors.daily_report_detail(user=staff_b, pk=reports["a"].pk)
    with pytest.raises(Http404):
        visit_selectors.daily_report_detail(user=supervisor_b, pk=reports["a2"].pk)
    assert visit_selectors.daily_report_detail(user=staff_b, pk=reports["b"].pk) == reports["b"]


def test_the_review_queue_holds_the_units_submitted_reports_of_others(
    supervisor_a, supervisor_b, reports
):
    assert _pks(visit_selectors.daily_report_review_queue(user=supervisor_a)) == {reports["a"].pk}
    assert _pks(visit_selectors.daily_report_review_queue(user=supervisor_b)) == {reports["b"].pk}


def test_complaints_are_listed_within_the_users_units(
    unit_a, unit_b, supervisor_a, supervisor_b, admin_user
):
    mine = f.make_complaint(f.make_customer(unit_a))
    theirs = f.make_complaint(f.make_customer(unit_b))
    assert _pks(complaint_selectors.complaint_list(user=supervisor_a)) == {mine.pk}
    assert _pks(complaint_selectors.complaint_list(user=supervisor_b)) == {theirs.pk}
    assert _pks(complaint_selectors.complaint_list(user=admin_user)) == {mine.pk, theirs.pk}
    with pytest.raises(Http404):
        complaint_selectors.complaint_detail(user=supervisor_b, pk=mine.pk)


def test_the_urgent_queue_shows_the_units_open_reports(unit_a, unit_b, supervisor_a):
    open_a = f.make_urgent_report(unit_a)
    f.make_urgent_report(unit_a, status=UrgentReport.Status.RESOLVED)
    f.make_urgent_report(unit_b)
    assert _pks(urgent_selectors.urgent_queue(user=supervisor_a)) == {open_a.pk}


def test_big_customer_reviews_are_listed_within_the_users_units(
    unit_a, unit_b, supervisor_a, manager_b
):
    from reports.models import BigCustomerReview

    quarter = date(timezone.localdate().year, 1, 1)
    review_a = BigCustomerReview.objects.create(unit=unit_a, quarter=quarter)
    review_b = BigCustomerReview.objects.create(unit=unit_b, quarter=quarter)
    assert _pks(report_selectors.review_list(user=supervisor_a)) == {review_a.pk}
    assert _pks(report_selectors.review_list(user=manager_b)) == {review_b.pk}


# --- filters ----------------------------------------------------------------------


def test_the_report_list_filters_by_status_and_ignores_a_wrong_form(supervisor_a, reports):
    submitted = DailyReportFilter({"status": "submitted"})
    assert _pks(visit_selectors.daily_report_list(user=supervisor_a, filters=submitted)) == {
        reports["a"].pk
    }
    wrong = DailyReportFilter({"status": "submitted", "date_from": "yesterday"})
    assert wrong.form.errors == {"date_from": ["Enter a valid date."]}
    # All or none: a wrong field leaves the whole list unfiltered, as before.
    assert _pks(visit_selectors.daily_report_list(user=supervisor_a, filters=wrong)) == {
        reports["a"].pk,
        reports["a2"].pk,
    }


def test_the_report_list_offers_the_staff_filter_only_with_people(staff_a, supervisor_a):
    assert "person" not in DailyReportFilter({}).form.fields
    people = visit_selectors.staff_people(user=supervisor_a)
    filterset = DailyReportFilter({"person": str(staff_a.pk)}, people=people)
    assert filterset.form.is_valid()


def test_the_intelligence_register_rejects_a_backwards_period_and_an_unknown_competitor(
    unit_a,
):
    backwards = IntelligenceFilter(
        {"date_from": "2026-03-10", "date_to": "2026-03-01", "competitor": "无名快运"},
        units=unit_a.__class__.objects.filter(pk=unit_a.pk),
    )
    assert backwards.form.errors == {
        "date_to": ["The end date cannot be before the start date."],
        "competitor": ["No entry has been tagged with the competitor “无名快运”."],
    }
    assert backwards.register_filters() == {}


def test_the_intelligence_register_rejects_a_unit_outside_the_users(unit_a, unit_b):
    filterset = IntelligenceFilter(
        {"unit": str(unit_b.pk)}, units=unit_a.__class__.objects.filter(pk=unit_a.pk)
    )
    assert filterset.form.errors == {"unit": ["Pick one of your service units."]}


def test_the_urgent_queue_rejects_an_unknown_category_and_shows_the_open_reports(
    unit_a, supervisor_a
):
    open_a = f.make_urgent_report(unit_a)
    f.make_urgent_report(unit_a, status=UrgentReport.Status.RESOLVED)
    units = urgent_selectors.urgent_filter_units(user=supervisor_a)
    wrong = UrgentFilter({"category": "bogus", "status": "all"}, user=supervisor_a, units=units)
    assert wrong.form.errors == {
        "category": ["Select a valid choice. bogus is not one of the available choices."]
    }
    assert _pks(urgent_selectors.urgent_queue(user=supervisor_a, filters=wrong)) == {open_a.pk}
    every = UrgentFilter({"status": "all"}, user=supervisor_a, units=units)
    assert len(urgent_selectors.urgent_queue(user=supervisor_a, filters=every)) == 2


def test_the_complaint_register_leaves_out_only_the_wrong_filter(unit_a, supervisor_a):
    complaint = f.make_complaint(f.make_customer(unit_a))
    filterset = ComplaintFilter({"status": "open", "received_from": "soon"}, user=supervisor_a)
    assert filterset.form.errors == {"received_from": ["Enter a valid date."]}
    rows = complaint_selectors.complaint_list(user=supervisor_a, filters=filterset)
    assert _pks(rows) == {complaint.pk}


def test_the_complaint_figures_reject_a_backwards_period(supervisor_a):
    filterset = ComplaintStatsFilter(
        {"month_from": "2026-05", "month_to": "2026-01"}, user=supervisor_a
    )
    assert filterset.form.errors == {"month_to": ["The last month must not be before the first."]}
    first, last = filterset.period()
    assert (last - first).days > 300  # the default twelve months


def test_the_survey_figures_reject_a_backwards_period(unit_a):
    filterset = SurveyReportFilter(
        {"start": "2026-05-01", "end": "2026-01-01"},
        units=unit_a.__class__.objects.filter(pk=unit_a.pk),
    )
    assert filterset.form.errors == {"__all__": ["The start date must not be after the end date."]}


def test_the_customer_analysis_refuses_a_unit_outside_the_users(unit_a, unit_b, supervisor_a):
    f.make_customer(unit_a)
    from reports import permissions

    units = permissions.visible_units(supervisor_a)
    wrong = CustomerAnalysisFilter({"unit": str(unit_b.pk)}, units=units)
    assert wrong.form.errors == {"unit": ["Pick one of your service units."]}
    assert report_selectors.customer_analysis(user=supervisor_a, filters=wrong) is None
    every = CustomerAnalysisFilter(None, units=units)
    assert report_selectors.customer_analysis(user=supervisor_a, filters=every).customer_total == 1
