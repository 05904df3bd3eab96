"""A customer with a long history: the card costs the same queries as a short
one's, shows the latest changes and links to the whole history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm_site.devtools.bench import add_visits
from customers.models import CustomerChange, GradeChange
from customers.selectors import CARD_HISTORY, HISTORY_PAGE_SIZE
from tests.factories import (
    make_complaint,
    make_contact,
    make_service_survey,
    make_voice,
)

pytestmark = pytest.mark.django_db


def give_history(customer, n: int, *, complaints: int) -> None:
    """`n` visits, grade changes, field changes and surveys; `complaints` complaints
    (all by the customer's visiting person)."""
    person = customer.visiting_person
    now = timezone.now()
    add_visits(customer, n, now=now)
    GradeChange.objects.bulk_create(
        GradeChange(
            customer=customer,
            old_grade="A",
            new_grade="B",
            actor=person,
            source=GradeChange.Source.PIN,
            reason=f"锁定理由 {i + 1}",
        )
        for i in range(n)
    )
    CustomerChange.objects.bulk_create(
        CustomerChange(
            customer=customer,
            actor=person,
            kind=CustomerChange.Kind.UPDATED,
            changes={"industry": [f"行业 {i}", f"行业 {i + 1}"]},
        )
        for i in range(n)
    )
    for i in range(n):
        make_service_survey(customer, person, surveyed_on=timezone.localdate() - timedelta(days=i))
    for i in range(complaints):
        make_complaint(customer, person, content=f"投诉 {i + 1}")


def card_queries(client, customer) -> int:
    client.get(customer.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(customer.get_absolute_url()).status_code == 200
    return len(queries.captured_queries)


def test_the_cards_queries_do_not_grow_with_the_history(client, supervisor_a, book):
    short, long = book["mine"], book["colleague"]
    for customer in (short, long):
        make_contact(customer)
        make_voice(customer, customer.visiting_person)
    give_history(short, 5, complaints=2)
    give_history(long, 60, complaints=CARD_HISTORY + 2)
    client.force_login(supervisor_a)
    assert card_queries(client, long) == card_queries(client, short)


def test_the_card_shows_the_latest_changes_and_links_to_all_of_them(client, supervisor_a, book):
    customer = book["mine"]
    give_history(customer, CARD_HISTORY + 2, complaints=0)
    client.force_login(supervisor_a)
    response = client.get(customer.get_absolute_url())
    html = response.content.decode()
    assert len(response.context["grade_changes"]) == CARD_HISTORY
    assert len(response.context["changes"]) == CARD_HISTORY
    assert f"锁定理由 {CARD_HISTORY + 2}" in html  # the latest
    assert "锁定理由 1<" not in html  # the oldest is on the history page
    assert html.count(f"显示全部 {CARD_HISTORY + 2} 条") == 2
    assert reverse("customers:history", args=[customer.pk, "grades"]) in html
    assert reverse("customers:history", args=[customer.pk, "changes"]) in html


def test_the_history_pages_list_every_change(client, supervisor_a, book):
    customer = book["mine"]
    give_history(customer, CARD_HISTORY + 2, complaints=0)
    client.force_login(supervisor_a)
    grades = client.get(reverse("customers:history", args=[customer.pk, "grades"]))
    html = grades.content.decode()
    assert "等级变动记录" in html and "上海远航物流" in html
    for i in range(1, CARD_HISTORY + 3):
        assert f"锁定理由 {i}<" in html
    assert "手工锁定" in html  # the source, in the reader's language
    changes = client.get(reverse("customers:history", args=[customer.pk, "changes"]))
    assert len(changes.context["page_obj"].object_list) == CARD_HISTORY + 2
    assert "行业 1" in changes.content.decode()


def test_a_long_history_is_paged(client, supervisor_a, book):
    customer = book["mine"]
    GradeChange.objects.bulk_create(
        GradeChange(customer=customer, new_grade="B", source=GradeChange.Source.RULE)
        for _ in range(HISTORY_PAGE_SIZE + 1)
    )
    client.force_login(supervisor_a)
    url = reverse("customers:history", args=[customer.pk, "grades"])
    assert len(client.get(url).context["page_obj"].object_list) == HISTORY_PAGE_SIZE
    assert len(client.get(url, {"page": 2}).context["page_obj"].object_list) == 1


def test_the_history_of_a_customer_out_of_scope_is_not_found(client, staff_b, book):
    client.force_login(staff_b)
    for kind in ("grades", "changes"):
        url = reverse("customers:history", args=[book["mine"].pk, kind])
        assert client.get(url).status_code == 404


def test_an_unknown_history_is_not_found(client, supervisor_a, book):
    client.force_login(supervisor_a)
    url = reverse("customers:history", args=[book["mine"].pk, "secrets"])
    assert client.get(url).status_code == 404
