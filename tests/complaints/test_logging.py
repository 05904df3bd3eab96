"""Logging a complaint in the browser (客户投诉记录表), with the channel rules."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from tests.support.complaints import complaint_post

pytestmark = pytest.mark.django_db


def form(customer, **extra):
    return complaint_post(customer, customer=f"{customer.code} · {customer.name}", **extra)


def test_staff_log_a_complaint_and_see_its_number_and_deadline(client, customer_a, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("complaints:create"), form(customer_a), follow=True)
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[complaint.pk])
    html = response.content.decode()
    assert f"投诉 {complaint.number} 已登记" in html
    assert complaint.received_by == staff_a and complaint.handler == staff_a
    assert complaint.unit == customer_a.unit


def test_the_form_page_carries_the_token_its_post_needs(client, customer_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("complaints:create"))
    token = page.context["form"]["form_token"].value()
    assert f'name="form_token" value="{token}"' in page.content.decode()


def test_a_letter_without_its_acknowledgement_date_is_refused_in_chinese(
    client, customer_a, staff_a
):
    client.force_login(staff_a)
    response = client.post(reverse("complaints:create"), form(customer_a, channel="letter"))
    assert "信函投诉须填写回执发出日期" in response.content.decode()
    assert not Complaint.objects.exists()
    ok = client.post(
        reverse("complaints:create"),
        form(customer_a, channel="letter", acknowledged_on=timezone.localdate().isoformat()),
    )
    assert ok.status_code == 302
    assert Complaint.objects.get().acknowledged_on == timezone.localdate()


def test_a_complaint_received_in_the_future_is_refused(client, customer_a, staff_a):
    client.force_login(staff_a)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("complaints:create"), form(customer_a, received_at=later))
    assert "受理时间不能晚于当前时间" in response.content.decode()


def test_staff_may_only_pick_customers_of_their_own_book(client, customer_a2, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("complaints:create"), form(customer_a2))
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_a_supervisor_assigns_the_handler_when_logging(client, customer_a, supervisor_a, staff_a2):
    client.force_login(supervisor_a)
    response = client.post(reverse("complaints:create"), form(customer_a, handler=staff_a2.pk))
    assert response.status_code == 302
    assert Complaint.objects.get().handler == staff_a2


def test_staff_are_not_offered_a_handler_choice(client, staff_a, categories):
    client.force_login(staff_a)
    html = client.get(reverse("complaints:create")).content.decode()
    assert 'name="handler"' not in html
    assert 'name="recording"' in html and 'accept=".aac,.amr,.m4a,.mp3,.ogg,.wav,audio/*"' in html
