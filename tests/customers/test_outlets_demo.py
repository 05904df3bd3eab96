"""The demo data's outlets: 网点, 分拨中心 and 营业部 in both units, serving the
customers, charged with complaints; cargo profiles on several customers;
seeding twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F

from complaints.models import Complaint
from crm_site.core.models import AuditLog
from customers.models import Customer, CustomerChange, Outlet

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_both_units_outlets_customers_profiles_and_charged_complaints(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    kinds = set(Outlet.objects.values_list("unit__code", "kind"))
    assert kinds >= {(u, k) for u in ("1", "2") for k in ("outlet", "hub", "office")}
    assert Outlet.objects.filter(is_active=False).exists()
    served = Customer.objects.exclude(serving_outlet=None)
    assert served.count() >= 60
    assert not served.exclude(serving_outlet__unit=F("unit")).exists()
    assert Customer.objects.filter(equipment__contains="cold_chain").exists()
    assert Customer.objects.filter(load_type="ftl").count() >= 2
    charged = Complaint.objects.exclude(responsible_outlet=None)
    assert set(charged.values_list("unit__code", flat=True)) == {"1", "2"}
    assert not charged.exclude(responsible_outlet__unit=F("unit")).exists()
    counts = (Outlet.objects.count(), CustomerChange.objects.count(), AuditLog.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert (
        Outlet.objects.count(),
        CustomerChange.objects.count(),
        AuditLog.objects.count(),
    ) == counts
