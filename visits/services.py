"""Writes for visits and daily reports (keyword-only, one transaction).

Rules kept here:
- one daily report per user per day (unique constraint; opening twice finds it);
- an entry and its visit are created, changed and deleted together, and a
  contact logged directly earlier that day is adopted, not entered twice;
- resent POSTs: an entry or a directly logged contact carries the form's
  idempotency token (unique), so the second request finds the first's row;
- status changes go through the daily report workflow below
  (crm_site.core.workflow.transition): a conditional UPDATE, so a
  double-clicked submit or review changes the status once and writes one
  history row.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.core.idempotency import create_once, first_by_token
from crm_site.core.services import audit, in_language_of, notify
from crm_site.core.workflow import TransitionRefused, Workflow, transition
from customers.waybills.services import waybills_set

from .intelligence import entry_competitors_set
from .models import (
    DailyReport,
    DailyReportEntry,
    DailyReportEvent,
    EntryDraft,
    EntryFlag,
    Kind,
    Visit,
)
from .plans.services import planned_contacts_mark_done
from .queries import day_start
from .resubmission import entry_snapshot

if TYPE_CHECKING:
    from customers.models import Customer

TEXT_FIELDS = ("opinions", "market", "effect", "handling", "other")
DRAFT_FIELDS = (
    "customer",
    "kind",
    "time",
    *TEXT_FIELDS,
    "needs_escalation",
    "escalation_reason",
    "competitors",
    "waybills",
    "form_token",
)
DRAFT_MAX_CHARS = 10_000


@dataclass(frozen=True)
class EntryContent:
    """What an entry form carries, already validated."""

    customer: "Customer"
    kind: str
    occurred_at: datetime
    opinions: str = ""
    market: str = ""
    effect: str = ""
    handling: str = ""
    other: str = ""
    needs_escalation: bool = False
    escalation_reason: str = ""
    competitors: tuple[str, ...] = ()
    waybills: tuple[str, ...] = ()

    def text(self) -> dict:
        return {name: getattr(self, name) for name in TEXT_FIELDS} | {
            "needs_escalation": self.needs_escalation,
            "escalation_reason": self.escalation_reason if self.needs_escalation else "",
        }


# --- daily reports -----------------------------------------------------------

_S = DailyReport.Status
WORKFLOW = Workflow(
    states=_S.values,
    actions={
        "submit": ((_S.DRAFT,), _S.SUBMITTED, DailyReportEvent.Kind.SUBMITTED),
        "resubmit": ((_S.RETURNED,), _S.SUBMITTED, DailyReportEvent.Kind.RESUBMITTED),
        "review": ((_S.SUBMITTED,), _S.REVIEWED, DailyReportEvent.Kind.REVIEWED),
        "return": ((_S.SUBMITTED,), _S.RETURNED, DailyReportEvent.Kind.RETURNED),
    },
).bind(model=DailyReport, events=DailyReportEvent, subject="report")


def daily_report_open(*, user, day: date) -> tuple[DailyReport, bool]:
    """The user's report for `day`, created as a draft if there is none yet."""
    existing = DailyReport.objects.filter(user=user, date=day).first()
    if existing:
        return existing, False
    unit = user.primary_unit
    if unit is None:
        raise ValidationError(
            _("You do not belong to a service unit yet; ask an administrator to add you.")
        )
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(user=user, unit=unit, date=day)
            DailyReportEvent.objects.create(
                report=report, actor=user, kind=DailyReportEvent.Kind.CREATED
            )
    except IntegrityError:
        # Two tabs opened today's report at the same moment: the other one won.
        return DailyReport.objects.get(user=user, date=day), False
    return report, True


def _locked_editable(report: DailyReport, actor) -> DailyReport:
    """Lock the report row for the change and check the actor may still edit it."""
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    if report.user_id != actor.pk:
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s and can no longer be changed.")
            % {"status": report.get_status_display()}
        )
    return report


def _check_content(report: DailyReport, content: EntryContent, *, entry=None) -> None:
    if timezone.localtime(content.occurred_at).date() != report.date:
        raise ValidationError(
            {
                "time": _("The time must be on the day of the report (%(day)s).")
                % {"day": report.date}
            }
        )
    clash = DailyReportEntry.objects.filter(
        report=report, customer=content.customer, kind=content.kind
    )
    if entry is not None:
        clash = clash.exclude(pk=entry.pk)
    if clash.exists():
        raise ValidationError(
            {
                "customer": _(
                    "This report already has an entry for this customer and this kind of "
                    "contact; edit that entry instead."
                )
            }
        )


