"""Customer voice: what customers say about our service and what we
see changing at the customer. Three paper forms of the customer survey (客户调查表):

- ServiceSurvey: 客户服务水平调查单 — nine paired items, each on a 7-point scale;
- EnterpriseSurvey: 企业客户服务调查表 — a visit's opinions, answers, the
  visitor's and the department head's opinions;
- CustomerWatch: 竞争对手调查表 — operations, management, staff and other
  signals, each "changed or not" with a note; risky changes alert the unit.

Imported at the end of customers/models.py, so the app registry finds them.
Each row keeps the customer's unit when it was recorded: the per-unit figures
and the supervisors' scope read that column, not the customer's current unit.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import CreatedAt

if TYPE_CHECKING:
    from customers.models import Customer


class Score(models.IntegerChoices):
    """The seed's 7-point scale, 7 the best: averages read "higher is better"."""

    VERY_GOOD = 7, _("Very good")
    QUITE_GOOD = 6, _("Quite good")
    SLIGHTLY_GOOD = 5, _("Slightly good")
    AVERAGE = 4, pgettext_lazy("survey rating", "Average")
    SLIGHTLY_POOR = 3, _("Slightly poor")
    QUITE_POOR = 2, _("Quite poor")
    VERY_POOR = 1, _("Very poor")


# (field, short label, the good pole, the poor pole) of 客户服务水平调查单, in
# the form's order. The labels are ours; the pairs are the seed's.
SURVEY_ITEMS = (
    (
        "order_handling",
        _("Order handling"),
        _("Orders handled quickly"),
        _("Orders handled slowly"),
    ),
    (
        "replenishment",
        _("Replenishment time"),
        _("Replenishment is fast"),
        _("Replenishment is slow"),
    ),
    (
        "staff_attitude",
        _("Staff attitude"),
        _("Staff serve with a good attitude"),
        _("Staff serve with a poor attitude"),
    ),
    (
        "order_units",
        _("Order-unit variety"),
        _("Many order units to choose from"),
        _("A single order unit"),
    ),
    (
        "urgent_dispatch",
        _("Urgent dispatch"),
        _("Urgent shipments dispatched efficiently"),
        _("Urgent dispatch is lacking"),
    ),
    (
        "timed_delivery",
        _("Delivery at a set time"),
        _("Delivery at the time asked for"),
        _("No delivery at a set time"),
    ),
    (
        "logistics_info",
        _("Logistics information"),
        _("Logistics information timely and accurate"),
        _("Logistics information service is poor"),
    ),
    (
        "goods_damage",
        _("Goods damage in delivery"),
        _("Goods arrive undamaged"),
        _("Goods often damaged in delivery"),
    ),
    (
        "service_management",
        _("Service management level"),
        _("Logistics service well managed"),
        _("Logistics service poorly managed"),
    ),
)
SURVEY_FIELDS = tuple(item[0] for item in SURVEY_ITEMS)


class VoiceQuerySet(ScopedQuerySet):
    """Staff: rows of the customers they visit or sell to; supervisors and
    managers: their units' rows (the unit kept on the row); admins: all."""

    unit_path = "unit"
    own_path = ("customer__visiting_person", "customer__sales_owner")


class VoiceRecord(CreatedAt):
    """What the rows of the three forms share: the customer's unit when the row
    was recorded (the per-unit figures and the scope read it, not the
    customer's current unit), the form's idempotency token (a resent POST
    finds the row it created) and the scope."""

    unit = unit_fk("+")
    form_token = models.UUIDField(_("form token"), unique=True)

    objects = VoiceQuerySet.as_manager()

    class Meta:
        abstract = True


def _customer_fk(related_name: str) -> "models.ForeignKey[Customer, Customer]":
    """The customer a row is about; the row goes when the customer is deleted."""
    return models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("customer"),
    )


def _score_field(label):
    return models.PositiveSmallIntegerField(label, choices=Score.choices)


