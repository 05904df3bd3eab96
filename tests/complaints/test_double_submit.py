"""/complaints/new/ sent twice (a double click, a retry on a phone) logs one
complaint; the repeat goes to the first one."""

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintCategory
from tests.support.forms import page_post

pytestmark = pytest.mark.django_db


def test_the_same_complaint_form_sent_twice_logs_one_complaint(client, customer_a, staff_a):
    client.force_login(staff_a)
    url = reverse("complaints:create")
    form = client.get(url).context["form"]
    data = page_post(
        form,
        customer=customer_a.code,
        channel="phone",
        received_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        complainant="王先生",
        content="货物比约定晚到两天。",
        category=ComplaintCategory.objects.get(code="delay").pk,
    )
    data.pop("recording", None)
    first = client.post(url, data)
    again = client.post(url, data)
    complaint = Complaint.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == complaint.get_absolute_url()
    assert complaint.number.endswith("000001")
