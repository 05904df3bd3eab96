"""The demo customer book: 60+ customers of grades A-D in both units; seeding twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from customers.models import Contact, Customer, CustomerChange, GradeChange

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_graded_book_in_both_units_and_is_idempotent(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Customer.objects.count(),
        Contact.objects.count(),
        CustomerChange.objects.count(),
        GradeChange.objects.count(),
    )
    assert counts[0] >= 60
    grades = set(Customer.objects.values_list("unit__code", "grade"))
    assert grades >= {(u, g) for u in ("1", "2") for g in "ABCD"}
    visitors = set(Customer.objects.values_list("unit__code", "visiting_person__username"))
    assert {("1", "staff1"), ("1", "staff2"), ("2", "staff3")} <= visitors
    assert Contact.objects.filter(care_kind="birthday", care_date__isnull=False).exists()
    assert Customer.objects.filter(grade_pinned=True).exists()
    assert Customer.objects.exclude(assignment_override_reason="").exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert (
        Customer.objects.count(),
        Contact.objects.count(),
        CustomerChange.objects.count(),
        GradeChange.objects.count(),
    ) == counts