class ServiceSurvey(VoiceRecord):
    """客户服务水平调查单: one customer's rating of our service on nine items."""

    customer = _customer_fk("service_surveys")
    surveyed_on = models.DateField(_("survey date"))
    surveyed_by = user_fk(_("surveyed by"), optional=False)
    # The visit (or daily-report entry's visit) the survey was taken on, if any.
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_surveys",
        verbose_name=_("visit"),
    )
    respondent = models.CharField(_("respondent"), max_length=100, blank=True)
    order_handling = _score_field(_("order handling"))
    replenishment = _score_field(_("replenishment time"))
    staff_attitude = _score_field(_("staff attitude"))
    order_units = _score_field(_("order-unit variety"))
    urgent_dispatch = _score_field(_("urgent dispatch"))
    timed_delivery = _score_field(_("delivery at a set time"))
    logistics_info = _score_field(_("logistics information"))
    goods_damage = _score_field(_("goods damage in delivery"))
    service_management = _score_field(_("service management level"))
    note = models.TextField(_("remarks"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-surveyed_on", "-pk"]
        verbose_name = _("service-level survey")
        verbose_name_plural = _("service-level surveys")
        indexes = [
            models.Index(fields=["customer", "-surveyed_on"]),
            models.Index(fields=["unit", "surveyed_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 7}),
                name=f"service_survey_{name}_1_to_7",
            )
            for name in SURVEY_FIELDS
        ]

    def __str__(self):
        return f"{self.customer_id} {self.surveyed_on}"

    def get_absolute_url(self):
        return reverse("customers:survey_detail", args=[self.pk])

    def scores(self) -> list[int]:
        return [getattr(self, name) for name in SURVEY_FIELDS]

    @property
    def average(self) -> float:
        values = self.scores()
        return round(sum(values) / len(values), 2)


class EnterpriseSurvey(VoiceRecord):
    """企业客户服务调查表: a visit's record; the head of the unit adds an opinion."""

    customer = _customer_fk("enterprise_surveys")
    visited_on = models.DateField(_("visit date"))
    visitor = user_fk(_("visitor"), optional=False)
    interviewee = models.CharField(_("customer's representative"), max_length=100, blank=True)
    opinions = models.TextField(_("opinions recorded"), max_length=TEXT_MAX_LENGTH)
    answers = models.TextField(_("answers given"), blank=True, max_length=TEXT_MAX_LENGTH)
    visitor_opinion = models.TextField(
        _("visitor's opinion"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    head_opinion = models.TextField(
        _("department head's opinion"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    head_opinion_by = user_fk(_("head's opinion by"))
    head_opinion_at = models.DateTimeField(_("head's opinion at"), null=True, blank=True)
    created_by = user_fk(_("recorded by"), optional=False)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("enterprise customer service survey")
        verbose_name_plural = _("enterprise customer service surveys")
        indexes = [
            models.Index(fields=["unit", "-visited_on"]),
            models.Index(fields=["customer", "-visited_on"]),
            models.Index(
                fields=["unit"], condition=Q(head_opinion=""), name="enterprise_survey_open_idx"
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.visited_on}"

    def get_absolute_url(self):
        return reverse("customers:enterprise_survey_detail", args=[self.pk])


class WatchGroup(models.TextChoices):
    OPERATIONS = "operations", _("Operations")
    MANAGEMENT = "management", _("Management")
    STAFF = "staff", _("Staff")
    OTHER = "other", _("Other signals")


# (code, group, label, risky) of 竞争对手调查表 — what to watch at a customer.
# A change of a risky item tells the unit's supervisors at once.
WATCH_ITEMS = (
    ("new_equipment", WatchGroup.OPERATIONS, _("Investing in new equipment"), False),
    ("other_business", WatchGroup.OPERATIONS, _("Starting to invest in other businesses"), False),
    ("warehouse_flat", WatchGroup.OPERATIONS, _("Warehouse volume not growing"), False),
    ("stock_piling", WatchGroup.OPERATIONS, _("Stock piling up fast"), True),
    ("sale_rumours", WatchGroup.OPERATIONS, _("Rumours of a clearance sale"), True),
    ("owner_enthusiasm", WatchGroup.MANAGEMENT, _("Enthusiasm for the work"), False),
    ("owner_expertise", WatchGroup.MANAGEMENT, _("Professional competence"), False),
    ("owner_private_life", WatchGroup.MANAGEMENT, _("Changes in family and private life"), False),
    ("owner_complaints", WatchGroup.MANAGEMENT, _("Frequent grumbling and complaints"), False),
    ("peer_standing", WatchGroup.MANAGEMENT, _("Changes in standing among peers"), False),
    ("senior_staff", WatchGroup.STAFF, _("Senior staff leaving"), False),
    ("staff_discontent", WatchGroup.STAFF, _("Open dissatisfaction with superiors"), False),
    ("staff_punctuality", WatchGroup.STAFF, _("Poor sense of time"), False),
    ("staff_attitude", WatchGroup.STAFF, _("Poor work attitude"), False),
    ("staff_leave", WatchGroup.STAFF, _("More staff taking leave"), False),
    ("staff_morale", WatchGroup.STAFF, _("Motivation dropping sharply"), False),
    ("bank_change", WatchGroup.OTHER, _("Changing its bank"), True),
    ("terms_change", WatchGroup.OTHER, _("Asking to change trading terms"), True),
    ("bankruptcy", WatchGroup.OTHER, _("Bankruptcy"), True),
    ("late_salaries", WatchGroup.OTHER, _("Salaries paid late"), True),
)
WATCH_CODES = tuple(item[0] for item in WATCH_ITEMS)
RISKY_CODES = frozenset(item[0] for item in WATCH_ITEMS if item[3])


class CustomerWatch(VoiceRecord):
    """竞争对手调查表 as a watch on one customer: each item changed or not, with a note.

    `items` holds {code: {"changed": bool, "note": str}} for every item of
    WATCH_ITEMS; `risky_changes` the codes of the risky items marked changed
    (what the supervisors were told).
    """

    customer = _customer_fk("watches")
    reported_on = models.DateField(_("date filled in"))
    reported_by = user_fk(_("reported by"), optional=False)
    items = models.JSONField(_("items"), default=dict)
    changed_count = models.PositiveSmallIntegerField(_("items changed"), default=0)
    risky_changes = models.JSONField(_("risky items changed"), default=list, blank=True)
    note = models.TextField(_("remarks"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("customer watch")
        verbose_name_plural = _("customer watches")
        indexes = [
            models.Index(fields=["customer", "-reported_on"]),
            models.Index(fields=["unit", "-reported_on"]),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.reported_on}"

    def get_absolute_url(self):
        return reverse("customers:watch_detail", args=[self.customer_id, self.pk])

    @property
    def is_risky(self) -> bool:
        return bool(self.risky_changes)
