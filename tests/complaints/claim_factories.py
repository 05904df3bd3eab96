"""Claims, outlets and waybills for the claim tests (plain factories)."""

import itertools
from decimal import Decimal

from django.utils import timezone

_seq = itertools.count(1)


def make_outlet(unit, **overrides):
    from customers.models import Outlet

    n = next(_seq)
    fields = {"code": f"WD{n:04d}", "name": f"网点{n}", "unit": unit} | overrides
    return Outlet.objects.create(**fields)


def make_waybill(number=None):
    from customers.models import Waybill

    return Waybill.objects.create(number=number or f"SF{next(_seq):010d}")


def make_claim(complaint, by=None, *, amount="800.00", kind="lost", **overrides):
    """A claim filed through claim_create; fields it does not take (state,
    paid_amount, ...) are then set directly, without events."""
    from complaints.claims import services
    from complaints.claims.models import Claim

    claim = services.claim_create(
        actor=by or complaint.received_by,
        complaint=complaint,
        kind=kind,
        amount_claimed=Decimal(amount),
        waybills=overrides.pop("waybills", ()),
        declared_value=overrides.pop("declared_value", None),
        insured=overrides.pop("insured", False),
    )
    if overrides:
        Claim.objects.filter(pk=claim.pk).update(**overrides)
        claim.refresh_from_db()
    return claim


def make_paid_claim(complaint, *, amount, paid_on=None, kind="lost"):
    """A claim paid `amount` on `paid_on` (set directly, for register and figure tests)."""
    return make_claim(
        complaint,
        amount=amount,
        kind=kind,
        state="paid",
        assessed_amount=Decimal(amount),
        paid_amount=Decimal(amount),
        paid_on=paid_on or timezone.localdate(),
    )
