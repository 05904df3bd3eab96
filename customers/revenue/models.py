"""Revenue: monthly turnover per customer (营业额, loaded from the billing system
or edited by a supervisor, with its history) and monthly turnover targets per
unit, optionally per person and grade, for the gap analysis (差距分析).

Imported at the end of customers/models.py, so the app registry finds them.
Turnover is read through the customer's current unit: a customer moved to
another unit takes its history along, as its grade does.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import edit_version, events_of, unit_fk, user_fk
from crm_site.core.models import EventBase


class TurnoverQuerySet(ScopedQuerySet):
    """Supervisors and up see their units' turnover; staff that of the customers they visit."""

    unit_path = "customer__unit"
    own_path = "customer__visiting_person"

    def between(self, start, end):
        """Months from `start` to `end`, both first days, inclusive."""
        return self.filter(month__gte=start, month__lte=end)


class MonthlyTurnover(models.Model):
    """One customer's turnover in one month, in CNY to the cent."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="turnovers",
        verbose_name=_("customer"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("turnover (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = edit_version()

    objects = TurnoverQuerySet.as_manager()

    class Meta:
        ordering = ["customer_id", "-month"]
        verbose_name = _("monthly turnover")
        verbose_name_plural = _("monthly turnover")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="turnover_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="turnover_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="turnover_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "customer"])]

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m} {self.amount}"


class TurnoverEvent(EventBase):
    """A turnover figure's history: imported (created or replaced) or edited by hand."""

    class Kind(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        EDITED = "edited", _("Edited")

    turnover = events_of(MonthlyTurnover, _("turnover"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("turnover event")
        verbose_name_plural = _("turnover events")


class TargetQuerySet(ScopedQuerySet):
    unit_path = "unit"
    own_path = None


class RevenueTarget(models.Model):
    """A monthly turnover target of a unit, or of one person or one grade in it.

    A unit-wide target leaves person and grade empty; the uniqueness treats an
    empty person or grade as a value, so each combination has one target."""

    unit = unit_fk("revenue_targets")
    month = models.DateField(_("month"))
    person = user_fk(_("person"), related_name="revenue_targets")
    grade = models.CharField(_("grade"), max_length=10, blank=True, default="")
    amount = models.DecimalField(
        _("target (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    set_by = user_fk(_("set by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "month", "grade"]
        verbose_name = _("turnover target")
        verbose_name_plural = _("turnover targets")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "person", "grade"],
                name="revenue_target_one_per_scope",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="revenue_target_first_day"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m} {self.amount}"
