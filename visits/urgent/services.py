"""Writes for urgent reports (巡访紧急报告): raise, acknowledge, comment,
reassign, resolve, take over a report stuck in routing. Routing and escalation run in the background
(visits/urgent/routing.py).

Every action takes the acting user, checks what they may do (an illegal step
raises ValidationError with a message saying why), and applies the urgent
report workflow (crm_site.core.workflow.transition): one transaction, a
conditional UPDATE on the expected status and the UrgentReportEvent with it.
A double submit changes it once and returns False the second time. Raising and commenting carry a form token (unique), so a resent
POST finds the first row.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, Role, ServiceUnit, User
from crm_site.core.idempotency import create_once
from crm_site.core.jobs import send_on_commit
from crm_site.core.services import notify_each, work_calendar
from crm_site.core.workflow import TransitionRefused, transition
from customers.waybills.services import waybills_set
from visits.models import DailyReportEntry, UrgentReport, UrgentReportEvent
from visits.urgent import permissions as urgent_permissions
from visits.urgent import rules as urgent_rules
from visits.urgent import tasks
from visits.urgent.routing import WORKFLOW, all_managers, notify_assigned

Status = UrgentReport.Status
Kind = UrgentReportEvent.Kind


def urgent_ack_deadline(raised_at: datetime) -> datetime:
    """The deadline to acknowledge a report raised at `raised_at`
    (URGENT_ACK_WORKING_HOURS working hours, Asia/Shanghai local time)."""
    local = timezone.localtime(raised_at)
    calendar = work_calendar(local.date(), None)
    return urgent_rules.ack_deadline(
        local, hours=settings.URGENT_ACK_WORKING_HOURS, calendar=calendar
    )


def _check_raise(*, actor, unit, customer, source_entry) -> None:
    if not urgent_permissions.may_raise(actor):
        raise ValidationError(_("Only supervisors and managers raise urgent reports."))
    if not urgent_permissions.raise_units(actor).filter(pk=unit.pk).exists():
        raise ValidationError(_("You cannot raise an urgent report for this unit."))
    if customer is not None and customer.unit_id != unit.pk:
        raise ValidationError(
            {"customer": _("This customer belongs to another unit than the report.")}
        )
    if source_entry is not None and source_entry.report.unit_id != unit.pk:
        raise ValidationError(_("The daily report entry belongs to another unit."))


def urgent_report_raise(
    *,
    actor: User,
    unit: ServiceUnit,
    category: str,
    title: str,
    details: str,
    proposal: str = "",
    customer=None,
    source_entry: DailyReportEntry | None = None,
    waybills: Sequence[str] = (),
    form_token: uuid.UUID | None = None,
) -> tuple[UrgentReport, bool]:
    """Record a report as pending, with the waybill numbers it names, and send
    it for routing after commit.

    Returns (report, created); a resent form (same token) returns the first
    report and created=False. If the broker is down the report stays pending
    and the sweeper routes it.
    """
    _check_raise(actor=actor, unit=unit, customer=customer, source_entry=source_entry)
    now = timezone.now()

    def create() -> UrgentReport:
        report = UrgentReport.objects.create(
            unit=unit,
            raised_by=actor,
            source_entry=source_entry,
            customer=customer,
            category=category,
            title=title.strip(),
            details=details.strip(),
            proposal=proposal.strip(),
            status=Status.PENDING,
            ack_deadline=urgent_ack_deadline(now),
            form_token=form_token,
        )
        UrgentReportEvent.objects.create(
            report=report,
            actor=actor,
            kind=Kind.RAISED,
            to_state=Status.PENDING,
            data={"source_entry": source_entry.pk if source_entry else None},
        )
        if waybills:
            waybills_set(record=report, numbers=waybills)
        return report

    report, created = create_once(UrgentReport, form_token, create)
    if created:
        send_on_commit(tasks.urgent_report_route, report.pk)
    return report, created


def _status_message(report: UrgentReport) -> str:
    return _("This urgent report is %(status)s.") % {"status": report.get_status_display()}


def urgent_report_acknowledge(
    *, report: UrgentReport, actor: User, comment: str = "", now: datetime | None = None
) -> bool:
    """The assigned manager takes the report in hand; the raiser is told."""
    if report.status == Status.ACKNOWLEDGED and urgent_permissions.is_assignee(actor, report):
        return False
    if not urgent_permissions.is_assignee(actor, report):
        raise ValidationError(_("Only the manager it is assigned to can acknowledge it."))
    if report.status != Status.ROUTED:
        raise ValidationError(_status_message(report))
    now = now or timezone.now()
    with transaction.atomic():
        try:
            transition(
                report,
                "acknowledge",
                actor=actor,
                workflow=WORKFLOW,
                where={"assignee": actor},
                event={"comment": comment.strip()},
                acknowledged_at=now,
                updated_at=now,
            )
        except TransitionRefused:
            return False
        _tell_raiser_acknowledged(report, actor)
    return True


def urgent_report_resolve(
    *, report: UrgentReport, actor: User, resolution: str, now: datetime | None = None
) -> bool:
    """The assigned manager closes the report with a written resolution."""
    resolution = (resolution or "").strip()
    if report.status == Status.RESOLVED and urgent_permissions.is_assignee(actor, report):
        return False
    if not urgent_permissions.is_assignee(actor, report):
        raise ValidationError(_("Only the manager it is assigned to can resolve it."))
    if report.status not in UrgentReport.WORKABLE:
        raise ValidationError(_status_message(report))
    if not resolution:
        raise ValidationError({"resolution": _("Write down how the matter was resolved.")})
    now = now or timezone.now()
    with transaction.atomic():
        try:
            transition(
                report,
                "resolve",
                actor=actor,
                workflow=WORKFLOW,
                where={"assignee": actor},
                event={"comment": resolution},
                resolution=resolution,
                resolved_at=now,
                # Resolving straight away also takes it in hand: no escalation after.
                acknowledged_at=Coalesce(F("acknowledged_at"), now),
                updated_at=now,
            )
        except TransitionRefused:
            return False
        _tell_raiser(
            report,
            kind="urgent_resolved",
            title=lambda: _("Your urgent report was resolved: %(title)s") % {"title": report.title},
            body=lambda: (
                _("%(manager)s: %(resolution)s")
                % {"manager": actor.get_full_name(), "resolution": resolution[:300]}
            ),
            dedupe_key=f"urgent:{report.pk}:resolved",
        )
    return True


def urgent_report_comment(
    *, report: UrgentReport, actor: User, comment: str, token: uuid.UUID | None = None
) -> bool:
    """Add a comment to the timeline; the assignee and the raiser are told
    (in the app). A resent form (same token) adds nothing."""
    comment = (comment or "").strip()
    if not urgent_permissions.may_comment(actor, report):
        raise ValidationError(_status_message(report))
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})

    def create() -> UrgentReportEvent:
        event = UrgentReportEvent.objects.create(
            report=report, actor=actor, kind=Kind.COMMENTED, comment=comment, token=token
        )
        notify_each(
            {report.assignee, report.raised_by} - {None, actor},
            kind="urgent_comment",
            text=lambda: (
                _("New comment on urgent report: %(title)s") % {"title": report.title},
                _("%(author)s: %(comment)s")
                % {"author": actor.get_full_name(), "comment": comment[:300]},
            ),
            url=report.get_absolute_url(),
            dedupe_key=f"urgent:{report.pk}:comment:{event.pk}",
        )
        return event

    _event, created = create_once(UrgentReportEvent, token, create, field="token")
    return created


def reassign_candidates(report: UrgentReport, *, include_current: bool = False):
    """Active managers the report may go to: the unit's own managers first."""
    of_unit = Membership.objects.filter(
        user=OuterRef("pk"), unit_id=report.unit_id, kind=Membership.Kind.MANAGER
    )
    managers = all_managers()
    if not include_current:
        managers = managers.exclude(pk=report.assignee_id)
    return managers.annotate(in_unit=Exists(of_unit)).order_by("-in_unit", "full_name", "username")


