"""Customer development (客户开发管理表) and care reminders (客户关怀).

A prospect (潜在客户) is worked through the six steps of the 客户开发程序表 with
an estimated success rate; each step is a row of its history. When it is won,
the development evaluation (客户开发评价表) and the new-customer report
(新开发客户报告表) are recorded on it and it is linked to a card of the book.
Imported by customers/models.py, so the models belong to the customers app.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import EventBase, Timestamped


class Step(models.IntegerChoices):
    """The development steps of the seed's 客户开发程序表, in order."""

    NONE = 0, _("Not started")
    INTRODUCTION = 1, _("Self-introduction")
    INFORMATION = 2, _("Gather information")
    PURPOSE = 3, _("State the purpose")
    DEMONSTRATION = 4, _("On-site demonstration")
    ESTIMATE = 5, _("Estimate the success rate")
    APPOINTMENT = 6, _("Appointment")


class Rating(models.IntegerChoices):
    """Marks of the development evaluation (客户开发评价表)."""

    EXCELLENT = 5, _("Excellent")
    GOOD = 4, pgettext_lazy("evaluation", "Good")
    FAIR = 3, _("Fair")
    POOR = 2, pgettext_lazy("evaluation", "Poor")
    VERY_POOR = 1, pgettext_lazy("evaluation", "Very poor")


class ProspectQuerySet(ScopedQuerySet):
    """Staff: the prospects they own; supervisors and managers: their units';
    admins: all (`visible_to`, crm_site.accounts.scope)."""

    unit_path = "unit"
    own_path = "owner"

    def open(self):
        return self.filter(status=Prospect.Status.OPEN)


class Prospect(Timestamped):
    """A potential customer being developed (客户开发程序表 / 新开发客户报告表)."""

    class Status(models.TextChoices):
        OPEN = "open", _("In development")
        WON = "won", _("Won")
        DROPPED = "dropped", _("Dropped")

    name = models.CharField(_("customer name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    company_phone = models.CharField(_("company phone"), max_length=40, blank=True)
    factory_phone = models.CharField(_("factory phone"), max_length=40, blank=True)
    key_people = models.CharField(_("key people"), max_length=300, blank=True)
    products = models.CharField(_("goods used"), max_length=300, blank=True)
    unit = unit_fk("prospects")
    owner = user_fk(_("developed by"), related_name="prospects", optional=False)
    step = models.PositiveSmallIntegerField(
        _("step reached"), choices=Step.choices, default=Step.NONE
    )
    success_rate = models.PositiveSmallIntegerField(
        _("estimated success rate (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_MAX_LENGTH)

    # 客户开发评价表, recorded when the prospect is won.
    growth_rating = models.PositiveSmallIntegerField(
        _("business growth"), choices=Rating.choices, null=True, blank=True
    )
    credit_rating = models.PositiveSmallIntegerField(
        _("creditworthiness"), choices=Rating.choices, null=True, blank=True
    )
    margin_rating = models.PositiveSmallIntegerField(
        _("profit margin"), choices=Rating.choices, null=True, blank=True
    )
    overall_rating = models.PositiveSmallIntegerField(
        _("overall evaluation"), choices=Rating.choices, null=True, blank=True
    )
    evaluation_note = models.TextField(
        _("evaluation remarks"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    # 新开发客户报告表.
    first_amount = models.DecimalField(
        _("first transaction amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    how_won = models.TextField(
        _("how the customer was won"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prospects",
        verbose_name=_("customer card"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = user_fk(_("closed by"))
    drop_reason = models.TextField(_("reason for dropping"), blank=True, max_length=TEXT_MAX_LENGTH)

    created_by = user_fk(_("created by"))
    # A resent "new prospect" form (same token) does not create a second one.
    form_token = models.UUIDField(_("form token"), unique=True, null=True, blank=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        indexes = [
            models.Index(fields=["unit", "status", "-updated_at"]),
            models.Index(fields=["owner", "status", "-updated_at"]),
            models.Index(fields=["step"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            # A card of the book is the outcome of one development at most.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(customer__isnull=False),
                name="prospect_one_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(success_rate__isnull=True) | Q(success_rate__lte=100),
                name="prospect_success_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(status="won", customer__isnull=False) | ~Q(status="won"),
                name="prospect_won_has_customer",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("customers:development_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The form's 编号."""
        return f"KF{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def steps_done(self) -> list[dict]:
        """The six steps with whether this prospect has reached each (for the progress bar)."""
        return [
            {"value": value, "label": label, "done": value <= self.step}
            for value, label in Step.choices
            if value
        ]


class ProspectEvent(EventBase):
    """One line of a prospect's history: created, a step taken, won or dropped."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STEP = "step", _("Step recorded")
        WON = "won", _("Became a customer")
        DROPPED = "dropped", _("Dropped")
        REOPENED = "reopened", _("Reopened")

    prospect = events_of(Prospect, _("prospect"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices, null=True, blank=True)
    happened_on = models.DateField(_("date"), null=True, blank=True)
    success_rate = models.PositiveSmallIntegerField(
        _("estimated success rate (%)"), null=True, blank=True
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX_LENGTH)
    # A resent step form (same token) records the step once.
    form_token = models.UUIDField(_("form token"), unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("prospect event")
        verbose_name_plural = _("prospect events")
        indexes = [models.Index(fields=["prospect", "-at"])]

    def __str__(self):
        return f"{self.prospect_id} {self.kind} {self.step or ''}"


class CareReminderQuerySet(ScopedQuerySet):
    """A reminder is about a contact of a customer: visible with that customer."""

    unit_path = "contact__customer__unit"
    own_path = ("contact__customer__visiting_person", "contact__customer__sales_owner")


class CareReminder(models.Model):
    """The record that a contact's care date (one occurrence) was reminded.

    Unique per contact and occurrence: the reminder job claims this row and
    notifies in the same transaction, so running it twice, or again after it
    was killed half way, reminds nobody twice.
    """

    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.CASCADE,
        related_name="care_reminders",
        verbose_name=_("contact"),
    )
    occasion = models.DateField(_("care date this year"))
    recipient = user_fk(_("reminded"))
    notification = models.ForeignKey(
        "core.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notification"),
    )
    created_at = models.DateTimeField(_("reminded at"), auto_now_add=True)

    objects = CareReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-occasion", "-pk"]
        verbose_name = _("care reminder")
        verbose_name_plural = _("care reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "occasion"], name="care_reminder_once_per_occasion"
            )
        ]
        indexes = [models.Index(fields=["occasion"])]

    def __str__(self):
        return f"{self.contact_id} {self.occasion}"
