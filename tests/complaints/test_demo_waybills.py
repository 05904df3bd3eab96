"""seed_demo's waybills: the README's two fixed numbers, a repeat, a merged pair."""

import io

import pytest
from django.urls import reverse

from complaints.models import Complaint
from crm_site.accounts.models import ServiceUnit, User
from crm_site.devtools.demo import accounts as accounts_demo
from crm_site.devtools.demo import complaints as complaints_demo
from crm_site.devtools.demo import waybills as demo
from customers.models import Waybill
from tests import factories as f
from visits.models import UrgentReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    accounts_demo.seed(io.StringIO())
    for code, staff in (("1", "staff1"), ("1", "staff2"), ("2", "staff3")):
        unit = ServiceUnit.objects.get(code=code)
        customer = f.make_customer(unit, visiting_person=User.objects.get(username=staff))
        f.make_entry(f.make_daily_report(User.objects.get(username=staff)), customer)
    f.make_urgent_report(ServiceUnit.objects.get(code="1"))
    complaints_demo.seed(io.StringIO())
    demo.seed(io.StringIO())


def test_the_fixed_numbers_are_on_complaints_of_staff1s_and_staff3s_customers(seeded):
    sf = Complaint.objects.filter(waybills__number="SF1234567890")
    assert sf.filter(customer__visiting_person__username="staff1", unit__code="1").exists()
    yt = Complaint.objects.filter(waybills__number="YT9876543210")
    assert yt.filter(customer__visiting_person__username="staff3", unit__code="2").exists()
    assert UrgentReport.objects.filter(waybills__number="SF1234567890").exists()


def test_a_repeat_and_a_merged_pair(seeded):
    assert Complaint.objects.filter(repeat_of__isnull=False).exists()
    merged = Complaint.objects.get(merged_into__isnull=False)
    assert merged.merged_into.waybills.filter(number="JD0012345678").exists()


def test_staff1_opens_sf_and_not_yt_and_staff3_the_other_way(seeded, client):
    client.force_login(User.objects.get(username="staff1"))
    assert client.get(reverse("waybills:detail", args=["SF1234567890"])).status_code == 200
    assert client.get(reverse("waybills:detail", args=["YT9876543210"])).status_code == 404
    client.force_login(User.objects.get(username="staff3"))
    assert client.get(reverse("waybills:detail", args=["YT9876543210"])).status_code == 200
    assert client.get(reverse("waybills:detail", args=["SF1234567890"])).status_code == 404


def test_seeding_twice_changes_nothing(seeded):
    counts = (Complaint.objects.count(), Waybill.objects.count())
    links = sorted(Complaint.waybills.through.objects.values_list("complaint_id", "waybill_id"))
    demo.seed(io.StringIO())
    assert (Complaint.objects.count(), Waybill.objects.count()) == counts
    assert sorted(Complaint.waybills.through.objects.values_list("complaint_id", "waybill_id")) == (
        links
    )
