"""The scale dataset generator: realistic shape, runs once per database."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from crm_site.accounts.models import ServiceUnit
from customers.models import Customer
from visits.models import DailyReportEntry, Visit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_quick_dataset_has_the_planned_shape_and_refuses_a_second_run(tmp_path):
    with open(tmp_path / "out.txt", "w") as out:
        call_command("seed_large", "--quick", stdout=out)
    assert ServiceUnit.objects.filter(code__startswith="L").count() == 5
    assert Customer.objects.count() == 3000
    entries = DailyReportEntry.objects.count()
    assert entries == 24_000
    # Every entry owns its visit, and lies in its report's unit.
    assert Visit.objects.count() == entries
    assert not DailyReportEntry.objects.exclude(visit__unit=F("report__unit")).exists()
    # A few big units: the first unit is the largest.
    sizes = dict(Customer.objects.values_list("unit__code").annotate(n=Count("id")))
    assert sizes["L01"] == max(sizes.values())
    # Grades skew towards C and D.
    grades = dict(Customer.objects.values_list("grade").annotate(n=Count("id")))
    assert grades.get("C", 0) + grades.get("D", 0) > grades.get("A", 0) + grades.get("B", 0)
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_large", "--quick", stdout=open(tmp_path / "again.txt", "w"))  # noqa: SIM115
