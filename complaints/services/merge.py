"""Merging two complaints about one waybill (the sender and the recipient both
complained): one survives and carries everything on.

In one transaction: the merged complaint's timeline, recording and waybill
numbers move to the survivor; complaints that pointed at it (as a repeat, or
merged into it earlier) point at the survivor; the merged one is closed as
merged (`merged_into`), through the workflow, with an event on both. Its
number stays, so a search by it still finds it, and its page redirects.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import User
from crm_site.core.workflow import transition

from .. import permissions
from ..models import Complaint, ComplaintEvent
from .lifecycle import WORKFLOW


def _check_merge(complaint: Complaint, survivor: Complaint, actor: User) -> None:
    if complaint.pk == survivor.pk:
        raise ValidationError(_("A complaint cannot be merged into itself."))
    if not (permissions.may_merge(actor, complaint) and permissions.may_merge(actor, survivor)):
        raise PermissionDenied(_("Your role does not allow merging these complaints."))
    for record in (complaint, survivor):
        if record.merged_into_id is not None:
            raise ValidationError(
                _("Complaint %(number)s has already been merged into another one.")
                % {"number": record.number}
            )
    shared = set(complaint.waybills.values_list("pk", flat=True)) & set(
        survivor.waybills.values_list("pk", flat=True)
    )
    if not shared:
        raise ValidationError(_("Only complaints about the same waybill can be merged."))


@transaction.atomic
def complaint_merge(
    *, complaint: Complaint, survivor: Complaint, actor: User, comment: str = ""
) -> Complaint:
    """Merge `complaint` into `survivor`; returns the survivor (reloaded).

    Both rows are locked (in id order) first, so a double submit or two people
    at once merge them once; the second is refused as already merged.
    """
    locked = {
        c.pk: c
        for c in Complaint.objects.select_for_update()
        .filter(pk__in=[complaint.pk, survivor.pk])
        .order_by("pk")
    }
    complaint, survivor = locked[complaint.pk], locked[survivor.pk]
    _check_merge(complaint, survivor, actor)
    now = timezone.now()

    ComplaintEvent.objects.filter(complaint=complaint).update(complaint=survivor)
    survivor.waybills.add(*complaint.waybills.all())
    complaint.waybills.clear()
    if complaint.recording and not survivor.recording:
        Complaint.objects.filter(pk=survivor.pk).update(
            recording=complaint.recording.name,
            recording_content_type=complaint.recording_content_type,
            recording_size=complaint.recording_size,
        )
        Complaint.objects.filter(pk=complaint.pk).update(
            recording="", recording_content_type="", recording_size=None
        )
    Complaint.objects.filter(repeat_of=complaint).exclude(pk=survivor.pk).update(repeat_of=survivor)
    Complaint.objects.filter(merged_into=complaint).update(merged_into=survivor)
    if survivor.repeat_of_id == complaint.pk:
        Complaint.objects.filter(pk=survivor.pk).update(repeat_of=complaint.repeat_of_id)

    note = f"\n{comment}" if comment else ""
    transition(
        complaint,
        "merge",
        actor=actor,
        workflow=WORKFLOW,
        where={"merged_into__isnull": True},
        event={
            "comment": _("Merged into %(number)s.") % {"number": survivor.number} + note,
            "data": {"survivor": survivor.number},
            "at": now,
        },
        merged_into=survivor,
        closed_at=now,
    )
    transition(
        survivor,
        "merge_received",
        actor=actor,
        workflow=WORKFLOW,
        event={
            "comment": _("%(number)s merged into this complaint.") % {"number": complaint.number}
            + note,
            "data": {"merged": complaint.number},
            "at": now,
        },
    )
    return survivor
