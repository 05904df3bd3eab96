"""The demo customer voice: surveys in both units, enterprise surveys with and
without the head's opinion, a risky watch that told a supervisor; seeding twice
adds nothing."""

import io

import pytest
from django.core.management import call_command

from crm_site.core.models import Notification
from customers.voice.models import CustomerWatch, EnterpriseSurvey, ServiceSurvey

pytestmark = pytest.mark.django_db


def _counts():
    return (
        ServiceSurvey.objects.count(),
        EnterpriseSurvey.objects.count(),
        CustomerWatch.objects.count(),
        Notification.objects.filter(kind="customers.watch_risk").count(),
    )


def test_the_demo_has_customer_voice_in_both_units_and_seeding_twice_adds_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    units = set(ServiceSurvey.objects.values_list("unit__code", flat=True))
    assert units == {"1", "2"}
    assert ServiceSurvey.objects.dates("surveyed_on", "month").count() >= 3
    assert EnterpriseSurvey.objects.exclude(head_opinion="").exists()
    assert EnterpriseSurvey.objects.filter(head_opinion="").exists()
    risky = CustomerWatch.objects.exclude(risky_changes=[])
    assert set(risky.values_list("unit__code", flat=True)) == {"1", "2"}
    told = Notification.objects.filter(kind="customers.watch_risk")
    assert set(told.values_list("recipient__username", flat=True)) >= {"supervisor1", "supervisor2"}
    counts = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == counts
