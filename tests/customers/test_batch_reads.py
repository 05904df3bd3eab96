"""Several reads in one round trip (crm_site.core.batch): the rows are those the
querysets give one by one, with the same types, in their order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm_site.core import batch
from customers.models import Customer, GradeChange, GradingRule
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_rows_and_counts_are_those_of_the_querysets_in_one_query(book, supervisor_a):
    make_contact(book["mine"], name="刘丽华", care_kind="birthday", care_date="1980-04-04")
    reads = {
        "customers": Customer.objects.order_by("-code").values(
            "pk", "code", "annual_revenue", "created_at", "grade_breakdown", "form_token"
        ),
        "contacts": book["mine"].contacts.values("pk", "name", "care_date"),
        "rules": GradingRule.objects.values("pk", "version", "definition")[:1],
        "nothing": Customer.objects.none().values("pk"),
    }
    scoped = Customer.objects.visible_to(supervisor_a)  # reads the user's scope
    with CaptureQueriesContext(connection) as queries:
        rows = batch.rows_many({**reads, "count": batch.Counted(scoped)})
    assert len(queries.captured_queries) == 1
    for key, queryset in reads.items():
        assert rows[key] == list(queryset), key
    assert rows["count"] == Customer.objects.visible_to(supervisor_a).count()
    assert rows["customers"] and [r["code"] for r in rows["customers"]] == sorted(
        (c.code for c in Customer.objects.all()), reverse=True
    )


def test_pending_parts_are_built_from_their_own_rows(book):
    parts = [
        batch.Pending(
            {"c": Customer.objects.filter(pk=book["mine"].pk).values("code")},
            lambda rows: rows["c"],
        ),
        batch.Pending({"n": batch.Counted(Customer.objects.all())}, lambda rows: rows["n"]),
    ]
    first, second = batch.resolve(parts)
    assert first == [{"code": book["mine"].code}]
    assert second == Customer.objects.count()


@batch.prepared
def _changes_between(customer_id, start, end):
    return GradeChange.objects.filter(customer_id=customer_id, at__gte=start, at__lt=end).values(
        "new_grade", "at"
    )


def test_a_prepared_read_is_compiled_once_and_reads_what_the_queryset_reads(book, supervisor_a):
    from customers.services import customer_pin_grade

    customer = book["colleague"]
    customer_pin_grade(customer=customer, actor=supervisor_a, grade="B", reason="总部指定")
    now = timezone.now()
    for window in ((now - timedelta(days=1), now + timedelta(days=1)), (now, now)):
        read = _changes_between(customer.pk, *window)
        assert isinstance(read, batch.Compiled)
        expected = list(_changes_between.build(customer.pk, *window))
        assert batch.rows_many({"r": read})["r"] == expected
    assert len(_changes_between.shapes) == 1


def test_a_read_whose_shape_follows_its_arguments_is_compiled_every_time(book):
    @batch.prepared
    def codes(n):
        return Customer.objects.values("code")[:n]  # the limit goes into the SQL text

    assert not isinstance(codes(2), batch.Compiled)
    assert batch.rows_many({"r": codes(1)})["r"] == list(Customer.objects.values("code")[:1])


# --- reads compiled once per scope --------------------------------------------


def _visible_complaints(user, customer) -> list[str]:
    from complaints import selectors as complaint_selectors

    read = complaint_selectors.complaint_card_read(user, customer.pk)
    return [row["number"] for row in batch.rows_many({"r": read})["r"]]


def test_a_read_compiled_once_per_scope_shows_each_user_only_their_scope(
    book, supervisor_a, supervisor_b, manager_b, admin_user
):
    from tests.factories import make_complaint

    complaint = make_complaint(book["mine"])
    assert _visible_complaints(supervisor_a, book["mine"]) == [complaint.number]
    assert _visible_complaints(admin_user, book["mine"]) == [complaint.number]
    # Unit B's people, compiled after unit A's: still nothing of unit A.
    assert _visible_complaints(supervisor_b, book["mine"]) == []
    assert _visible_complaints(manager_b, book["mine"]) == []


def test_a_change_of_units_or_a_deactivation_is_seen_at_the_next_request(
    book, supervisor_b, unit_a
):
    from crm_site.accounts.models import Membership, User
    from crm_site.accounts.services import membership_set
    from tests.factories import make_complaint

    complaint = make_complaint(book["mine"])
    assert _visible_complaints(supervisor_b, book["mine"]) == []
    membership_set(user=supervisor_b, unit=unit_a, kind=Membership.Kind.SUPERVISOR)
    fresh = User.objects.get(pk=supervisor_b.pk)  # as the next request loads the user
    assert _visible_complaints(fresh, book["mine"]) == [complaint.number]
    fresh.is_active = False
    fresh.save(update_fields=["is_active"])
    assert _visible_complaints(User.objects.get(pk=supervisor_b.pk), book["mine"]) == []


def test_a_linked_address_is_the_one_reverse_gives():
    from django.urls import reverse

    from crm_site.core import links

    assert links.address("customers:edit", 42) == reverse("customers:edit", args=[42])
    assert links.address("customers:contact_edit", 7, 9) == reverse(
        "customers:contact_edit", args=[7, 9]
    )
    assert links.address("customers:list") == reverse("customers:list")
    assert links.pk_url("complaints:detail")(5) == reverse("complaints:detail", args=[5])


def test_an_instance_from_a_row_is_the_one_the_orm_loads(book):
    customer = book["mine"]
    row = Customer.objects.filter(pk=customer.pk).values("id", "code", "name", "unit_id")[0]
    built = batch.instance(Customer, row)
    loaded = Customer.objects.only("id", "code", "name", "unit_id").get(pk=customer.pk)
    assert built == loaded and built.__dict__.keys() == loaded.__dict__.keys()
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.unit == customer.unit  # a foreign key reads its row
    assert built.get_deferred_fields() == loaded.get_deferred_fields()
    assert built.grade == customer.grade  # a deferred column is read on first use
