"""Logging a complaint and every step of its handling.

Each service takes the acting user, runs in one transaction and moves the
status through the complaint workflow (rules.WORKFLOW, applied by
crm_site.core.workflow.transition): a conditional UPDATE on the status it
expects, so a double submit (or two people at once) moves it only once, and
the ComplaintEvent written with it.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, User
from crm_site.accounts.selectors import unit_people
from crm_site.core.idempotency import create_once, first_by_token
from crm_site.core.services import notify_each, work_calendar
from crm_site.core.versioning import claim_version
from crm_site.core.workflow import transition

from .. import permissions, rules
from ..claims.services import open_claims_refusal
from ..models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintSequence,
    DeadlinePolicy,
    RegulatoryLimit,
    Severity,
    Status,
)
from ..outlets import OUTLET_FIELDS, check_outlets
from .recording import recording_validate
from .waybills import complaint_waybills_attach

# Fallback when an admin deleted a severity's policy row.
DEFAULT_WORKING_DAYS: dict[str, int] = {Severity.NORMAL: 5, Severity.MAJOR: 3}
# Fallback when an admin deleted a regulatory limit (快递暂行条例 第二十八条).
DEFAULT_REGULATORY_DAYS = 7


def complaint_deadline(
    *, received_at: datetime, severity: str, category_id: int | None = None, grade: str = ""
) -> datetime:
    """The deadline a complaint received at `received_at` gets: by the most
    specific policy for its severity, category and customer grade."""
    policy = rules.most_specific(
        DeadlinePolicy.objects.matching(severity=severity, category_id=category_id, grade=grade)
    )
    days = policy.working_days if policy else DEFAULT_WORKING_DAYS[severity]
    local = timezone.localtime(received_at)
    return rules.deadline_for(local, days, work_calendar(start=local.date()))


def complaint_regulatory_due(
    *, received_at: datetime, channel: str, notice_due: datetime | None = None
) -> tuple[datetime, str]:
    """The regulator's due time and the source it comes from: a 12305 transfer
    is due when its transfer notice says (`notice_due`), else by the limit for
    its kind; a complaint made to the company by the direct limit. Calendar
    days, never paused."""
    kind = (
        RegulatoryLimit.Kind.POSTAL_12305
        if channel == Channel.POSTAL_12305
        else RegulatoryLimit.Kind.DIRECT
    )
    limit = RegulatoryLimit.objects.filter(kind=kind).first()
    days = limit.calendar_days if limit else DEFAULT_REGULATORY_DAYS
    source = limit.source if limit else ""
    if notice_due is not None and kind == RegulatoryLimit.Kind.POSTAL_12305:
        return notice_due, source
    return rules.regulatory_due_for(timezone.localtime(received_at), days), source


def complaint_next_number(*, year: int) -> str:
    """TS-<year>-<six digits>, gap-free within a committed year.

    The UPDATE takes the year's row lock before reading, so concurrent
    transactions queue on it (PostgreSQL) or on the database lock (SQLite)
    instead of reading the same value.
    """
    claimed = ComplaintSequence.objects.filter(year=year).update(last=F("last") + 1)
    if not claimed:
        ComplaintSequence.objects.bulk_create(
            [ComplaintSequence(year=year, last=0)], ignore_conflicts=True
        )
        ComplaintSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = ComplaintSequence.objects.get(year=year).last
    return f"TS-{year}-{last:06d}"


def unit_members(unit_id: int):
    return unit_people(unit_id)


def _event(complaint, actor, kind, *, comment="", at=None, to_state=""):
    """A timeline line outside a workflow action (logging, a recording, a return visit)."""
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        kind=kind,
        comment=comment,
        to_state=to_state,
        at=at or timezone.now(),
    )


def _require(actor, action: str, complaint: Complaint) -> None:
    if not permissions.may(actor, action, complaint):
        raise PermissionDenied(_("Your role does not allow this on this complaint."))


def _illegal(complaint: Complaint, reason) -> ValidationError:
    return ValidationError(
        _("This complaint is now “%(status)s”. %(reason)s")
        % {"status": complaint.get_status_display(), "reason": reason}
    )


def _changed(complaint: Complaint) -> str:
    return _(
        "Someone has just changed this complaint (it is now “%(status)s”). "
        "Nothing was saved twice; check the timeline."
    ) % {"status": complaint.get_status_display()}


def _refused(complaint: Complaint, action: str) -> str:
    return _("This complaint is now “%(status)s”.") % {"status": complaint.get_status_display()}


WORKFLOW = rules.WORKFLOW.bind(
    model=Complaint,
    events=ComplaintEvent,
    subject="complaint",
    refused=_refused,
    changed=_changed,
)


def _move(
    complaint: Complaint,
    actor,
    action: str,
    *,
    outcome=None,
    comment: str = "",
    at=None,
    claim: bool = False,
    version: int | None = None,
    where: dict | None = None,
    **fields,
) -> ComplaintEvent:
    """Check the role and the rules' reason, then apply the workflow action.

    Returns the event written. Raises ValidationError if the complaint is in
    the wrong status or changed since it was loaded. With `claim` (an action
    that writes the shared findings or solution), the complaint's version is
    claimed too: StaleEdit if it moved on from `version`.
    """
    _require(actor, action, complaint)
    try:
        rules.check(
            action,
            status=complaint.status,
            severity=complaint.severity,
            paused=complaint.paused_since is not None,
        )
    except rules.IllegalTransition as exc:
        raise _illegal(complaint, exc.reason) from exc
    if claim:
        claim_version(complaint, version, history=complaint.events)
    name = rules.workflow_action(action, severity=complaint.severity, satisfied=outcome)
    event = {"comment": comment, "at": at or timezone.now()}
    return transition(
        complaint, name, actor=actor, workflow=WORKFLOW, where=where, event=event, **fields
    )


def _notify_handler_assigned(complaint: Complaint, actor, event: ComplaintEvent) -> None:
    handler = complaint.handler
    if handler is None or handler == actor:
        return
    notify_each(
        [handler],
        kind="complaint_assigned",
        text=lambda: (
            _("Complaint %(number)s is assigned to you") % {"number": complaint.number},
            _("%(customer)s: %(content)s")
            % {"customer": complaint.customer.name, "content": complaint.content[:200]},
        ),
        url=complaint.get_absolute_url(),
        dedupe_key=f"complaint:{complaint.pk}:assigned:{event.pk}",
        email=True,
    )


def _check_log(
    *, actor, customer, channel, received_at, handler, acknowledged_on, recording, notice_due
):
    from customers.models import Customer

    if not permissions.may_log(actor):
        raise PermissionDenied(_("Your role does not allow logging complaints."))
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("This customer is not among your customers."))
    if channel == Channel.LETTER and acknowledged_on is None:
        raise ValidationError(
            {"acknowledged_on": _("For a letter, enter the date the acknowledgement was sent.")}
        )
    if recording and channel != Channel.PHONE:
        raise ValidationError({"recording": _("Only phone complaints have a recording.")})
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if notice_due is not None and channel != Channel.POSTAL_12305:
        raise ValidationError(
            {"regulatory_due": _("Only a 12305 transfer has a due date of its own.")}
        )
    if notice_due is not None and notice_due <= received_at:
        raise ValidationError(
            {"regulatory_due": _("The transfer notice's due date must be after receipt.")}
        )
    if handler is not None and not unit_members(customer.unit_id).filter(pk=handler.pk).exists():
        raise ValidationError(
            {"handler": _("The handler must be a member of the customer's unit.")}
        )


@transaction.atomic
def complaint_log(
    *,
    actor: User,
    customer,
    channel: str,
    received_at: datetime,
    complainant: str,
    content: str,
    category: ComplaintCategory,
    severity: str = Severity.NORMAL,
    contact_phone: str = "",
    demand: str = "",
    handler: User | None = None,
    acknowledged_on: date | None = None,
    recording=None,
    regulatory_due: datetime | None = None,
    waybills: Sequence[str] = (),
    form_token: uuid.UUID | None = None,
    responsible_outlet=None,
    origin_outlet=None,
    destination_outlet=None,
) -> Complaint:
    """Log a complaint (客户投诉记录表) with its number, its deadline (by the
    policy for its severity, category and customer grade), its regulatory due
    date (`regulatory_due`: a 12305 transfer notice's, else by the regulatory
    limit) and its waybill numbers (normalised; a repeat within 30 days is
    flagged). A resent form (same token) returns the complaint the first one
    logged."""
    if (first := first_by_token(Complaint, form_token)) is not None:
        return first
    _check_log(
        actor=actor,
        customer=customer,
        channel=channel,
        received_at=received_at,
        handler=handler,
        acknowledged_on=acknowledged_on,
        recording=recording,
        notice_due=regulatory_due,
    )
    outlets = {
        "responsible_outlet": responsible_outlet,
        "origin_outlet": origin_outlet,
        "destination_outlet": destination_outlet,
    }
    check_outlets(unit_id=customer.unit_id, outlets=outlets)
    if handler is None and actor.memberships.filter(unit_id=customer.unit_id).exists():
        handler = actor
    content_type = recording_validate(recording) if recording else ""

    due, source = complaint_regulatory_due(
        received_at=received_at, channel=channel, notice_due=regulatory_due
    )

    def create() -> Complaint:
        # The number is claimed here: a resent form racing the first claims none.
        complaint = Complaint(
            number=complaint_next_number(year=timezone.localdate().year),
            customer=customer,
            unit_id=customer.unit_id,
            channel=channel,
            received_at=received_at,
            received_by=actor,
            complainant=complainant,
            contact_phone=contact_phone,
            content=content,
            demand=demand,
            category=category,
            severity=severity,
            handler=handler or customer.visiting_person,
            deadline=complaint_deadline(
                received_at=received_at,
                severity=severity,
                category_id=category.pk,
                grade=customer.grade,
            ),
            regulatory_due=due,
            regulatory_source=source,
            acknowledged_on=acknowledged_on if channel == Channel.LETTER else None,
            status=Status.RECEIVED,
            form_token=form_token,
            **outlets,
        )
        complaint.save()
        event = _event(complaint, actor, ComplaintEvent.Kind.LOGGED, to_state=Status.RECEIVED)
        if waybills:
            complaint_waybills_attach(complaint=complaint, numbers=waybills)
        if recording:
            _store_recording(complaint, recording, content_type)
        _notify_handler_assigned(complaint, actor, event)
        return complaint

    return create_once(Complaint, form_token, create)[0]


def _store_recording(complaint: Complaint, upload, content_type: str) -> None:
    complaint.recording_content_type = content_type
    complaint.recording_size = upload.size
    # The name passed here is ignored by recording_upload_to (random name).
    complaint.recording.save("upload", upload, save=False)
    complaint.save(update_fields=["recording", "recording_content_type", "recording_size"])


@transaction.atomic
def complaint_attach_recording(*, complaint: Complaint, actor: User, recording) -> Complaint:
    """Attach (or replace) the phone recording."""
    _require(actor, "recording", complaint)
    try:
        rules.check("recording", status=complaint.status, severity=complaint.severity)
    except rules.IllegalTransition as exc:
        raise _illegal(complaint, exc.reason) from exc
    content_type = recording_validate(recording)
    old = complaint.recording.name
    _store_recording(complaint, recording, content_type)
    _event(complaint, actor, ComplaintEvent.Kind.RECORDING)
    if old:
        storage = complaint.recording.storage
        transaction.on_commit(lambda: storage.delete(old))
    return complaint


@transaction.atomic
def complaint_start_investigation(
    *, complaint: Complaint, actor: User, comment: str = ""
) -> Complaint:
    """received → investigating."""
    _move(complaint, actor, "start", comment=comment)
    return complaint


@transaction.atomic
def complaint_record_findings(
    *,
    complaint: Complaint,
    actor: User,
    cause: str,
    responsible_department: str,
    comment: str = "",
    major: bool = False,
    version: int | None = None,
    **outlets,
) -> Complaint:
    """Record the cause and the responsible department found so far (no status change),
    and the responsible, origin and destination outlets (`outlets`, those given).

    With `major`, the investigation found the matter serious: the complaint
    becomes major, so its solution needs a manager's approval (客户服务管理制度 第12条).
    It never goes back to normal, and its deadline stays the one promised.
    `version`: the complaint's version the form was loaded from; if someone
    saved its findings or solution since, StaleEdit and nothing changes.
    """
    fields: dict[str, Any] = {"cause": cause, "responsible_department": responsible_department}
    unknown = set(outlets) - set(OUTLET_FIELDS)
    if unknown:
        raise TypeError(f"unexpected arguments: {sorted(unknown)}")
    check_outlets(unit_id=complaint.unit_id, outlets=outlets, current=complaint)
    fields.update(outlets)
    raised = major and complaint.severity != Severity.MAJOR
    if raised:
        fields["severity"] = Severity.MAJOR
    text = comment or cause
    if raised:
        text = _("Marked major: the solution needs a manager's approval.") + "\n" + text
    _move(complaint, actor, "findings", comment=text, claim=True, version=version, **fields)
    return complaint


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, actor: User, handler: User, comment: str = ""
) -> Complaint:
    """Give the complaint to a member of its unit; they are notified."""
    if not unit_members(complaint.unit_id).filter(pk=handler.pk).exists():
        raise ValidationError(
            {"handler": _("The handler must be a member of the complaint's unit.")}
        )
    event = _move(
        complaint, actor, "assign", comment=comment or handler.get_full_name(), handler=handler
    )
    _notify_handler_assigned(complaint, actor, event)
    return complaint


@transaction.atomic
def complaint_propose(
    *,
    complaint: Complaint,
    actor: User,
    cause: str,
    responsible_department: str,
    solution: str,
    version: int | None = None,
) -> Complaint:
    """investigating / sent back → solution proposed (normal) or awaiting approval (major).
    `version` as in complaint_record_findings."""
    if not (cause.strip() and responsible_department.strip() and solution.strip()):
        raise ValidationError(_("Enter the cause, the responsible department and the solution."))
    now = timezone.now()
    event = _move(
        complaint,
        actor,
        "propose",
        comment=solution,
        claim=True,
        version=version,
        cause=cause,
        responsible_department=responsible_department,
        solution=solution,
        proposed_at=now,
        proposed_by=actor,
        approved_at=None,
        approved_by=None,
        approval_comment="",
    )
    if complaint.status == Status.AWAITING_APPROVAL:
        _notify_managers_approval(complaint, event)
    return complaint


def _notify_managers_approval(complaint: Complaint, event: ComplaintEvent) -> None:
    notify_each(
        unit_people(complaint.unit_id, Membership.Kind.MANAGER),
        kind="complaint_approval",
        text=lambda: (
            _("Major complaint %(number)s awaits your approval") % {"number": complaint.number},
            complaint.solution[:300],
        ),
        url=complaint.get_absolute_url(),
        dedupe_key=f"complaint:{complaint.pk}:approval:{event.pk}",
        email=True,
    )


@transaction.atomic
def complaint_approve(*, complaint: Complaint, actor: User, comment: str = "") -> Complaint:
    """awaiting approval → approved (a manager of the unit)."""
    _move(
        complaint,
        actor,
        "approve",
        comment=comment,
        approved_at=timezone.now(),
        approved_by=actor,
        approval_comment=comment,
    )
    return complaint


@transaction.atomic
def complaint_send_back(*, complaint: Complaint, actor: User, comment: str) -> Complaint:
    """awaiting approval → sent back, with the manager's reason; the proposer is told."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the solution is sent back.")})
    event = _move(complaint, actor, "send_back", comment=comment, approval_comment=comment)
    notify_each(
        {complaint.proposed_by, complaint.handler} - {None, actor},
        kind="complaint_sent_back",
        text=lambda: (
            _("The solution for complaint %(number)s was sent back") % {"number": complaint.number},
            comment,
        ),
        url=complaint.get_absolute_url(),
        dedupe_key=f"complaint:{complaint.pk}:sent_back:{event.pk}",
    )
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, actor: User, comment: str = "") -> Complaint:
    """solution proposed (normal) / approved (major) → resolved, once none of
    its claims is open (the row lock orders this against a claim being filed)."""
    Complaint.objects.select_for_update().filter(pk=complaint.pk).values_list("pk").first()
    if (refusal := open_claims_refusal(complaint)) is not None:
        raise refusal
    _move(
        complaint,
        actor,
        "resolve",
        comment=comment,
        resolved_at=timezone.now(),
        resolved_by=actor,
    )
    return complaint


