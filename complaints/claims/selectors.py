"""Reads of claims: the register, one claim, a complaint's claims, the payout
figures and an outlet's claims. Every read starts from
`Claim.objects.visible_to(user)`."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from . import rules
from .models import ROW_RELATED, Claim


def claim_list(*, user, filters=None) -> QuerySet:
    """The register: the claims the user may see under `filters` (a
    complaints.claims.filters.ClaimFilter, which also sorts), newest first."""
    claims = Claim.objects.visible_to(user).select_related(*ROW_RELATED)
    if filters is None:
        return claims.order_by("-created_at", "-pk")
    return filters.apply(claims)


def claim_detail(*, user, pk: int) -> Claim:
    """The claim if the user may see it, else 404 (existence is not revealed)."""
    claims = Claim.objects.visible_to(user).select_related(
        *ROW_RELATED, "logged_by", "assessed_by", "approved_by", "paid_by", "rejected_by"
    )
    return get_object_or_404(claims, pk=pk)


def claim_events(*, claim: Claim) -> QuerySet:
    return claim.events.select_related("actor")


def claim_evidence(*, claim: Claim) -> QuerySet:
    return claim.evidence.all()


def claim_evidence_item(*, user, pk: int, evidence_id: int):
    """One evidence file of a claim the user may see, else 404."""
    claim = claim_detail(user=user, pk=pk)
    return get_object_or_404(claim.evidence.all(), pk=evidence_id)


def complaint_claims(*, user, complaint) -> dict:
    """The claims section of a complaint's page: its claims the user may see,
    with what was claimed and paid, and whether one is still open."""
    claims = list(
        Claim.objects.visible_to(user)
        .filter(complaint=complaint)
        .select_related("complaint")
        .order_by("seq")
    )
    return {
        "claims": claims,
        "claimed_total": sum((c.amount_claimed for c in claims), Decimal("0.00")),
        "paid_total": sum((c.paid_amount or Decimal("0.00") for c in claims), Decimal("0.00")),
        "any_open": any(c.is_open for c in claims),
    }


def payouts(*, claims: QuerySet) -> dict:
    """What was paid out among `claims` (the register's rows under its filters),
    per month of payout, unit, responsible outlet and claim type, with totals.
    Sums are Decimals to the cent, the same amounts the register shows."""
    paid = claims.filter(state=rules.PAID).order_by()
    rows = list(
        paid.annotate(month=TruncMonth("paid_on"))
        .values(
            "month",
            "unit_id",
            "unit__name",
            "complaint__responsible_outlet_id",
            "complaint__responsible_outlet__code",
            "complaint__responsible_outlet__name",
            "kind",
        )
        .annotate(count=Count("pk"), paid=Sum("paid_amount"))
        .order_by("-month", "unit__name", "complaint__responsible_outlet__code", "kind")
    )
    kinds = dict(Claim._meta.get_field("kind").flatchoices)
    for row in rows:
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
    total = paid.aggregate(count=Count("pk"), paid=Sum("paid_amount"))
    return {
        "rows": rows,
        "count": total["count"],
        "paid": total["paid"] or Decimal("0.00"),
    }


def claims_paid_by_outlet(*, complaints: QuerySet, per: str | None = None) -> dict:
    """Claims paid (sum) on `complaints`, per responsible outlet id (None: no
    outlet), in one grouped query; with `per` (a complaint field, e.g.
    "unit_id"), keyed by (that field's value, outlet id)."""
    keys = [f"complaint__{per}"] if per else []
    rows = (
        Claim.objects.filter(state=rules.PAID, complaint__in=complaints.order_by().values("pk"))
        .values(*keys, "complaint__responsible_outlet_id")
        .annotate(paid=Sum("paid_amount"))
        .order_by()
    )
    outlet = "complaint__responsible_outlet_id"
    if per:
        return {(row[keys[0]], row[outlet]): row["paid"] for row in rows}
    return {row[outlet]: row["paid"] for row in rows}


def outlet_claims(*, user, outlet, rows: int = 10) -> dict:
    """The claims section of an outlet's page: the claims on complaints charged
    to `outlet` that the user may see (newest `rows`), how many, how many are
    open, and the total paid, in two queries."""
    claims = Claim.objects.visible_to(user).filter(complaint__responsible_outlet=outlet)
    figures = claims.aggregate(
        count=Count("pk"),
        open=Count("pk", filter=Q(state__in=rules.OPEN)),
        paid=Sum("paid_amount", filter=Q(state=rules.PAID)),
    )
    newest = list(
        claims.select_related("complaint", "complaint__customer").order_by("-created_at", "-pk")[
            :rows
        ]
    )
    return {
        "claims": newest,
        "count": figures["count"],
        "open": figures["open"],
        "paid_total": figures["paid"] or Decimal("0.00"),
    }
