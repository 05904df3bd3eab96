"""The role home: supervisors see this month's summary and last month's awaiting
their submission; managers see submitted summaries awaiting their review."""

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.core import months
from reports.models import MonthlyPatrolSummary

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return next(
        (p for p in response.context["home_panels"] if p["template"].startswith("reports/")), None
    ), response.content.decode()


def summary(unit, month, **fields):
    """A stored summary row (figures do not matter here)."""
    return MonthlyPatrolSummary.objects.create(
        unit=unit, month=month, built_at=timezone.now(), as_of=months.last_day(month), **fields
    )


def test_a_supervisor_sees_this_months_summary_and_last_month_awaiting_submission(
    client, supervisor_a, unit_a
):
    this_month = months.first_of(timezone.localdate())
    current = summary(unit_a, this_month, compliance_percent=72.5)
    summary(unit_a, months.shift(this_month, -1))
    panel, html = home(client, supervisor_a)
    assert panel["rows"][0]["current"] == current
    assert panel["awaiting_submission"] == 1
    assert "72.5%" in html and "待您提交" in html


def test_a_supervisor_without_this_months_summary_is_offered_to_build_it(
    client, supervisor_a, unit_a
):
    panel, html = home(client, supervisor_a)
    assert panel["rows"][0]["current"] is None
    assert "生成本月月报" in html and reverse("reports:monthly_build") in html


def test_a_manager_sees_the_summaries_awaiting_review_of_their_units_only(
    client, manager_a, unit_a, unit_b, supervisor_a
):
    waiting = summary(
        unit_a,
        months.shift(months.first_of(timezone.localdate()), -1),
        status="submitted",
        submitted_by=supervisor_a,
        submitted_at=timezone.now(),
    )
    summary(unit_b, waiting.month, status="submitted")
    summary(unit_a, months.shift(waiting.month, -1), status="reviewed")
    panel, html = home(client, manager_a)
    assert panel["rows"] == [waiting] and panel["count"] == 1
    assert 'id="home-summaries-awaiting">1<' in html
    assert waiting.get_absolute_url() in html


def test_staff_get_no_summary_panel(client, staff_a):
    panel, _html = home(client, staff_a)
    assert panel is None


def test_the_panel_costs_a_fixed_number_of_queries(
    client, supervisor_a, unit_a, django_assert_max_num_queries
):
    client.force_login(supervisor_a)
    summary(unit_a, months.first_of(timezone.localdate()))
    from reports.panels import home_panel

    request = client.get(reverse("home")).wsgi_request
    with django_assert_max_num_queries(3):
        home_panel(request)
