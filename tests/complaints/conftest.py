"""Customers and complaints of units A and B for the complaint tests.

customer_a is visited by staff_a, customer_a2 by staff_a2 (both unit A);
customer_b is visited by staff_b (unit B). Recordings go to a temporary
MEDIA_ROOT.
"""

import pytest

from complaints.defaults import defaults_ensure
from tests import factories as f


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def categories(db):
    defaults_ensure()


@pytest.fixture
def customer_a(unit_a, staff_a, categories):
    return f.make_customer(unit_a, name="上海甲公司", visiting_person=staff_a)


@pytest.fixture
def customer_a2(unit_a, staff_a2, categories):
    return f.make_customer(unit_a, name="上海乙公司", visiting_person=staff_a2)


@pytest.fixture
def customer_b(unit_b, staff_b, categories):
    return f.make_customer(unit_b, name="广州丙公司", visiting_person=staff_b)


@pytest.fixture
def complaint_a(customer_a, staff_a):
    """A normal phone complaint logged by staff_a, who also handles it."""
    return f.make_complaint(customer_a, by=staff_a)


@pytest.fixture
def complaint_b(customer_b, staff_b):
    return f.make_complaint(customer_b, by=staff_b)
