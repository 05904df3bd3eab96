"""Writes of waybills: the rows for a list of numbers, and a record's links.

Called inside the transaction of the service that saves the complaint, entry
or urgent report, so the record and its waybills are saved together or not at
all.
"""

from collections.abc import Iterable

from django.db import models

from .models import Waybill
from .numbers import parse_list


def waybills_get_or_create(*, numbers: Iterable[str]) -> list[Waybill]:
    """The Waybill rows of `numbers` (already normalised), created where new:
    two queries whatever the count; a concurrent insert of the same number is
    not an error (ON CONFLICT DO NOTHING)."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return []
    Waybill.objects.bulk_create([Waybill(number=n) for n in wanted], ignore_conflicts=True)
    by_number = {w.number: w for w in Waybill.objects.filter(number__in=wanted)}
    return [by_number[n] for n in wanted]


def waybills_set(*, record: models.Model, numbers: Iterable[str] | str) -> list[Waybill]:
    """Make `record.waybills` exactly `numbers` (a list, or text parsed by
    numbers.parse_list, whose ValidationError then propagates)."""
    if isinstance(numbers, str):
        numbers = parse_list(numbers)
    waybills = waybills_get_or_create(numbers=numbers)
    record.waybills.set(waybills)  # type: ignore[attr-defined]
    return waybills
