"""Deadline policies by severity x category x customer grade (a blank category
or grade means any; the most specific wins), the A-grade green channel seeded
at half the default time, and what the customer card shows of it."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from complaints import rules, services
from complaints.models import ComplaintCategory, DeadlinePolicy
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 4 March 2026, 10:00.
RECEIVED = datetime(2026, 3, 4, 10, tzinfo=SHANGHAI)


def close_of(day: int) -> datetime:
    return datetime(2026, 3, day, 18, tzinfo=SHANGHAI)


def policy(grade="", category=None):
    return SimpleNamespace(customer_grade=grade, category_id=category)


def test_the_most_specific_policy_wins_and_grade_beats_category():
    anyone, by_category = policy(), policy(category=1)
    by_grade, both = policy(grade="A"), policy(grade="A", category=1)
    assert rules.most_specific([anyone]) is anyone
    assert rules.most_specific([anyone, by_category]) is by_category
    assert rules.most_specific([by_category, by_grade, anyone]) is by_grade
    assert rules.most_specific([anyone, by_grade, by_category, both]) is both
    assert rules.most_specific([]) is None


@pytest.mark.django_db
def test_a_grade_customers_get_half_the_default_time_rounded_up(categories):
    # Seeded: normal 5 -> 3 working days, major 3 -> 2.
    seeded = dict(
        DeadlinePolicy.objects.filter(customer_grade="A", category=None).values_list(
            "severity", "working_days"
        )
    )
    assert seeded == {"normal": 3, "major": 2}
    deadline = services.complaint_deadline
    assert deadline(received_at=RECEIVED, severity="normal", grade="A") == close_of(9)
    assert deadline(received_at=RECEIVED, severity="normal", grade="B") == close_of(11)
    assert deadline(received_at=RECEIVED, severity="major", grade="A") == close_of(6)


@pytest.mark.django_db
def test_precedence_over_the_database_rows(categories):
    damage = ComplaintCategory.objects.get(code="damage")
    delay = ComplaintCategory.objects.get(code="delay")
    DeadlinePolicy.objects.create(severity="normal", category=damage, working_days=4)
    DeadlinePolicy.objects.create(
        severity="normal", category=damage, customer_grade="A", working_days=1
    )

    def due(category, grade):
        return services.complaint_deadline(
            received_at=RECEIVED, severity="normal", category_id=category.pk, grade=grade
        )

    assert due(delay, "C") == close_of(11)  # the default: 5 working days
    assert due(damage, "C") == close_of(10)  # the category's: 4
    assert due(delay, "A") == close_of(9)  # the grade's: 3
    assert due(damage, "A") == close_of(5)  # both: 1


@pytest.mark.django_db
def test_one_policy_per_severity_category_and_grade_even_with_any(categories):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlinePolicy.objects.create(severity="normal", working_days=9)


@pytest.mark.django_db
def test_a_logged_complaint_of_an_a_grade_customer_gets_the_green_channel_deadline(
    unit_a, staff_a, categories
):
    big = f.make_customer(unit_a, visiting_person=staff_a, grade="A")
    complaint = f.make_complaint(big, by=staff_a, received_at=RECEIVED)
    assert complaint.deadline == close_of(9)


# --- the card ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_big_customers_card_shows_the_green_channel_promise_and_hotline_owner(
    client, unit_a, staff_a, supervisor_a, categories
):
    big = f.make_customer(unit_a, visiting_person=staff_a, grade="A", hotline_owner=supervisor_a)
    client.force_login(staff_a)
    html = client.get(big.get_absolute_url()).content.decode()
    assert 'id="green-channel"' in html
    assert '<div data-promise="normal">' in html and '<div data-promise="major">' in html
    promise = html.split('data-promise="normal">')[1].split("</div>")[0]
    assert "3" in promise
    assert "赵主管" in html.split('id="hotline-owner"')[1][:200]


@pytest.mark.django_db
def test_without_a_named_owner_the_visiting_person_answers_the_hotline(
    client, unit_a, staff_a, categories
):
    big = f.make_customer(unit_a, visiting_person=staff_a, grade="A")
    client.force_login(staff_a)
    html = client.get(big.get_absolute_url()).content.decode()
    assert "张三" in html.split('id="hotline-owner"')[1][:300]


@pytest.mark.django_db
def test_other_customers_cards_have_no_green_channel(client, unit_a, staff_a, categories):
    small = f.make_customer(unit_a, visiting_person=staff_a, grade="C")
    client.force_login(staff_a)
    assert 'id="green-channel"' not in client.get(small.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_grade_with_a_policy_of_its_own_gets_a_green_channel_too(
    client, unit_a, staff_a, categories
):
    DeadlinePolicy.objects.create(severity="normal", customer_grade="B", working_days=4)
    customer = f.make_customer(unit_a, visiting_person=staff_a, grade="B")
    client.force_login(staff_a)
    assert 'id="green-channel"' in client.get(customer.get_absolute_url()).content.decode()


# --- the admin pages where both are edited ----------------------------------------------


@pytest.mark.django_db
def test_admins_edit_the_policies_and_see_the_regulatory_source_text(
    client, admin_user, categories
):
    from complaints.models import RegulatoryLimit

    client.force_login(admin_user)
    policies = client.get(reverse("admin:complaints_deadlinepolicy_changelist"))
    assert policies.status_code == 200
    limit = RegulatoryLimit.objects.get(kind="direct")
    page = client.get(reverse("admin:complaints_regulatorylimit_change", args=[limit.pk]))
    assert page.status_code == 200
    assert "自接到投诉之日起7日内予以处理并告知用户" in page.content.decode()
    response = client.post(
        reverse("admin:complaints_regulatorylimit_change", args=[limit.pk]),
        {
            "kind": "direct",
            "calendar_days": "6",
            "source": limit.source,
            "source_text": limit.source_text,
        },
    )
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.calendar_days == 6


@pytest.mark.django_db
def test_the_policy_and_limit_admin_pages_are_for_admins_only(client, supervisor_a, categories):
    client.force_login(supervisor_a)
    response = client.get(reverse("admin:complaints_deadlinepolicy_changelist"))
    assert response.status_code in (302, 403)
