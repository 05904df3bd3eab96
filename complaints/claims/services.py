"""Filing a claim and every step of it: the loss assessment, the approval,
the payout or the refusal, and the evidence.

Each service takes the acting user, runs in one transaction and moves the
state through rules.WORKFLOW with crm_site.core.workflow.transition (a
conditional UPDATE: a double submit moves it once), writing the ClaimEvent
with it. Amounts are Decimals to the cent.
"""

import os
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, User
from crm_site.accounts.selectors import unit_people
from crm_site.core.idempotency import create_once, first_by_token
from crm_site.core.services import notify_each
from crm_site.core.workflow import transition

from ..models import OPEN_STATUSES, Complaint
from . import permissions, rules
from .models import Claim, ClaimEvent, ClaimEvidence, ClaimState


def _refused(claim: Claim, action: str) -> str:
    return _("This claim is now “%(state)s”.") % {"state": claim.get_state_display()}


def _changed(claim: Claim) -> str:
    return _(
        "Someone has just changed this claim (it is now “%(state)s”). "
        "Nothing was saved twice; check the timeline."
    ) % {"state": claim.get_state_display()}


WORKFLOW = rules.WORKFLOW.bind(
    model=Claim,
    events=ClaimEvent,
    subject="claim",
    state_field="state",
    refused=_refused,
    changed=_changed,
)


def _require(actor, action: str, claim: Claim) -> None:
    if permissions.may(actor, action, claim):
        return
    if action in ("approve", "reject") and permissions.is_own_claim(actor, claim):
        raise PermissionDenied(_("Nobody approves or rejects a claim they filed or assessed."))
    if action in ("approve", "reject") and permissions.level_needed(claim) == rules.MANAGER:
        raise PermissionDenied(
            _("This amount is above the unit's threshold: a manager of the unit approves it.")
        )
    raise PermissionDenied(_("Your role does not allow this on this claim."))


def _amount(value, field: str) -> Decimal:
    if value is None:
        raise ValidationError({field: _("Enter an amount.")})
    amount = rules.to_cents(value)
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    return amount


# --- evidence ------------------------------------------------------------------


