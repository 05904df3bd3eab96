"""Urgent reports (巡访紧急报告): the models of the visits.urgent sub-domain."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import EventBase


class UrgentReportQuerySet(ScopedQuerySet):
    """Supervisors: their unit's; managers: their units' and any assigned to
    them; admins: all; staff: none (they flag entries instead)."""

    unit_path = "unit"
    own_path = None
    assignee_path = "assignee"

    def open(self):
        return self.exclude(status=UrgentReport.Status.RESOLVED)

    def unacknowledged(self):
        """Still waiting for a manager to acknowledge (pending routing or routed)."""
        return self.filter(status__in=UrgentReport.UNACKNOWLEDGED)

    def overdue(self, now):
        """Not acknowledged and past the deadline to acknowledge."""
        return self.unacknowledged().filter(ack_deadline__lte=now)


class UrgentReport(models.Model):
    """巡访紧急报告: a matter the unit cannot settle, raised by a supervisor and
    routed in the background to a manager."""

    class Category(models.TextChoices):
        # The four kinds of the patrol report rules (巡访报告), plus "other urgent matters".
        COMPETITOR_POLICY = "competitor_policy", _("A competitor's major policy change")
        COMPETITOR_SERVICE = "competitor_service", _("A competitor's new service")
        COMPETITOR_TREND = "competitor_trend", _("New trends in competitors' sales or service")
        OWN_SERVICE = "own_service", _("A major defect or problem in our own service")
        OTHER = "other", _("Other urgent matter")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending routing")
        ROUTED = "routed", _("Routed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    unit = unit_fk("urgent_reports", verbose_name=_("unit"))
    raised_by = user_fk(_("raised by"), related_name="urgent_reports_raised", optional=False)
    source_entry = models.ForeignKey(
        "DailyReportEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="urgent_reports",
        verbose_name=_("daily report entry"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="urgent_reports",
        verbose_name=_("customer"),
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), max_length=TEXT_MAX_LENGTH)
    proposal = models.TextField(_("supervisor's proposal"), blank=True, max_length=TEXT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    assignee = user_fk(_("assigned manager"), related_name="urgent_reports_assigned")
    ack_deadline = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Stamped when the unit's managers were alerted that routing is late: once.
    routing_alarmed_at = models.DateTimeField(_("routing delay alerted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The raising form's idempotency token: a resent POST finds the first report.
    form_token = models.UUIDField(
        _("form token"), null=True, blank=True, unique=True, editable=False
    )

    waybills = models.ManyToManyField(
        "customers.Waybill", blank=True, related_name="urgent_reports", verbose_name=_("waybills")
    )

    objects = UrgentReportQuerySet.as_manager()

    UNACKNOWLEDGED = (Status.PENDING, Status.ROUTED)
    OPEN_STATUSES = (Status.PENDING, Status.ROUTED, Status.ACKNOWLEDGED)
    WORKABLE = (Status.ROUTED, Status.ACKNOWLEDGED)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("urgent report")
        verbose_name_plural = _("urgent reports")
        indexes = [
            models.Index(fields=["unit", "status", "ack_deadline"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["unit", "created_at"]),
            models.Index(fields=["unit", "resolved_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:urgent_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED


class UrgentReportEvent(EventBase):
    """The timeline of an urgent report: who did what, when."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        ROUTED = "routed", _("Routed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        COMMENTED = "commented", _("Commented")
        REASSIGNED = "reassigned", _("Reassigned")
        TAKEN_OVER = "taken_over", _("Taken over")
        ROUTING_DELAYED = "routing_delayed", _("Routing delayed")
        ESCALATED = "escalated", _("Escalated")
        RESOLVED = "resolved", _("Resolved")

    report = events_of(UrgentReport, _("urgent report"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)
    # A comment form's idempotency token: a double-clicked comment is kept once.
    token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("urgent report event")
        verbose_name_plural = _("urgent report events")
        indexes = [models.Index(fields=["report", "at"])]

    def __str__(self):
        return f"{self.report_id} {self.kind}"
