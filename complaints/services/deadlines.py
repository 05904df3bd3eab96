"""Deadline jobs: a reminder 24 hours before, escalation at the deadline, for
the internal deadline (not while its clock is paused) and for the regulatory
due date (which never pauses, and runs until the customer is told the result).

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
from ..models import OPEN_STATUSES, REGULATORY_OPEN_STATUSES, Complaint, ComplaintEvent
from .lifecycle import _event

# Reminded once a day before the deadline; escalated once at it.
REMINDER = Escalation(due_field="deadline", stamp_field="reminded_at")
ESCALATION = Escalation(due_field="deadline", stamp_field="escalated_at")
REGULATORY_REMINDER = Escalation(due_field="regulatory_due", stamp_field="regulatory_reminded_at")
REGULATORY_ESCALATION = Escalation(
    due_field="regulatory_due", stamp_field="regulatory_escalated_at"
)


def _open():
    """Open, with the internal clock running."""
    return Complaint.objects.filter(status__in=OPEN_STATUSES, paused_since__isnull=True)


def _regulatory_open():
    """The customer not yet told the result; paused or not."""
    return Complaint.objects.filter(
        status__in=REGULATORY_OPEN_STATUSES, regulatory_answered_on__isnull=True
    )


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
        leads = _leads(complaint)
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


def _leads(complaint: Complaint) -> list:
    kinds = (Membership.Kind.SUPERVISOR, Membership.Kind.MANAGER)
    return list(unit_people(complaint.unit_id, *kinds))


def _regulatory_text(complaint: Complaint) -> str:
    return date_format(timezone.localtime(complaint.regulatory_due), "Y-m-d H:i")


def complaint_regulatory_remind(*, complaint_id: int, now: datetime | None = None) -> bool:
    """Warn the handler and the unit's leads that the regulatory due date is a
    day away (the customer must have the result by then). Once."""
    now = now or timezone.now()
    with transaction.atomic():
        due = REGULATORY_REMINDER.due_within(_regulatory_open(), now, rules.REMINDER_BEFORE)
        if not REGULATORY_REMINDER.claim(due, complaint_id, now):
            return False
        complaint = Complaint.objects.select_related("handler", "received_by", "customer").get(
            pk=complaint_id
        )
        recipients = [complaint.handler or complaint.received_by, *_leads(complaint)]
        notify_each(
            recipients,
            kind="complaint_regulatory_reminder",
            text=lambda: (
                _("Complaint %(number)s: the customer must have the result by %(due)s")
                % {"number": complaint.number, "due": _regulatory_text(complaint)},
                _("%(customer)s · %(source)s")
                % {"customer": complaint.customer.name, "source": complaint.regulatory_source},
            ),
            url=complaint.get_absolute_url(),
            dedupe_key=f"complaint:{complaint.pk}:regulatory_reminder",
            email=True,
        )
        names = ", ".join(sorted({r.get_full_name() for r in recipients}))
        _event(complaint, None, ComplaintEvent.Kind.REGULATORY_REMINDED, comment=names, at=now)
    return True


def complaint_regulatory_escalate(*, complaint_id: int, now: datetime | None = None) -> bool:
    """Tell the handler and the unit's leads the regulatory due date has passed. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = REGULATORY_ESCALATION.overdue(_regulatory_open(), now)
        if not REGULATORY_ESCALATION.claim(overdue, complaint_id, now):
            return False
        complaint = Complaint.objects.select_related("handler", "received_by", "customer").get(
            pk=complaint_id
        )
        recipients = [complaint.handler or complaint.received_by, *_leads(complaint)]
        notify_each(
            recipients,
            kind="complaint_regulatory_escalation",
            text=lambda: (
                _("Complaint %(number)s is past its regulatory due date")
                % {"number": complaint.number},
                _("%(customer)s · due %(due)s · %(source)s")
                % {
                    "customer": complaint.customer.name,
                    "due": _regulatory_text(complaint),
                    "source": complaint.regulatory_source,
                },
            ),
            url=complaint.get_absolute_url(),
            dedupe_key=f"complaint:{complaint.pk}:regulatory_escalation",
            email=True,
        )
        names = ", ".join(sorted({r.get_full_name() for r in recipients}))
        _event(complaint, None, ComplaintEvent.Kind.REGULATORY_ESCALATED, comment=names, at=now)
    return True


def complaint_deadlines_sweep(*, now: datetime | None = None) -> dict:
    """Send the reminders and escalations that are due (the beat job), of the
    internal deadline and of the regulatory due date. Idempotent."""
    now = now or timezone.now()
    remind_ids = list(
        REMINDER.due_within(_open(), now, rules.REMINDER_BEFORE).values_list("pk", flat=True)
    )
    escalate_ids = ESCALATION.pending_ids(_open(), now)
    regulatory = _regulatory_open()
    regulatory_remind_ids = list(
        REGULATORY_REMINDER.due_within(regulatory, now, rules.REMINDER_BEFORE).values_list(
            "pk", flat=True
        )
    )
    regulatory_escalate_ids = REGULATORY_ESCALATION.pending_ids(regulatory, now)
    reminded = sum(complaint_remind(complaint_id=pk, now=now) for pk in remind_ids)
    escalated = sum(complaint_escalate(complaint_id=pk, now=now) for pk in escalate_ids)
    regulatory_reminded = sum(
        complaint_regulatory_remind(complaint_id=pk, now=now) for pk in regulatory_remind_ids
    )
    regulatory_escalated = sum(
        complaint_regulatory_escalate(complaint_id=pk, now=now) for pk in regulatory_escalate_ids
    )
    return {
        "reminded": reminded,
        "escalated": escalated,
        "regulatory_reminded": regulatory_reminded,
        "regulatory_escalated": regulatory_escalated,
    }