def evidence_validate(upload) -> str:
    """The detected type of a photo or receipt, or ValidationError.

    As for a complaint's recording: the size is capped, and the extension, the
    declared type and the file's first bytes must agree.
    """
    limit_mb = rules.MAX_EVIDENCE_BYTES // (1024 * 1024)
    if upload.size > rules.MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "evidence": _("%(name)s is %(size).1f MB; a file may be at most %(limit)d MB.")
                % {"name": upload.name, "size": upload.size / (1024 * 1024), "limit": limit_mb}
            }
        )
    ext = os.path.splitext(os.path.basename(upload.name or ""))[1].lower()
    allowed = ", ".join(sorted(e.lstrip(".") for e in rules.ALLOWED_EXTENSIONS))
    if ext not in rules.ALLOWED_EXTENSIONS or not rules.declared_type_is_evidence(
        getattr(upload, "content_type", "")
    ):
        raise ValidationError(
            {
                "evidence": _("%(name)s: only photos and PDF receipts can be attached (%(types)s).")
                % {"name": upload.name, "types": allowed}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    detected = rules.sniff_evidence(head)
    if detected is None or detected not in rules.ALLOWED_EXTENSIONS[ext]:
        raise ValidationError(
            {
                "evidence": _("%(name)s is not a file of the type its name says (%(ext)s).")
                % {"name": upload.name, "ext": ext.lstrip(".")}
            }
        )
    return detected


def _store_evidence(claim: Claim, actor, uploads, checked: list[str]) -> list[ClaimEvidence]:
    stored = []
    for upload, content_type in zip(uploads, checked, strict=True):
        item = ClaimEvidence(
            claim=claim,
            name=os.path.basename(upload.name or "")[:200] or "file",
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        # The name passed here is ignored by evidence_upload_to (random name).
        item.file.save("upload", upload, save=False)
        item.save()
        stored.append(item)
    return stored


def _check_uploads(claim_count: int, uploads) -> list[str]:
    if claim_count + len(uploads) > rules.MAX_EVIDENCE_FILES:
        raise ValidationError(
            {
                "evidence": _("A claim keeps at most %(n)d evidence files.")
                % {"n": rules.MAX_EVIDENCE_FILES}
            }
        )
    return [evidence_validate(upload) for upload in uploads]


# --- filing --------------------------------------------------------------------


def _check_create(*, actor, complaint: Complaint, waybills, amount_claimed) -> None:
    if not Complaint.objects.visible_to(actor).filter(pk=complaint.pk).exists():
        raise PermissionDenied(_("This complaint is not among yours."))
    if not permissions.may_create(actor, complaint):
        raise PermissionDenied(_("Your role does not allow filing a claim on this complaint."))
    if complaint.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A claim can be filed only while its complaint is open (it is now “%(status)s”).")
            % {"status": complaint.get_status_display()}
        )
    own = set(complaint.waybills.values_list("pk", flat=True))
    if any(w.pk not in own for w in waybills):
        raise ValidationError({"waybills": _("Pick waybills of this complaint only.")})
    if amount_claimed is not None and rules.to_cents(amount_claimed) <= 0:
        raise ValidationError({"amount_claimed": _("The amount claimed must be above zero.")})


@transaction.atomic
def claim_create(
    *,
    actor: User,
    complaint: Complaint,
    kind: str,
    amount_claimed: Decimal,
    declared_value: Decimal | None = None,
    insured: bool = False,
    description: str = "",
    waybills=(),
    files=(),
    form_token: uuid.UUID | None = None,
) -> Claim:
    """File a claim (受理) on `complaint`. A resent form (same token) returns the
    claim the first one filed."""
    if (first := first_by_token(Claim, form_token)) is not None:
        return first
    waybills = list(waybills)
    _check_create(
        actor=actor, complaint=complaint, waybills=waybills, amount_claimed=amount_claimed
    )
    claimed = _amount(amount_claimed, "amount_claimed")
    declared = None if declared_value is None else _amount(declared_value, "declared_value")
    uploads = list(files)
    checked = _check_uploads(0, uploads)

    def create() -> Claim:
        # The complaint's row lock numbers its claims one after another, and
        # keeps its resolution (which checks for open claims) from slipping in.
        status = (
            Complaint.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=complaint.pk)
        )
        if status not in OPEN_STATUSES:
            complaint.status = status
            _check_create(actor=actor, complaint=complaint, waybills=[], amount_claimed=None)
        last = complaint.claims.aggregate(last=Max("seq"))["last"] or 0
        claim = Claim.objects.create(
            complaint=complaint,
            seq=last + 1,
            unit_id=complaint.unit_id,
            kind=kind,
            amount_claimed=claimed,
            declared_value=declared,
            insured=insured,
            description=description,
            state=ClaimState.ACCEPTED,
            logged_by=actor,
            form_token=form_token,
        )
        claim.waybills.set(waybills)
        ClaimEvent.objects.create(
            claim=claim,
            actor=actor,
            kind=ClaimEvent.Kind.LOGGED,
            to_state=ClaimState.ACCEPTED,
            comment=description,
            data={"amount_claimed": str(claimed)},
        )
        _store_evidence(claim, actor, uploads, checked)
        return claim

    return create_once(Claim, form_token, create)[0]


# --- the steps -----------------------------------------------------------------


@transaction.atomic
def claim_assess(*, claim: Claim, actor: User, assessed_amount: Decimal, note: str = "") -> Claim:
    """受理 → 定损: the loss as assessed (an assessment may be corrected before approval)."""
    _require(actor, "assess", claim)
    amount = _amount(assessed_amount, "assessed_amount")
    if amount > claim.amount_claimed:
        raise ValidationError(
            {"assessed_amount": _("The assessed amount cannot exceed the amount claimed.")}
        )
    transition(
        claim,
        "assess",
        actor=actor,
        workflow=WORKFLOW,
        event={"comment": note, "data": {"assessed_amount": str(amount)}},
        assessed_amount=amount,
        assessment_note=note,
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    kinds = [Membership.Kind.MANAGER]
    if permissions.level_needed(claim) == rules.SUPERVISOR:
        kinds.append(Membership.Kind.SUPERVISOR)
    people = unit_people(claim.unit_id, *kinds).exclude(pk__in=[actor.pk, claim.logged_by_id])
    _notify(claim, people, "claim_approval")
    return claim


def _notify(claim: Claim, people, kind: str) -> None:
    notify_each(
        list(people),
        kind=kind,
        text=lambda: (
            _("Claim %(number)s (¥%(amount)s) awaits your approval")
            % {"number": claim.number, "amount": claim.amount_to_approve},
            claim.assessment_note[:300],
        ),
        url=claim.get_absolute_url(),
        dedupe_key=f"claim:{claim.pk}:{kind}:{claim.assessed_at:%Y%m%d%H%M%S%f}",
    )


@transaction.atomic
def claim_approve(*, claim: Claim, actor: User, comment: str = "") -> Claim:
    """定损 → 审批通过: by a supervisor (up to the unit's threshold) or a manager
    (above it), never by the one who filed or assessed the claim."""
    _require(actor, "approve", claim)
    level = permissions.level_needed(claim)
    transition(
        claim,
        "approve",
        actor=actor,
        workflow=WORKFLOW,
        # The amount approved is the one the approver saw.
        where={"assessed_amount": claim.assessed_amount},
        event={"comment": comment, "data": {"level": level}},
        approved_by=actor,
        approved_at=timezone.now(),
        approval_level=level,
    )
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    """受理 / 定损 → 拒赔, with the reason (an approver's decision)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    _require(actor, "reject", claim)
    transition(
        claim,
        "reject",
        actor=actor,
        workflow=WORKFLOW,
        event={"comment": reason},
        rejection_reason=reason,
        rejected_by=actor,
        rejected_at=timezone.now(),
    )
    return claim


@transaction.atomic
def claim_pay(
    *,
    claim: Claim,
    actor: User,
    paid_amount: Decimal,
    paid_on: date,
    reference: str = "",
) -> Claim:
    """审批 → 赔付: the amount paid (at most the approved amount) and the day."""
    _require(actor, "pay", claim)
    amount = _amount(paid_amount, "paid_amount")
    if claim.assessed_amount is not None and amount > claim.assessed_amount:
        raise ValidationError({"paid_amount": _("The payout cannot exceed the approved amount.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payout date cannot be in the future.")})
    transition(
        claim,
        "pay",
        actor=actor,
        workflow=WORKFLOW,
        event={"comment": reference, "data": {"paid_amount": str(amount)}},
        paid_amount=amount,
        paid_on=paid_on,
        payment_reference=reference,
        paid_by=actor,
        paid_at=timezone.now(),
    )
    return claim


@transaction.atomic
def claim_add_evidence(*, claim: Claim, actor: User, files) -> Claim:
    """Attach photos or receipts to an open claim."""
    _require(actor, "evidence", claim)
    uploads = list(files)
    if not uploads:
        raise ValidationError({"evidence": _("Choose at least one file.")})
    checked = _check_uploads(claim.evidence.count(), uploads)
    transition(
        claim,
        "evidence",
        actor=actor,
        workflow=WORKFLOW,
        event={"comment": ", ".join(os.path.basename(u.name or "") for u in uploads)[:500]},
    )
    _store_evidence(claim, actor, uploads, checked)
    return claim


# --- the complaint's side -----------------------------------------------------------


def open_claims_refusal(complaint: Complaint) -> ValidationError | None:
    """The refusal to record a complaint's resolution while one of its claims is open."""
    numbers = [
        f"{complaint.number}-L{seq}"
        for seq in complaint.claims.open().order_by("seq").values_list("seq", flat=True)
    ]
    if not numbers:
        return None
    return ValidationError(
        {
            "__all__": _(
                "Claim %(numbers)s of this complaint is still open: it must be paid or "
                "rejected before the complaint's resolution is recorded."
            )
            % {"numbers": "、".join(numbers)}
        }
    )
