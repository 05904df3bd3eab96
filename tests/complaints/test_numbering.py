"""Complaint numbers: TS-<year>-<six digits>, one sequence per year, no duplicates under load."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from complaints.models import Complaint, ComplaintSequence
from complaints.services import complaint_next_number
from tests import factories as f


@pytest.mark.django_db
def test_numbers_count_up_within_the_year(customer_a, staff_a):
    year = timezone.localdate().year
    first = f.make_complaint(customer_a, by=staff_a)
    second = f.make_complaint(customer_a, by=staff_a)
    assert first.number == f"TS-{year}-000001"
    assert second.number == f"TS-{year}-000002"


@pytest.mark.django_db
def test_each_year_has_its_own_sequence():
    assert complaint_next_number(year=2030) == "TS-2030-000001"
    assert complaint_next_number(year=2031) == "TS-2031-000001"
    assert complaint_next_number(year=2030) == "TS-2030-000002"


@pytest.mark.django_db
def test_a_rolled_back_complaint_does_not_use_up_a_number(customer_a, staff_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        f.make_complaint(customer_a, by=staff_a)
        raise RuntimeError
    assert f.make_complaint(customer_a, by=staff_a).number.endswith("-000001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_logging_never_hands_out_a_number_twice(postgres_required, unit_a):
    from complaints.defaults import defaults_ensure

    defaults_ensure()
    staff = f.make_user("staff", unit_a, username="n_staff")
    customer = f.make_customer(unit_a, visiting_person=staff)
    barrier = threading.Barrier(8)
    errors = []

    def log():
        try:
            barrier.wait()
            f.make_complaint(customer, by=staff)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=log) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"TS-{year}-{n:06d}" for n in range(1, 9)]
    assert ComplaintSequence.objects.get(year=year).last == 8
