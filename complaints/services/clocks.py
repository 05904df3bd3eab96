"""Stopping and restarting a complaint's internal clock.

While the ticket waits for an outlet's reply or the customer's evidence, its
internal deadline does not run: pausing stamps `paused_since` and opens a
ComplaintPause; resuming closes it and moves the deadline on by the working
time the pause took out of the clock (crm_site.core.deadlines.paused_due, to
the second). The regulatory due date never moves. Both go through the
complaint workflow (an event row each), claimed on `paused_since`, so a
double click pauses or resumes once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import User
from crm_site.core import deadlines
from crm_site.core.services import work_calendar

from ..models import Complaint, ComplaintPause, PauseReason
from .lifecycle import _move


def _reason_label(reason: str) -> str:
    return str(dict(PauseReason.choices).get(reason, reason))


@transaction.atomic
def complaint_pause(
    *, complaint: Complaint, actor: User, reason: str, comment: str = ""
) -> Complaint:
    """Stop the internal clock: the complaint waits for an outlet or the customer."""
    if reason not in PauseReason.values:
        raise ValidationError({"reason": _("Say why the clock is paused.")})
    now = timezone.now()
    text = _reason_label(reason) + (f"\n{comment}" if comment else "")
    _move(
        complaint,
        actor,
        "pause",
        comment=text,
        at=now,
        where={"paused_since__isnull": True},
        paused_since=now,
        pause_reason=reason,
    )
    ComplaintPause.objects.create(
        complaint=complaint, reason=reason, note=comment, started_at=now, started_by=actor
    )
    return complaint


def resumed_deadline(complaint: Complaint, stopped, restarted):
    """The internal deadline once the pause from `stopped` to `restarted` is
    taken out of the clock (the engine's working-days clock, local times)."""
    local = timezone.localtime
    due, stopped, restarted = local(complaint.deadline), local(stopped), local(restarted)
    calendar = work_calendar(start=min(due, stopped).date())
    return deadlines.paused_due(due, [(stopped, restarted)], deadlines.WORKING_DAYS, calendar)


@transaction.atomic
def complaint_resume(*, complaint: Complaint, actor: User, comment: str = "") -> Complaint:
    """Restart the internal clock; its deadline moves on by the paused working time."""
    now = timezone.now()
    stopped = complaint.paused_since
    if stopped is None:
        # Resuming twice: the workflow claim below says so in its own words.
        stopped = now
    deadline = resumed_deadline(complaint, stopped, now)
    moved = deadline - complaint.deadline
    text = _("Deadline moved on to %(deadline)s.") % {
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S")
    }
    _move(
        complaint,
        actor,
        "resume",
        comment=f"{comment}\n{text}".strip() if moved else comment,
        at=now,
        where={"paused_since": stopped},
        paused_since=None,
        pause_reason="",
        deadline=deadline,
    )
    ComplaintPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor
    )
    return complaint
