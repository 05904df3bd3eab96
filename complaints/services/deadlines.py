"""Deadline jobs: a reminder 24 hours before, escalation at the deadline.

Each is claimed by a conditional UPDATE of reminded_at / escalated_at, and the
notifications carry dedupe keys: a sweep that runs twice, or two workers at
once, notify once. Reopening a complaint gives it a new deadline and clears
both columns; the dedupe keys include the reopen count for that reason.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership
from crm_site.accounts.selectors import unit_people
from crm_site.core.deadlines import Escalation
from crm_site.core.services import notify_each

from .. import rules
from ..models import OPEN_STATUSES, Complaint, ComplaintEvent
from .lifecycle import _event

# Reminded once a day before the deadline; escalated once at it.
REMINDER = Escalation(due_field="deadline", stamp_field="reminded_at")
ESCALATION = Escalation(due_field="deadline", stamp_field="escalated_at")


def _open():
    return Complaint.objects.filter(status__in=OPEN_STATUSES)


def complaint_remind(*, complaint_id: int, now: datetime | None = None) -> bool:
    """Remind the handler (or whoever logged it) that the deadline is near. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        due = REMINDER.due_within(_open(), now, rules.REMINDER_BEFORE)
        if not REMINDER.claim(due, complaint_id, now):
            return False
        complaint = Complaint.objects.select_related("handler", "received_by", "customer").get(
            pk=complaint_id
        )
        recipient = complaint.handler or complaint.received_by
        notify_each(
            [recipient],
            kind="complaint_reminder",
            text=lambda: (
                _("Complaint %(number)s is due by %(deadline)s")
                % {"number": complaint.number, "deadline": _deadline_text(complaint)},
                _("%(customer)s: %(content)s")
                % {"customer": complaint.customer.name, "content": complaint.content[:200]},
            ),
            url=complaint.get_absolute_url(),
            dedupe_key=f"complaint:{complaint.pk}:reminder:{complaint.reopened_count}",
            email=True,
        )
        _event(
            complaint, None, ComplaintEvent.Kind.REMINDED, comment=recipient.get_full_name(), at=now
        )
    return True


def complaint_escalate(*, complaint_id: int, now: datetime | None = None) -> bool:
    """Tell the unit's supervisors and managers the deadline has passed. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        if not ESCALATION.claim(ESCALATION.overdue(_open(), now), complaint_id, now):
            return False
        complaint = Complaint.objects.select_related("customer", "handler").get(pk=complaint_id)
        kinds = (Membership.Kind.SUPERVISOR, Membership.Kind.MANAGER)
        leads = list(unit_people(complaint.unit_id, *kinds))
        names = [lead.get_full_name() for lead in leads]
        handler = complaint.handler.get_full_name() if complaint.handler else "-"
        notify_each(
            leads,
            kind="complaint_escalation",
            text=lambda: (
                _("Complaint %(number)s is past its deadline") % {"number": complaint.number},
                _("%(customer)s · handler %(handler)s · deadline %(deadline)s")
                % {
                    "customer": complaint.customer.name,
                    "handler": handler,
                    "deadline": _deadline_text(complaint),
                },
            ),
            url=complaint.get_absolute_url(),
            dedupe_key=f"complaint:{complaint.pk}:escalation:{complaint.reopened_count}",
            email=True,
        )
        _event(complaint, None, ComplaintEvent.Kind.ESCALATED, comment=", ".join(names), at=now)
    return True


def _deadline_text(complaint: Complaint) -> str:
    return date_format(timezone.localtime(complaint.deadline), "Y-m-d H:i")


def complaint_deadlines_sweep(*, now: datetime | None = None) -> dict:
    """Send the reminders and escalations that are due (the beat job). Idempotent."""
    now = now or timezone.now()
    remind_ids = list(
        REMINDER.due_within(_open(), now, rules.REMINDER_BEFORE).values_list("pk", flat=True)
    )
    escalate_ids = ESCALATION.pending_ids(_open(), now)
    reminded = sum(complaint_remind(complaint_id=pk, now=now) for pk in remind_ids)
    escalated = sum(complaint_escalate(complaint_id=pk, now=now) for pk in escalate_ids)
    return {"reminded": reminded, "escalated": escalated}
