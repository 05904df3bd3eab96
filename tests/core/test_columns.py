"""ColumnOf: another table's column as a scalar subquery reads what a join reads."""

import pytest
from django.db.models import Value

from crm_site.accounts.models import ServiceUnit
from crm_site.core.columns import ColumnOf
from customers.models import Customer
from customers.waybills.models import Waybill
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_name_a_row_points_to_is_the_joined_name():
    unit = f.make_unit(code="Q", name="青岛营业部")
    customer = f.make_customer(unit)
    row = Customer.objects.filter(pk=customer.pk).values(
        "unit__name", unit_name=ColumnOf(ServiceUnit, "unit_id")
    )[0]
    assert row["unit_name"] == row["unit__name"] == "青岛营业部"


def test_a_row_pointing_nowhere_reads_null_and_a_key_other_than_the_pk_can_be_given():
    waybill = Waybill.objects.create(number="SF0000000042")
    found = Waybill.objects.values(
        hit=ColumnOf(Waybill, Value("SF0000000042"), field="id", key="number"),
        miss=ColumnOf(Waybill, Value("SF0000000043"), field="id", key="number"),
    )[0]
    assert found == {"hit": waybill.pk, "miss": None}
