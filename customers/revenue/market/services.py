"""Market writes: a region's market estimate for a year and a unit's marketing
costs of a month, each replaced when saved again, with its history row."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from crm_site.accounts.models import Region, Role, ServiceUnit, User
from crm_site.accounts.scope import is_at_least, units_for
from crm_site.core import months

from .models import (
    COST_HEADS,
    MarketEstimate,
    MarketEstimateEvent,
    MarketingCost,
    MarketingCostEvent,
)
from .selectors import regions_for


def _replace(model: type[models.Model], key: dict, values: dict, actor: User):
    """The row of `key`, created or locked and given `values`; with what changed
    ({field: {"old", "new"}}, only "new" for a created row)."""
    row, created = model._default_manager.select_for_update().get_or_create(
        **key, defaults={**values, "set_by": actor}
    )
    if created:
        return row, {name: {"new": str(value)} for name, value in values.items()}
    changes = {
        name: {"old": str(getattr(row, name)), "new": str(value)}
        for name, value in values.items()
        if getattr(row, name) != value
    }
    for name, value in values.items():
        setattr(row, name, value)
    row.set_by = actor  # type: ignore[attr-defined]
    row.save()
    return row, changes


@transaction.atomic
def market_estimate_set(
    *,
    actor: User,
    region: Region,
    year: int,
    market_size: Decimal,
    competitor_turnover: Decimal,
    competitor_name: str = "",
) -> MarketEstimate:
    """Set (or replace) a region's market estimate for a year: managers for the
    regions of their units' customers, admins for any."""
    if not is_at_least(actor, Role.MANAGER) or not (
        regions_for(user=actor).filter(pk=region.pk).exists()
    ):
        raise PermissionDenied(_("You may not set the market of this region."))
    values = {
        "market_size": market_size,
        "competitor_turnover": competitor_turnover,
        "competitor_name": competitor_name,
    }
    estimate, changes = _replace(MarketEstimate, {"region": region, "year": year}, values, actor)
    MarketEstimateEvent.objects.create(
        estimate=estimate, actor=actor, kind=MarketEstimateEvent.Kind.SET, data=changes
    )
    return estimate


@transaction.atomic
def marketing_cost_set(
    *, actor: User, unit: ServiceUnit, month: date, **amounts: Decimal
) -> MarketingCost:
    """Set (or replace) a unit's marketing costs of a month under the five
    heads (a head not given is 0): managers for their units, admins for any."""
    if not is_at_least(actor, Role.MANAGER) or not (
        units_for(actor, "view").filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied(_("You may not enter the costs of this unit."))
    values = {head: amounts.get(head) or Decimal(0) for head in COST_HEADS}
    key = {"unit": unit, "month": months.first_of(month)}
    cost, changes = _replace(MarketingCost, key, values, actor)
    MarketingCostEvent.objects.create(
        cost=cost, actor=actor, kind=MarketingCostEvent.Kind.SET, data=changes
    )
    return cost
