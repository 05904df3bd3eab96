"""urgent_figures: what the monthly summary counts — raised, resolved, still open."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_urgent_report
from visits.urgent.selectors import urgent_figures

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=SH)


def test_november_counts_reports_raised_and_resolved_in_november_and_those_open_at_its_end(
    unit_a, unit_b, supervisor_a, supervisor_b
):
    def make(created, resolved=None, unit=unit_a, by=supervisor_a, **fields):
        status = "resolved" if resolved else "routed"
        return make_urgent_report(
            unit, by, created_at=created, resolved_at=resolved, status=status, **fields
        )

    make(at(10, 20), resolved=at(11, 2))  # raised in Oct, resolved in Nov
    make(at(10, 25))  # raised in Oct, still open
    make(at(11, 1, 0), resolved=at(11, 3))  # raised and resolved in Nov (00:00 local)
    make(at(11, 30, 23), category="own_service")  # raised on the last evening, open
    make(at(11, 15), resolved=at(12, 1, 9))  # resolved after November: open at its end
    make(at(12, 1, 0))  # December
    make(at(11, 10), unit=unit_b, by=supervisor_b)  # another unit

    figures = urgent_figures(unit_id=unit_a.pk, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert figures["raised"] == 3
    assert figures["resolved"] == 2
    assert figures["open_at_end"] == 3
    assert figures["by_category"]["own_service"] == 1
    assert figures["by_category"]["competitor_policy"] == 2
    assert set(figures) == {"raised", "resolved", "open_at_end", "escalated", "by_category"}