def _means_label(means: str) -> str:
    return str(dict(Complaint._meta.get_field("notice_means").flatchoices).get(means, means))


@transaction.atomic
def complaint_notify_customer(
    *, complaint: Complaint, actor: User, notified_on: date, means: str, comment: str = ""
) -> Complaint:
    """resolved → customer notified: the answer went out on `notified_on` by
    `means` (by phone only for a general complaint: a major one's is written)."""
    if not rules.notice_means_allowed(means, severity=complaint.severity):
        raise ValidationError(
            {"means": _("A major complaint's outcome must be notified in writing.")}
        )
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": _("The notice date cannot be in the future.")})
    if notified_on < timezone.localtime(complaint.received_at).date():
        raise ValidationError(
            {"notified_on": _("The notice date cannot be before the complaint was received.")}
        )
    _move(
        complaint,
        actor,
        "notify",
        comment=comment or _means_label(means),
        notified_on=notified_on,
        notice_means=means,
        # The first notice is the one the regulator counts.
        regulatory_answered_on=Coalesce(
            F("regulatory_answered_on"), Value(notified_on, output_field=DateField())
        ),
    )
    return complaint


@transaction.atomic
def complaint_return_visit(
    *, complaint: Complaint, actor: User, satisfied: bool, note: str = ""
) -> Complaint:
    """customer notified → closed when satisfied; otherwise reopened with a new deadline."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "return_visit_at": now,
        "return_visit_by": actor,
        "satisfied": satisfied,
        "return_visit_note": note,
    }
    if satisfied:
        fields["closed_at"] = now
    else:
        # Reopened: the solution is to be worked again, under a fresh deadline
        # whose reminder and escalation fire anew.
        fields |= {
            "reopened_count": F("reopened_count") + 1,
            "deadline": complaint_deadline(
                received_at=now,
                severity=complaint.severity,
                category_id=complaint.category_id,
                grade=complaint.customer.grade,
            ),
            "reminded_at": None,
            "escalated_at": None,
            "resolved_at": None,
            "resolved_by": None,
            "proposed_at": None,
            "approved_at": None,
            "approved_by": None,
            "notified_on": None,
            "notice_means": "",
        }
    verdict = _("Customer satisfied.") if satisfied else _("Customer not satisfied.")
    # The return visit's own line comes first on the timeline, then the
    # closing or reopening; a refused move rolls both back.
    _event(
        complaint,
        actor,
        ComplaintEvent.Kind.RETURN_VISIT,
        comment=f"{verdict} {note}".strip(),
        at=now,
    )
    _move(complaint, actor, "return_visit", outcome=satisfied, at=now, **fields)
    return complaint