def urgent_report_reassign(
    *, report: UrgentReport, actor: User, to: User, reason: str, now: datetime | None = None
) -> bool:
    """Hand the report to another manager with a reason; they are notified.
    The status and the deadline to acknowledge stay as they are."""
    reason = (reason or "").strip()
    if report.assignee_id == to.pk:
        return False
    if not urgent_permissions.may_reassign(actor, report):
        if report.status not in UrgentReport.WORKABLE:
            raise ValidationError(_status_message(report))
        raise ValidationError(
            _(
                "Only the assigned manager, a manager of the unit or an administrator can reassign it."
            )
        )
    if not (to.is_active and to.has_role(Role.MANAGER)):
        raise ValidationError({"to": _("Choose an active manager.")})
    if not reason:
        raise ValidationError({"reason": _("Say why it goes to another manager.")})
    previous = report.assignee
    now = now or timezone.now()
    with transaction.atomic():
        try:
            event = transition(
                report,
                "reassign",
                actor=actor,
                workflow=WORKFLOW,
                where={"assignee_id": report.assignee_id},
                event={
                    "comment": reason,
                    "data": {
                        "from": previous.pk if previous else None,
                        "from_name": previous.get_full_name() if previous else "",
                        "to": to.pk,
                        "to_name": to.get_full_name(),
                    },
                },
                assignee=to,
                updated_at=now,
            )
        except TransitionRefused:
            return False
        notify_assigned(report, to, dedupe_key=f"urgent:{report.pk}:reassigned:{event.pk}")
    return True


