"""Script typed into the customer-voice forms is kept as text: escaped on every
page that shows it, plain in the notification."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.core.models import Notification
from customers.fields import customer_label
from customers.voice.models import SURVEY_FIELDS
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

PAYLOAD = '"><script>alert(1)</script>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_script_in_voice_forms_is_shown_as_text_everywhere(client, staff_a, supervisor_a, unit_a):
    unit_a.name = PAYLOAD
    unit_a.save()
    customer = make_customer(unit_a, code="X-1", name=PAYLOAD, visiting_person=staff_a)
    client.force_login(staff_a)
    today = timezone.localdate().isoformat()
    # Refused (no form token): the typed text comes back in the form, escaped.
    survey = client.post(
        reverse("customers:survey_create", args=[customer.pk]),
        dict.fromkeys(SURVEY_FIELDS, "3")
        | {"surveyed_on": today, "respondent": PAYLOAD, "note": PAYLOAD},
        follow=True,
    )
    client.post(
        reverse("customers:survey_create", args=[customer.pk]),
        dict.fromkeys(SURVEY_FIELDS, "3") | {"surveyed_on": today, "form_token": uuid.uuid4()},
    )
    enterprise = client.post(
        reverse("customers:enterprise_survey_create"),
        {
            "customer": customer_label(customer),
            "visited_on": today,
            "visitor": staff_a.pk,
            "interviewee": PAYLOAD,
            "opinions": PAYLOAD,
            "answers": PAYLOAD,
            "visitor_opinion": PAYLOAD,
            "form_token": str(uuid.uuid4()),
        },
        follow=True,
    )
    watch = client.post(
        reverse("customers:watch_create", args=[customer.pk]),
        {
            "reported_on": today,
            "changed_bankruptcy": "on",
            "note_bankruptcy": PAYLOAD,
            "note": PAYLOAD,
            "form_token": str(uuid.uuid4()),
        },
        follow=True,
    )
    pages = [survey, enterprise, watch]
    client.force_login(supervisor_a)
    pages += [
        client.get(customer.get_absolute_url()),
        client.get(reverse("customers:survey_report")),
        client.get(reverse("customers:enterprise_survey_list")),
        client.get(reverse("customers:watch_list", args=[customer.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert(1)" not in html, response.request["PATH_INFO"]
        assert ESCAPED in html, response.request["PATH_INFO"]
    note = Notification.objects.get(recipient=supervisor_a)
    assert PAYLOAD in note.title  # plain text, escaped where it is shown