def _adoptable_visit(report: DailyReport, content: EntryContent) -> Visit | None:
    """A contact the user logged directly that day (e.g. "log a call"), not yet in a report."""
    start = day_start(report.date)
    end = day_start(date.fromordinal(report.date.toordinal() + 1))
    return (
        Visit.objects.select_for_update(of=("self",))
        .filter(
            user=report.user,
            customer=content.customer,
            kind=content.kind,
            source=Visit.Source.DIRECT,
            entry__isnull=True,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .order_by("occurred_at")
        .first()
    )


def daily_report_entry_create(
    *, report: DailyReport, actor, content: EntryContent, form_token: uuid.UUID
) -> tuple[DailyReportEntry, bool]:
    """File an entry and record its visit; a resent form returns the first entry."""
    try:
        with transaction.atomic():
            return _entry_create(report, actor, content, form_token)
    except IntegrityError:
        # A double click raced past the token check (no row lock on SQLite).
        existing = DailyReportEntry.objects.filter(form_token=form_token).first()
        if existing is None or existing.report_id != report.pk:
            raise
        return existing, False


def _entry_create(report, actor, content, form_token):
    report = _locked_editable(report, actor)
    existing = first_by_token(DailyReportEntry, form_token)
    if existing is not None:
        if existing.report_id != report.pk:
            raise PermissionDenied
        return existing, False
    _check_content(report, content)
    visit = _adoptable_visit(report, content) or Visit(user=report.user)
    visit.source = Visit.Source.ENTRY
    visit.customer = content.customer
    visit.unit_id = content.customer.unit_id
    visit.kind = content.kind
    visit.occurred_at = content.occurred_at
    visit.save()
    entry = DailyReportEntry.objects.create(
        report=report,
        customer=content.customer,
        kind=content.kind,
        occurred_at=content.occurred_at,
        visit=visit,
        form_token=form_token,
        **content.text(),
    )
    entry_competitors_set(entry=entry, names=content.competitors, actor=actor)
    waybills_set(record=entry, numbers=content.waybills)
    # A contact on the person's calendar for this customer and day is now done.
    planned_contacts_mark_done(visit=visit, actor=actor)
    EntryDraft.objects.filter(report=report, entry=None, data__form_token=str(form_token)).delete()
    return entry, True


@transaction.atomic
def daily_report_entry_update(
    *, entry: DailyReportEntry, actor, content: EntryContent
) -> DailyReportEntry:
    """Change an entry and the visit it recorded (never a second visit)."""
    report = _locked_editable(entry.report, actor)
    _check_content(report, content, entry=entry)
    entry.customer = content.customer
    entry.kind = content.kind
    entry.occurred_at = content.occurred_at
    for name, value in content.text().items():
        setattr(entry, name, value)
    entry.save()
    entry_competitors_set(entry=entry, names=content.competitors, actor=actor)
    waybills_set(record=entry, numbers=content.waybills)
    Visit.objects.filter(pk=entry.visit_id).update(
        customer=content.customer,
        unit_id=content.customer.unit_id,
        kind=content.kind,
        occurred_at=content.occurred_at,
    )
    EntryDraft.objects.filter(entry=entry).delete()
    return entry


@transaction.atomic
def daily_report_entry_delete(*, entry: DailyReportEntry, actor) -> None:
    """Delete an entry and the visit it recorded."""
    _locked_editable(entry.report, actor)
    visit_id = entry.visit_id
    audit(
        actor=actor,
        action="visits.entry_delete",
        obj=entry,
        summary=f"{entry.report.date:%Y-%m-%d} #{entry.pk}",
        data={"report": entry.report_id, "customer": entry.customer_id, "visit": visit_id},
    )
    entry.delete()
    Visit.objects.filter(pk=visit_id).delete()


@transaction.atomic
def daily_report_save_note(*, report: DailyReport, actor, note: str) -> DailyReport:
    report = _locked_editable(report, actor)
    report.note = note
    report.save(update_fields=["note", "updated_at"])
    return report


def daily_report_submit(*, report: DailyReport, actor, note: str | None = None) -> bool:
    """draft or returned → submitted. False if it was already submitted (double click)."""
    if report.user_id != actor.pk:
        raise PermissionDenied
    if note is not None:
        # Saved first, on its own: a refused submit must not lose what was typed.
        DailyReport.objects.filter(pk=report.pk, status__in=DailyReport.EDITABLE).update(
            note=note, updated_at=timezone.now()
        )
    with transaction.atomic():
        current = DailyReport.objects.filter(pk=report.pk).values_list("status", flat=True).get()
        if current not in DailyReport.SUBMITTABLE:
            return False
        has_content = (
            report.entries.exists()
            or DailyReport.objects.filter(pk=report.pk).exclude(note="").exists()
        )
        if not has_content:
            raise ValidationError(
                _(
                    "Add at least one customer contact, or write in the remarks why there "
                    "was none today."
                )
            )
        now = timezone.now()
        action = "resubmit" if current == DailyReport.Status.RETURNED else "submit"
        try:
            # The conditional UPDATE is the guard: only one request moves the status.
            transition(
                report, action, actor=actor, workflow=WORKFLOW, submitted_at=now, updated_at=now
            )
        except TransitionRefused:
            return False
        if action == "resubmit":
            # The reviewer's "needs changes" marks were answered by this resubmission.
            _flags_resolve(report, now)
    return True


def _flags_resolve(report: DailyReport, now) -> int:
    return EntryFlag.objects.open().filter(entry__report=report).update(resolved_at=now)


def _review(*, report: DailyReport, actor, action: str, comment: str) -> bool:
    if report.user_id == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        data: dict[str, Any] = {}
        if action == "return":
            # What the entries said when returned: the resubmission is compared with it.
            data["entries"] = {
                str(entry.pk): entry_snapshot(entry) for entry in report.entries.all()
            }
            data["flagged"] = sorted(
                EntryFlag.objects.open()
                .filter(entry__report=report)
                .values_list("entry_id", flat=True)
            )
        try:
            event = transition(
                report,
                action,
                actor=actor,
                workflow=WORKFLOW,
                event={"comment": comment, "data": data},
                reviewed_by=actor,
                reviewed_at=now,
                review_comment=comment,
                updated_at=now,
            )
        except TransitionRefused:
            return False
        if action == "return":
            _notify_returned(report, event)
        else:
            _flags_resolve(report, now)
    return True


@transaction.atomic
def entry_flag_set(*, entry: DailyReportEntry, actor, comment: str) -> EntryFlag | None:
    """Mark one entry of a report under review "needs changes" with the
    reviewer's comment (replacing their earlier one); an empty comment takes
    the mark off. Returns the open flag, or None when there is none."""
    report = DailyReport.objects.select_for_update().get(pk=entry.report_id)
    if report.user_id == actor.pk:
        raise PermissionDenied
    if report.status != DailyReport.Status.SUBMITTED:
        raise ValidationError(_("Only the entries of a report awaiting review can be marked."))
    comment = comment.strip()
    flag = EntryFlag.objects.open().filter(entry=entry).first()
    if not comment:
        if flag is not None:
            flag.delete()
        return None
    if flag is None:
        flag = EntryFlag.objects.create(entry=entry, comment=comment, by=actor)
    else:
        flag.comment, flag.by = comment, actor
        flag.save(update_fields=["comment", "by"])
    DailyReportEvent.objects.create(
        report=report,
        actor=actor,
        kind=DailyReportEvent.Kind.ENTRY_FLAGGED,
        comment=comment,
        data={"entry": entry.pk},
    )
    return flag


def _notify_returned(report: DailyReport, event: DailyReportEvent) -> None:
    owner = report.user
    with in_language_of(owner):
        title = _("Your daily report for %(day)s was returned") % {"day": report.date}
    notify(
        recipient=owner,
        kind="visits.report_returned",
        title=title,
        body=event.comment,
        url=report.get_absolute_url(),
        dedupe_key=f"visits.report_returned:{event.pk}",
    )


def daily_report_review(*, report: DailyReport, actor, comment: str = "") -> bool:
    """submitted → reviewed (read-only from now on). False if no longer awaiting review."""
    return _review(
        report=report,
        actor=actor,
        action="review",
        comment=comment.strip(),
    )


def daily_report_return(*, report: DailyReport, actor, comment: str) -> bool:
    """submitted → returned with a comment; the staff member corrects and resubmits."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs to change when you return a report.")})
    return _review(
        report=report,
        actor=actor,
        action="return",
        comment=comment,
    )


# --- autosaved drafts --------------------------------------------------------


def entry_draft_save(
    *, report: DailyReport, actor, data: dict, entry: DailyReportEntry | None = None
) -> EntryDraft | None:
    """Keep what the user typed so far (autosave). None when there is nothing to keep.

    A late autosave of a form that was already saved (same token) is dropped,
    so a saved entry never comes back as a draft.
    """
    if report.user_id != actor.pk:
        raise PermissionDenied
    if not report.is_editable:
        return None
    clean = {
        name: str(data.get(name, ""))[:DRAFT_MAX_CHARS] for name in DRAFT_FIELDS if name in data
    }
    token = clean.get("form_token", "")
    if entry is None and token:
        try:
            if DailyReportEntry.objects.filter(form_token=uuid.UUID(token)).exists():
                return None
        except ValueError:
            clean.pop("form_token")
    with transaction.atomic():
        draft, _created = EntryDraft.objects.select_for_update().get_or_create(
            report=report, entry=entry, defaults={"data": clean}
        )
        if not _created:
            draft.data = clean
            draft.save(update_fields=["data", "updated_at"])
    return draft


def entry_draft_discard(*, report: DailyReport, actor, entry=None) -> int:
    if report.user_id != actor.pk:
        raise PermissionDenied
    return EntryDraft.objects.filter(report=report, entry=entry).delete()[0]


# --- contacts logged directly ------------------------------------------------


def visit_log(
    *,
    customer,
    user,
    kind: str = Kind.CALL,
    occurred_at: datetime | None = None,
    note: str = "",
    form_token: uuid.UUID | None = None,
) -> tuple[Visit, bool]:
    """Record a contact outside a report ("log a call"); a resent POST finds the
    first. A planned contact of that kind, customer and day turns done."""

    def create() -> Visit:
        visit = Visit.objects.create(
            customer=customer,
            user=user,
            unit_id=customer.unit_id,
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            source=Visit.Source.DIRECT,
            note=note[:200],
            form_token=form_token,
        )
        planned_contacts_mark_done(visit=visit, actor=user)
        return visit

    return create_once(Visit, form_token, create)
