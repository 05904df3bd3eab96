"""Service plans (客户服务计划) and planned contacts: the models of visits.plans.

A ServicePlan is the manager's plan for one unit and period: goals under the
three headings of the service rules (客户开发, 客户关系维护, 售后服务), the key
services, the survey items to probe, the grades it covers and the people who
carry it out. A PlannedContact is one contact on one person's calendar:
customer, day (and optional time window), kind, purpose and its state.
The nightly planner (visits/plans/planning.py) writes planned contacts in bulk;
what a person does to one (move, done, cancel) is a PlannedContactEvent.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Role
from crm_site.accounts.scope import ScopedQuerySet, active_role, owned_by
from crm_site.core.fields import edit_version, events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import EventBase, Timestamped


class ServicePlanQuerySet(ScopedQuerySet):
    """Supervisors and managers: their units' plans; admins: all; staff: the
    approved plans of their units (read-only), never a draft."""

    unit_path = "unit"
    own_path = None

    def visible_to(self, user):
        if active_role(user) == Role.STAFF:
            return self.filter(unit__in=user.unit_ids, status=ServicePlan.Status.APPROVED)
        return super().visible_to(user)

    def approved(self):
        return self.filter(status=ServicePlan.Status.APPROVED)

    def covering(self, day):
        return self.filter(start__lte=day, end__gte=day)


class ServicePlan(Timestamped):
    """客户服务计划: what a unit will do for its customers in a month or quarter."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    unit = unit_fk("service_plans")
    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(
        _("period"), max_length=10, choices=Period.choices, default=Period.MONTH
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    goal_development = models.TextField(
        _("customer development (客户开发)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    goal_relationship = models.TextField(
        _("customer relationship care (客户关系维护)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    goal_after_sales = models.TextField(
        _("after-sales service (售后服务)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    key_services = models.TextField(_("key services"), blank=True, max_length=TEXT_MAX_LENGTH)
    # Codes of the paired service-level survey items to probe this period.
    survey_items = models.JSONField(_("survey items"), default=list, blank=True)
    # Grade codes the plan covers (empty: every graded customer of the unit).
    grades = models.JSONField(_("grades covered"), default=list, blank=True)
    customers = models.ManyToManyField(
        "customers.Customer", blank=True, related_name="service_plans", verbose_name=_("customers")
    )
    people = models.ManyToManyField(
        "accounts.User", blank=True, related_name="service_plans", verbose_name=_("carried out by")
    )
    visits_target = models.PositiveIntegerField(_("visits planned for the period"), default=0)
    created_by = user_fk(_("drafted by"))
    approved_by = user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = edit_version()

    objects = ServicePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "unit_id", "pk"]
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="plan_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["unit", "start", "end"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:plan_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ServicePlanEventQuerySet(ScopedQuerySet):
    parent_path = "plan"


class ServicePlanEvent(EventBase):
    """History of a service plan: drafted, edited, approved."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Drafted")
        EDITED = "edited", _("Edited")
        APPROVED = "approved", _("Approved")

    plan = events_of(ServicePlan, _("service plan"))

    objects = ServicePlanEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("service plan event")
        verbose_name_plural = _("service plan events")

    def __str__(self):
        return f"{self.plan_id} {self.kind}"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    CALL = "call", _("Phone call")
    RECEPTION = "reception", _("Reception of a visiting customer (接待来访)")
    MEETING = "meeting", _("Big-customer meeting (座谈会)")
    NEEDS = "needs", _("Needs-analysis meeting (需求分析会)")
    TRAINING = "training", _("Training or lecture for the customer (讲座/培训)")
    GREETING = "greeting", _("Festival greeting to the customer's contacts (节日问候)")


# The kind of daily-report contact (visits.models.Kind) that fulfils each planned kind.
CALL_KINDS = (ContactKind.CALL, ContactKind.GREETING)


def entry_kind(kind: str) -> str:
    return "call" if kind in CALL_KINDS else "visit"


class PlannedContactQuerySet(ScopedQuerySet):
    """Staff: their own planned contacts; supervisors and managers: their
    units'; admins: all."""

    unit_path = "unit"
    own_path = "person"

    def open(self):
        return self.filter(state=PlannedContact.State.PLANNED)

    def between(self, start, end):
        """From `start` to `end`, both included; a bound that is None is open."""
        rows = self
        if start is not None:
            rows = rows.filter(day__gte=start)
        if end is not None:
            rows = rows.filter(day__lte=end)
        return rows


class PlannedContact(models.Model):
    """One contact on a person's calendar: planned, then done, missed or cancelled."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        AUTO = "auto", _("Planned from the cadence")
        MANUAL = "manual", _("Planned by hand")

    # The planner writes a few hundred thousand rows a night from ids it has
    # just read in the same transaction: the links are not checked row by row
    # in the database (db_constraint=False); deletes still cascade or are
    # refused through the ORM (on_delete).
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="planned_contacts",
        verbose_name=_("customer"),
        db_constraint=False,
    )
    person = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="planned_contacts",
        verbose_name=_("person"),
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "accounts.ServiceUnit",
        on_delete=models.PROTECT,
        related_name="planned_contacts",
        verbose_name=_("service unit"),
        db_constraint=False,
    )
    plan = models.ForeignKey(
        ServicePlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("service plan"),
    )
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ContactKind.choices)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.AUTO
    )
    # Set once a person moves it: the planner never moves or replaces it.
    moved = models.BooleanField(_("moved by a person"), default=False)
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_contacts",
        verbose_name=_("contact made"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PlannedContactQuerySet.as_manager()

    class Meta:
        ordering = ["day", "start_time", "pk"]
        verbose_name = _("planned contact")
        verbose_name_plural = _("planned contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "person", "day", "kind"],
                name="planned_contact_unique_per_day_and_kind",
                violation_error_message=_(
                    "This person already has a contact of this kind with this customer that day."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["person", "day"]),
            models.Index(fields=["unit", "day"]),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.kind} {self.day}"

    def get_absolute_url(self):
        return reverse("visits:planned_contact", args=[self.pk])

    @property
    def entry_kind(self) -> str:
        return entry_kind(self.kind)


class PlannedContactEventQuerySet(ScopedQuerySet):
    parent_path = "contact"


class PlannedContactEvent(EventBase):
    """History of a planned contact: moved, done, missed, cancelled."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Planned")
        MOVED = "moved", _("Moved")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    contact = events_of(PlannedContact, _("planned contact"))

    objects = PlannedContactEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("planned contact event")
        verbose_name_plural = _("planned contact events")
        indexes = [models.Index(fields=["contact", "at"])]

    def __str__(self):
        return f"{self.contact_id} {self.kind}"


class PlanRun(models.Model):
    """One run of the planner: the horizon it planned and what it wrote."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    created = models.PositiveIntegerField(_("planned contacts created"), default=0)
    missed = models.PositiveIntegerField(_("marked missed"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")

    def __str__(self):
        return f"{self.first_day}..{self.last_day}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A feed is private to its owner."""
        if not getattr(user, "is_active", False):
            return self.none()
        return owned_by(self, user, "user")

    def live(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A user's private iCalendar address; revoking it makes the address a 404."""

    user = user_fk(_("user"), related_name="calendar_feeds", optional=False)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_live"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