def urgent_report_take_over(
    *, report: UrgentReport, actor: User, comment: str = "", now: datetime | None = None
) -> bool:
    """A manager of the unit takes a report still waiting to be routed: it is
    assigned to them and acknowledged at once; the raiser is told. If routing
    got there first, nothing changes (False)."""
    if report.status != Status.PENDING and report.assignee_id == actor.pk:
        return False
    if not urgent_permissions.may_take_over(actor, report):
        if report.status != Status.PENDING:
            raise ValidationError(_status_message(report))
        raise ValidationError(_("Only a manager of the unit can take this urgent report over."))
    now = now or timezone.now()
    with transaction.atomic():
        try:
            transition(
                report,
                "take_over",
                actor=actor,
                workflow=WORKFLOW,
                where={"assignee": None},
                event={"comment": comment.strip(), "data": {"assignee": actor.pk}},
                assignee=actor,
                routed_at=now,
                acknowledged_at=now,
                updated_at=now,
            )
        except TransitionRefused:
            return False
        _tell_raiser_acknowledged(report, actor)
    return True


def _tell_raiser_acknowledged(report: UrgentReport, manager: User) -> None:
    """The raiser learns that `manager` has taken the report in hand (by
    acknowledging it, or by taking it over before routing): once per report."""
    _tell_raiser(
        report,
        kind="urgent_acknowledged",
        title=lambda: _("Your urgent report was acknowledged: %(title)s") % {"title": report.title},
        body=lambda: _("%(manager)s has taken it in hand.") % {"manager": manager.get_full_name()},
        dedupe_key=f"urgent:{report.pk}:acknowledged",
    )


def _tell_raiser(report: UrgentReport, *, kind: str, title, body, dedupe_key: str) -> None:
    """Notify the supervisor who raised the report (in their language, and by e-mail)."""
    raiser = report.raised_by
    if not raiser.is_active:
        return
    notify_each(
        [raiser],
        kind=kind,
        text=lambda: (str(title()), str(body())),
        url=report.get_absolute_url(),
        dedupe_key=dedupe_key,
        email=True,
    )
