"""Market figures: per region and year the estimated market size and the
leading competitor's turnover (市场规模, 领先竞争对手营业额), for the market
shares; per unit and month the marketing costs under five heads (营销费用),
for the cost-to-turnover ratios; and the admins' warning setting.

Imported at the end of customers/models.py, so the app registry finds them.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, Role
from crm_site.accounts.scope import ScopedQuerySet, active_role
from crm_site.core.fields import events_of, unit_fk, user_fk
from crm_site.core.models import EventBase

from . import rules


def _money(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=16, decimal_places=2, validators=[MinValueValidator(0)], **options
    )


class EstimateQuerySet(models.QuerySet):
    """A region is in a user's scope when a customer the user may see is in it
    (admins: every region); its estimates are visible with it."""

    def visible_to(self, user):
        role = active_role(user)
        if role is None:
            return self.none()
        if role == Role.ADMIN:
            return self
        from customers.models import Customer

        regions = Customer.objects.visible_to(user).exclude(region=None).values("region")
        return self.filter(region__in=regions)

    def for_user(self, user):
        return self.visible_to(user)


class MarketEstimate(models.Model):
    """One region's market in one year, as the managers estimate it."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="market_estimates",
        verbose_name=_("region"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1970), MaxValueValidator(2100)]
    )
    market_size = _money(_("market size (CNY)"))
    competitor_turnover = _money(_("leading competitor's turnover (CNY)"))
    competitor_name = models.CharField(_("leading competitor"), max_length=100, blank=True)
    set_by = user_fk(_("set by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region__code"]
        verbose_name = _("market estimate")
        verbose_name_plural = _("market estimates")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="market_estimate_one_per_year"),
            models.CheckConstraint(
                condition=Q(market_size__gt=0, competitor_turnover__gte=0),
                name="market_estimate_amounts",
            ),
        ]

    def __str__(self):
        return f"{self.region_id} {self.year}"


class MarketEstimateEvent(EventBase):
    """An estimate's history: each save, with the figures before and after."""

    class Kind(models.TextChoices):
        SET = "set", _("Set")

    estimate = events_of(MarketEstimate, _("market estimate"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("market estimate event")
        verbose_name_plural = _("market estimate events")


# The five heads of marketing cost (营销费用), in the order of the page.
COST_LABELS = {
    "staff_cost": _("sales staff costs"),
    "advertising": _("advertising"),
    "promotion": _("promotion"),
    "research": _("market research"),
    "sales_admin": _("sales administration"),
}
COST_HEADS = tuple(COST_LABELS)


class CostQuerySet(ScopedQuerySet):
    """Supervisors and managers see their units' costs, admins all, staff none."""

    unit_path = "unit"
    own_path = None


class MarketingCost(models.Model):
    """A unit's marketing costs of one month, under the five heads."""

    unit = unit_fk("marketing_costs")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    staff_cost = _money(COST_LABELS["staff_cost"], default=0)
    advertising = _money(COST_LABELS["advertising"], default=0)
    promotion = _money(COST_LABELS["promotion"], default=0)
    research = _money(COST_LABELS["research"], default=0)
    sales_admin = _money(COST_LABELS["sales_admin"], default=0)
    set_by = user_fk(_("set by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CostQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "-month"]
        verbose_name = _("marketing costs")
        verbose_name_plural = _("marketing costs")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="marketing_cost_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="marketing_cost_first_day"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m}"

    def amounts(self) -> dict:
        return {head: getattr(self, head) for head in COST_HEADS}


class MarketingCostEvent(EventBase):
    """A month's costs history: each save, with the figures before and after."""

    class Kind(models.TextChoices):
        SET = "set", _("Set")

    cost = events_of(MarketingCost, _("marketing costs"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("marketing cost event")
        verbose_name_plural = _("marketing cost events")


class MarketingPolicy(models.Model):
    """The admins' setting (one row): how many percentage points a cost ratio
    may move from its six-month average before the page warns."""

    warning_points = models.DecimalField(
        _("cost ratio warning (percentage points)"),
        max_digits=5,
        decimal_places=2,
        default=rules.DEFAULT_WARNING_POINTS,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("cost ratio warning")
        verbose_name_plural = _("cost ratio warning")

    def __str__(self):
        return str(self.warning_points)
