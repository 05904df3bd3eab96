"""Customer development (客户开发管理表): prospects, their steps, winning and dropping.

Every function takes the acting user, runs in one transaction, moves the
prospect through WORKFLOW (crm_site.core.workflow.transition), which writes
its history row (ProspectEvent), and writes an audit entry in it.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import User
from crm_site.accounts.scope import is_staff_role
from crm_site.core.idempotency import create_once, first_by_token
from crm_site.core.services import audit
from crm_site.core.workflow import Workflow, transition
from customers.models import CODE_TAKEN, Customer, Prospect, ProspectEvent, Status, Step
from customers.services.book import customer_create, customer_update, scope_units, scope_users

PROSPECT_FIELDS = (
    "name",
    "address",
    "company_phone",
    "factory_phone",
    "key_people",
    "products",
    "unit",
    "owner",
    "notes",
)


def _closed(prospect: Prospect, action: str = "") -> str:
    return _("This prospect is already closed (%(status)s); nothing was changed.") % {
        "status": prospect.get_status_display()
    }


_OPEN = (Prospect.Status.OPEN,)
WORKFLOW = Workflow(
    states=Prospect.Status.values,
    actions={
        "step": (_OPEN, None, ProspectEvent.Kind.STEP),
        "win": (_OPEN, Prospect.Status.WON, ProspectEvent.Kind.WON),
        "drop": (_OPEN, Prospect.Status.DROPPED, ProspectEvent.Kind.DROPPED),
    },
).bind(
    model=Prospect,
    events=ProspectEvent,
    subject="prospect",
    refused=_closed,
    changed=_closed,
)


def _check_owner(*, actor: User, fields: dict) -> None:
    unit, owner = fields["unit"], fields["owner"]
    if not scope_units(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("You cannot file prospects under this unit.")})
    if is_staff_role(actor) and owner != actor:
        raise ValidationError({"owner": _("Staff develop their own prospects.")})
    if not owner.memberships.filter(unit=unit).exists():
        raise ValidationError(
            {
                "owner": _("%(person)s is not a member of %(unit)s.")
                % {"person": owner, "unit": unit}
            }
        )


def prospect_create(
    *, actor: User, fields: dict, form_token: uuid.UUID | None = None
) -> tuple[Prospect, bool]:
    """Record a new prospect. A resent form (same token) returns the first one, created=False."""
    existing = first_by_token(Prospect, form_token)
    if existing is not None:
        return existing, False
    fields = {k: v for k, v in fields.items() if k in PROSPECT_FIELDS}
    _check_owner(actor=actor, fields=fields)

    def create() -> Prospect:
        prospect = Prospect.objects.create(**fields, created_by=actor, form_token=form_token)
        ProspectEvent.objects.create(
            prospect=prospect,
            kind=ProspectEvent.Kind.CREATED,
            actor=actor,
            to_state=Prospect.Status.OPEN,
        )
        audit(actor=actor, action="customers.prospect_create", obj=prospect)
        return prospect

    return create_once(Prospect, form_token, create)


def _locked_open(prospect: Prospect) -> Prospect:
    """The prospect re-read under a row lock; refused unless still in development."""
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if locked.status != Prospect.Status.OPEN:
        raise ValidationError(_closed(locked))
    return locked


def prospect_record_step(
    *,
    prospect: Prospect,
    actor: User,
    step: int,
    happened_on: date,
    success_rate: int | None = None,
    appointment_at: datetime | None = None,
    note: str = "",
    form_token: uuid.UUID | None = None,
) -> tuple[ProspectEvent, bool]:
    """Record a development step. The prospect's step is the furthest reached; the
    estimate and the appointment are the latest given. Step 5 needs an estimate
    and step 6 an appointment (the seed's 预估达成率 and 预约)."""
    existing = first_by_token(ProspectEvent, form_token)
    if existing is not None:
        return existing, False
    if step == Step.ESTIMATE and success_rate is None:
        raise ValidationError({"success_rate": _("Give the estimated success rate.")})
    if step == Step.APPOINTMENT and appointment_at is None:
        raise ValidationError({"appointment_at": _("Give the date and time of the appointment.")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The date of a step cannot be in the future.")})
    fields: dict[str, Any] = {"step": Greatest(F("step"), Value(step))}
    if success_rate is not None:
        fields["success_rate"] = success_rate
    if appointment_at is not None:
        fields["appointment_at"] = appointment_at

    def record() -> ProspectEvent:
        return transition(
            _locked_open(prospect),
            "step",
            actor=actor,
            workflow=WORKFLOW,
            event={
                "step": step,
                "happened_on": happened_on,
                "success_rate": success_rate,
                "appointment_at": appointment_at,
                "note": note.strip(),
                "form_token": form_token,
            },
            **fields,
        )

    return create_once(ProspectEvent, form_token, record)


def _customer_for_link(*, actor: User, customer: Customer) -> Customer:
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("This customer is not among your customers.")})
    if Prospect.objects.filter(customer=customer).exists():
        raise ValidationError(
            {"customer": _("This customer card is already the outcome of another development.")}
        )
    if customer.status != Status.ACTIVE:
        customer = customer_update(
            customer=Customer.objects.for_list().get(pk=customer.pk),
            actor=actor,
            fields={"status": Status.ACTIVE},
        )
    return customer


def _customer_for_create(*, actor: User, prospect: Prospect, card: dict) -> Customer:
    visiting = card.get("visiting_person") or prospect.owner
    if is_staff_role(actor):
        visiting = actor
    if (
        not scope_users(actor).filter(pk=visiting.pk).exists()
        or not visiting.memberships.filter(unit=prospect.unit).exists()
    ):
        raise ValidationError(
            {"visiting_person": _("Choose a visiting person of the prospect's unit.")}
        )
    if Customer.objects.filter(code=card["code"]).exists():
        raise ValidationError({"code": CODE_TAKEN})
    fields = {
        "code": card["code"],
        "name": prospect.name,
        "address": prospect.address,
        "unit": prospect.unit,
        "nature": card["nature"],
        "scale": card["scale"],
        "trend": card["trend"],
        "annual_revenue": card.get("annual_revenue") or Decimal("0"),
        "sales_owner": prospect.owner,
        "visiting_person": visiting,
        "status": Status.ACTIVE,
        "notes": prospect.notes,
    }
    return customer_create(actor=actor, fields=fields)


@transaction.atomic
def prospect_convert(
    *,
    prospect: Prospect,
    actor: User,
    evaluation: dict,
    report: dict,
    customer: Customer | None = None,
    card: dict | None = None,
) -> Customer:
    """The prospect becomes an active customer: link `customer` (a card of the
    book, made active) or create one from `card`; record the development
    evaluation and the new-customer report. All or nothing: a refusal at any
    point leaves the prospect open and the book unchanged."""
    locked = _locked_open(prospect)
    if customer is not None:
        customer = _customer_for_link(actor=actor, customer=customer)
    elif card is not None:
        customer = _customer_for_create(actor=actor, prospect=locked, card=card)
    else:
        raise ValidationError(_("Choose a customer card or create one."))
    ratings = ("growth_rating", "credit_rating", "margin_rating", "overall_rating")
    transition(
        locked,
        "win",
        actor=actor,
        workflow=WORKFLOW,
        **{name: evaluation[name] for name in ratings},
        evaluation_note=evaluation.get("evaluation_note", "").strip(),
        first_amount=report["first_amount"],
        how_won=report["how_won"].strip(),
        customer=customer,
        closed_at=timezone.now(),
        closed_by=actor,
    )
    audit(
        actor=actor,
        action="customers.prospect_won",
        obj=locked,
        data={"customer": customer.pk, "linked": card is None},
    )
    return customer


@transaction.atomic
def prospect_drop(*, prospect: Prospect, actor: User, reason: str) -> Prospect:
    """Stop developing a prospect, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the development stops.")})
    locked = _locked_open(prospect)
    transition(
        locked,
        "drop",
        actor=actor,
        workflow=WORKFLOW,
        event={"note": reason},
        drop_reason=reason,
        closed_at=timezone.now(),
        closed_by=actor,
    )
    audit(actor=actor, action="customers.prospect_drop", obj=locked)
    return locked
