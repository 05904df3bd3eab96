"""The by-unit-and-month table scrolls sideways on a phone: keyboard users can
reach it (axe: "Scrollable region must have keyboard access")."""

import pytest
from django.urls import reverse

from tests.factories import make_complaint, make_customer

pytestmark = pytest.mark.django_db


def test_the_stats_table_region_is_focusable_and_named(client, unit_a, staff_a, supervisor_a):
    make_complaint(make_customer(unit_a, visiting_person=staff_a), by=staff_a)
    client.force_login(supervisor_a)
    html = client.get(reverse("complaints:stats")).content.decode()
    assert (
        '<div class="table-responsive" tabindex="0" role="region" aria-labelledby="table-title">'
        in html
    )
    assert 'id="table-title">按营业单位和月份<' in html
