"""seed_demo's complaints: every status, both severities, some overdue, one reopened, both units."""

import io

import pytest

from complaints.models import Complaint, Status
from crm_site.accounts.models import ServiceUnit, User
from crm_site.devtools.demo import accounts as accounts_demo
from crm_site.devtools.demo import complaints as demo
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_customers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    accounts_demo.seed(io.StringIO())
    for code, staff in (("1", "staff1"), ("1", "staff2"), ("2", "staff3")):
        f.make_customer(
            ServiceUnit.objects.get(code=code), visiting_person=User.objects.get(username=staff)
        )


def test_demo_complaints_cover_every_status_in_both_units(demo_customers):
    demo.seed(io.StringIO())
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("status", flat=True)) == set(Status.values)
    assert set(complaints.values_list("severity", flat=True)) == {"normal", "major"}
    assert set(complaints.values_list("unit__code", flat=True)) == {"1", "2"}
    assert complaints.overdue().exists()
    assert complaints.filter(reopened_count=1).count() == 1
    assert complaints.filter(recording="").count() < complaints.count()
    for unit in ("1", "2"):
        assert complaints.filter(unit__code=unit).overdue().exists()


def test_seeding_twice_gives_the_same_complaints(demo_customers):
    demo.seed(io.StringIO())
    first = sorted(Complaint.objects.values_list("number", "status"))
    out = io.StringIO()
    demo.seed(out)
    assert sorted(Complaint.objects.values_list("number", "status")) == first
    assert "0 created" in out.getvalue()


def test_without_customers_the_demo_creates_no_complaints(db):
    accounts_demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    assert not Complaint.objects.exists()
    assert "none created" in out.getvalue()


def test_demo_complaints_have_every_channel_a_12305_transfer_and_paused_tickets(demo_customers):
    from complaints.models import Channel

    demo.seed(io.StringIO())
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("channel", flat=True)) == set(Channel.values)
    transfer = complaints.get(channel="postal_12305", unit__code="1")
    # The due date of its transfer notice: five days after receipt, not seven.
    assert (transfer.regulatory_due - transfer.received_at).days == 5
    paused = complaints.filter(paused_since__isnull=False)
    assert set(paused.values_list("unit__code", flat=True)) == {"1", "2"}
    assert all(c.pauses.filter(ended_at__isnull=True).count() == 1 for c in paused)
    assert complaints.filter(notice_means="phone", severity="normal").exists()
