"""Demo claims (理赔): every state in both units, amounts above and below the
manager's approval threshold, filed on the demo's open complaints.

Idempotent: a claim already present for a unit (same description) is left
alone. Claims go through the services (filed by whoever logged the
complaint, approved by the unit's supervisor or manager as the amount needs).
Uses the open complaints crm_site.devtools.demo.complaints made; none, nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from complaints.claims import permissions, services
from complaints.claims.models import Claim
from complaints.models import Complaint
from crm_site.accounts.models import Membership, ServiceUnit, User


@dataclass(frozen=True)
class Plan:
    description: str
    kind: str
    claimed: str
    until: str  # accepted, assessed, approved, paid, rejected
    assessed: str | None = None
    insured: bool = False
    paid_days_ago: int = 0


PLANS = [
    Plan("两件包裹在分拨中心遗失，客户要求按申报价值赔偿。", "lost", "800.00", "accepted"),
    Plan(
        "整批家电外包装破损，三台外壳凹陷，客户已提供照片。",
        "damaged",
        "12000.00",
        "assessed",
        assessed="9600.00",
        insured=True,
    ),
    Plan("生鲜件延误两天送达，部分变质。", "delayed", "300.00", "assessed", assessed="200.00"),
    Plan("到货短少一箱配件，签收单已注明。", "short", "1500.00", "approved", assessed="1500.00"),
    Plan(
        "保价精密仪器运输途中丢失。",
        "lost",
        "6800.00",
        "paid",
        assessed="6500.00",
        insured=True,
        paid_days_ago=35,
    ),
    Plan(
        "样品外箱破损，内件轻微划痕。",
        "damaged",
        "420.50",
        "paid",
        assessed="420.50",
        paid_days_ago=3,
    ),
    Plan("客户称货物短少，经核实签收时件数无误。", "other", "2000.00", "rejected"),
]
STEPS = ["accepted", "assessed", "approved", "paid"]


def _lead(unit, kind):
    return (
        User.objects.filter(memberships__unit=unit, memberships__kind=kind, is_active=True)
        .order_by("username")
        .first()
    )


def _advance(claim: Claim, plan: Plan, supervisor, manager) -> None:
    filer = claim.logged_by
    if plan.until == "rejected":
        services.claim_reject(claim=claim, actor=supervisor, reason=plan.description)
        return
    target = STEPS.index(plan.until)
    if target >= 1:
        services.claim_assess(
            claim=claim, actor=filer, assessed_amount=Decimal(plan.assessed or plan.claimed)
        )
    if target >= 2:
        approver = manager if permissions.level_needed(claim) == "manager" else supervisor
        services.claim_approve(claim=claim, actor=approver, comment="同意按定损金额赔付。")
    if target >= 3:
        services.claim_pay(
            claim=claim,
            actor=supervisor,
            paid_amount=claim.assessed_amount,
            paid_on=timezone.localdate() - timedelta(days=plan.paid_days_ago),
            reference=f"PAY-{claim.number}",
        )


def seed(out) -> None:
    created = existing = 0
    for unit in ServiceUnit.objects.filter(code__in=["1", "2"]).order_by("code"):
        complaints = list(Complaint.objects.filter(unit=unit).open().order_by("received_at", "pk"))
        supervisor = _lead(unit, Membership.Kind.SUPERVISOR)
        manager = _lead(unit, Membership.Kind.MANAGER)
        if not complaints or supervisor is None or manager is None:
            continue
        for index, plan in enumerate(PLANS):
            if Claim.objects.filter(unit=unit, description=plan.description).exists():
                existing += 1
                continue
            complaint = complaints[index % len(complaints)]
            claim = services.claim_create(
                actor=complaint.received_by,
                complaint=complaint,
                kind=plan.kind,
                amount_claimed=Decimal(plan.claimed),
                declared_value=Decimal(plan.claimed) if plan.insured else None,
                insured=plan.insured,
                description=plan.description,
                waybills=list(complaint.waybills.all()[:2]),
            )
            _advance(claim, plan, supervisor, manager)
            created += 1
    if created or existing:
        out.write(f"Claims: {created} created, {existing} already there.")
    else:
        out.write("Claims: no open complaints yet, none created.")
