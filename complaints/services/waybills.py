"""A complaint's waybill numbers, and the repeat flag they raise.

A complaint logged on a waybill that already had a complaint in the 30 days
before it is a repeat: it keeps a link to the newest such complaint
(`repeat_of`). The search looks in the complaint's own unit, the one whose
staff see both.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction

from crm_site.accounts.models import User
from customers.waybills.services import waybills_set

from ..models import Complaint

REPEAT_WINDOW = timedelta(days=30)


def complaint_repeat_of(*, complaint: Complaint) -> Complaint | None:
    """The newest other complaint of the unit that names one of this one's
    waybills and was received in the 30 days up to this one (merged ones
    count as their survivor)."""
    return (
        Complaint.objects.filter(
            unit_id=complaint.unit_id,
            waybills__in=complaint.waybills.all(),
            received_at__gte=complaint.received_at - REPEAT_WINDOW,
            received_at__lte=complaint.received_at,
            merged_into__isnull=True,
        )
        .exclude(pk=complaint.pk)
        .order_by("-received_at", "-pk")
        .first()
    )


def complaint_waybills_attach(*, complaint: Complaint, numbers: Sequence[str]) -> Complaint:
    """Link the waybills and flag a repeat; part of the caller's transaction."""
    waybills_set(record=complaint, numbers=numbers)
    if complaint.repeat_of_id is None and numbers:
        repeat_of = complaint_repeat_of(complaint=complaint)
        if repeat_of is not None:
            complaint.repeat_of = repeat_of
            complaint.save(update_fields=["repeat_of", "updated_at"])
    return complaint


@transaction.atomic
def complaint_set_waybills(
    *, complaint: Complaint, actor: User, waybills: Sequence[str], comment: str = ""
) -> Complaint:
    """Replace the complaint's waybill numbers; the timeline lists the new ones."""
    from .lifecycle import _move

    text = "、".join(waybills) or "–"
    if comment:
        text = f"{text}\n{comment}"
    _move(complaint, actor, "waybills", comment=text)
    return complaint_waybills_attach(complaint=complaint, numbers=waybills)
