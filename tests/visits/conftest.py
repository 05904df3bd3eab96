"""Customers and reports for the visits tests.

Grades are set by hand (A: 3 visits a month, 2 calls a week; B: 2 and 2;
D: 2 and 1 under the default rule) so the numbers do not depend on scoring.
"""

import pytest
from django.utils import timezone

from tests.factories import make_customer, make_daily_report, make_entry
from visits import services


@pytest.fixture
def customer_a(unit_a, staff_a):
    return make_customer(unit_a, name="上海远航物流", grade="A", visiting_person=staff_a)


@pytest.fixture
def customer_d(unit_a, staff_a):
    return make_customer(unit_a, name="苏州恒达商贸", grade="D", visiting_person=staff_a)


@pytest.fixture
def customer_of_unit_b(unit_b, staff_b):
    return make_customer(unit_b, name="广州南方电商", grade="B", visiting_person=staff_b)


@pytest.fixture
def report_a(staff_a):
    """staff_a's draft report for today."""
    return make_daily_report(staff_a, timezone.localdate())


@pytest.fixture
def report_a_submitted(report_a, customer_a, staff_a):
    """report_a with one entry about customer_a, submitted for review."""
    make_entry(report_a, customer_a)
    services.daily_report_submit(report=report_a, actor=staff_a)
    return report_a


# --- urgent reports ----------------------------------------------------------


@pytest.fixture
def urgent_a(unit_a, supervisor_a, manager_a, customer_a):
    """An urgent report of unit A raised by supervisor_a and routed to manager_a."""
    from tests.factories import make_urgent_report

    return make_urgent_report(unit_a, supervisor_a, customer=customer_a, route=True)


@pytest.fixture
def urgent_b(unit_b, supervisor_b, manager_b):
    """An urgent report of unit B, routed to manager_b."""
    from tests.factories import make_urgent_report

    return make_urgent_report(unit_b, supervisor_b, title="华南客户投诉升级", route=True)
