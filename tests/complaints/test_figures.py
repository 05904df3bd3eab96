"""Complaint KPIs equal the figures worked out by hand (SQL aggregation, both databases)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.models import Complaint
from complaints.services import complaint_figures
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(m, d, hh, mm=0, y=2025):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def march(customer_a, customer_b, staff_a, staff_b):
    """Unit A, March 2025, worked out by hand:

    #1 received 2 Mar 10:00, resolved 4 Mar 10:00 (48 h), deadline 9 Mar: on time, satisfied
    #2 received 3 Mar 09:00, resolved 12 Mar 09:00 (216 h), deadline 10 Mar: late; the last
       return visit found the customer not satisfied (reopened, resolved again)
    #3 received 5 Mar 14:00, resolved 6 Mar 02:00 (12 h), deadline 12 Mar: on time, no visit yet
    #4 received 20 Mar, open, deadline passed: overdue
    #5 received 31 Mar 23:30 (still March in Shanghai), open, major, deadline passed: overdue
    plus #6 received 1 Apr 00:10 (April) and a unit B complaint in March: not counted.
    """

    def make(received, deadline, category="delay", customer=customer_a, by=staff_a, **done):
        c = f.make_complaint(
            customer,
            by=by,
            received_at=received,
            category=category,
            severity=done.pop("severity", "normal"),
        )
        Complaint.objects.filter(pk=c.pk).update(deadline=deadline, **done)
        return c

    return [
        make(at(3, 2, 10), at(3, 9, 18), status="closed", resolved_at=at(3, 4, 10), satisfied=True),
        make(
            at(3, 3, 9),
            at(3, 10, 18),
            "damage",
            status="notified",
            resolved_at=at(3, 12, 9),
            satisfied=False,
        ),
        make(at(3, 5, 14), at(3, 12, 18), "damage", status="notified", resolved_at=at(3, 6, 2)),
        make(at(3, 20, 10), at(3, 27, 18), "loss"),
        make(at(3, 31, 23, 30), at(4, 3, 18), severity="major"),
        make(at(4, 1, 0, 10), at(4, 8, 18)),
        make(at(3, 10, 10), at(3, 17, 18), customer=customer_b, by=staff_b),
    ]


def test_the_monthly_figures_of_a_unit_equal_the_hand_computed_values(march, unit_a):
    figures = complaint_figures(unit_id=unit_a.pk, start=date(2025, 3, 1), end=date(2025, 3, 31))
    by_category = figures.pop("by_category")
    by_outlet = figures.pop("by_outlet")
    assert [(o["code"], o["received"], o["claims_paid"]) for o in by_outlet] == [("", 5, "0.00")]
    assert figures == {
        "received": 5,
        "resolved": 3,
        "resolved_on_time": 2,
        "open": 2,
        "overdue": 2,
        "major": 1,
        "return_visits": 2,
        "satisfied": 1,
        "resolution_rate": 60.0,
        "on_time_rate": 66.7,
        "satisfaction_rate": 50.0,
        "median_hours_to_resolve": 48.0,
    }
    assert [(c["code"], c["count"]) for c in by_category] == [
        ("damage", 2),
        ("delay", 2),
        ("loss", 1),
    ]
    assert by_category[0]["name"] == "货物破损"


def test_figures_of_an_empty_period_are_zero_with_no_rates(march, unit_a):
    figures = complaint_figures(unit_id=unit_a.pk, start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert figures["received"] == 0
    assert figures["resolution_rate"] is None
    assert figures["median_hours_to_resolve"] is None
    assert figures["by_category"] == []


def test_both_ends_of_the_period_are_included(march, unit_a):
    figures = complaint_figures(unit_id=unit_a.pk, start=date(2025, 3, 31), end=date(2025, 4, 1))
    assert figures["received"] == 2  # #5 late on 31 March and #6 just after midnight


def test_the_stats_page_shows_the_same_figures_per_unit_and_month(client, march, supervisor_a):
    client.force_login(supervisor_a)
    response = client.get(
        reverse("complaints:stats"), {"month_from": "2025-03", "month_to": "2025-04"}
    )
    html = response.content.decode()
    assert 'id="kpi-received">6<' in html
    march_row = html.split('data-month="2025-03"', 1)[1].split("</tr>", 1)[0]
    cells = [c.strip() for c in march_row.split('<td class="text-end')[1:]]
    values = [c.split(">", 1)[1].split("<", 1)[0] for c in cells]
    assert values == ["5", "3", "60.0%", "66.7%", "48.0", "50.0%", "2"]
    chart = response.context["chart"]
    assert chart["months"] == ["2025-03", "2025-04"]
    assert chart["received"] == [5, 1]
    assert chart["resolved"] == [3, 0]
    assert chart["on_time_rate"] == [66.7, None]


def test_the_stats_page_charts_are_drawn_by_a_static_script_from_json(client, march, supervisor_a):
    client.force_login(supervisor_a)
    html = client.get(reverse("complaints:stats")).content.decode()
    assert '<script id="complaint-chart-data" type="application/json">' in html
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in html
    assert "/static/js/complaints-stats.js" in html
    # No inline script besides the JSON data block (CSP).
    assert html.count("<script>") == 0


def test_the_stats_page_filters_by_unit(client, march, admin_user, unit_b):
    client.force_login(admin_user)
    html = client.get(
        reverse("complaints:stats"),
        {"unit": unit_b.pk, "month_from": "2025-03", "month_to": "2025-03"},
    ).content.decode()
    assert 'id="kpi-received">1<' in html


def test_a_reversed_month_range_is_explained(client, supervisor_a, categories):
    client.force_login(supervisor_a)
    html = client.get(
        reverse("complaints:stats"), {"month_from": "2025-05", "month_to": "2025-03"}
    ).content.decode()
    assert "截止月份不能早于起始月份" in html


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(customer_a, staff_a, unit_a):
    for hours in (10, 20, 30, 100):
        c = f.make_complaint(customer_a, by=staff_a, received_at=at(6, 2, 9))
        Complaint.objects.filter(pk=c.pk).update(
            status="resolved", resolved_at=at(6, 2, 9) + timedelta(hours=hours)
        )
    figures = complaint_figures(unit_id=unit_a.pk, start=date(2025, 6, 1), end=date(2025, 6, 30))
    assert figures["median_hours_to_resolve"] == 25.0
