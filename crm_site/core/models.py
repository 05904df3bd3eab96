"""Cross-cutting records shared by every app."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Role
from crm_site.accounts.scope import ScopedQuerySet, is_at_least, owned_by

from .fields import user_fk


class CreatedAt(models.Model):
    """When the row was created (stamped on its first save)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Timestamped(CreatedAt):
    """When the row was created and when it was last saved."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EventBase(models.Model):
    """One line of an object's history: who did what, when, from which state to which.

    Every timeline table (complaints, urgent reports, daily reports, monthly
    summaries, prospects) inherits these columns and adds its foreign key to
    the object, its `Kind` choices and its own columns. `at` is the moment the
    row is saved; a table whose services pass the time (jobs that run "as of"
    a moment) overrides it with a default instead.
    from_state/to_state are blank for an event that does not move the state.
    Written by crm_site.core.workflow.transition() (or by the services for
    events outside a transition).
    """

    actor = user_fk(_("by"))
    kind = models.CharField(_("kind"), max_length=30)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_state = models.CharField(_("from state"), max_length=30, blank=True, default="")
    to_state = models.CharField(_("to state"), max_length=30, blank=True, default="")
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True


class ColumnAlias:
    """An event attribute kept in a column of another name: a large history
    table keeps its columns and still reads and writes as an EventBase."""

    def __init__(self, column: str):
        self.column = column

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj, self.column)

    def __set__(self, obj, value) -> None:
        setattr(obj, self.column, value)


class WorkerHeartbeat(models.Model):
    """When a background worker last ran a job, per job name (shown to admins)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return self.name


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A user sees only their own notifications, whatever the role: a
        notification is addressed to one person, not to a unit."""
        return owned_by(self, user, "recipient")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_claimable(self, now):
        """Pending e-mail nobody is sending: never claimed, or claimed by a
        worker that died before finishing (its claim is older than the lease)."""
        stale = now - timedelta(seconds=Notification.EMAIL_CLAIM_SECONDS)
        return self.filter(email_status=Notification.EmailStatus.PENDING).filter(
            models.Q(email_claimed_at=None) | models.Q(email_claimed_at__lt=stale)
        )


class Notification(CreatedAt):
    """An in-app notification (the bell), optionally also sent by e-mail.

    `dedupe_key` makes a notification idempotent: a job that runs twice (or a
    redelivered message) cannot notify the same person twice for one event.

    The row is also the e-mail's outbox: `email_status` stays pending until
    the mail server has taken the message (crm_site/core/mail_outbox.py).
    """

    class EmailStatus(models.TextChoices):
        NONE = "", _("not e-mailed")
        PENDING = "pending", _("e-mail waiting to be sent")
        SENT = "sent", _("e-mailed")
        FAILED = "failed", _("e-mail refused by the mail server")

    # A claim older than this belongs to a worker that died while sending; it
    # must outlast EMAIL_TIMEOUT, or a slow send could be repeated.
    EMAIL_CLAIM_SECONDS = 600

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail status"), max_length=10, choices=EmailStatus.choices, default="", blank=True
    )
    email_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The outbox sweeper reads only the few e-mails still pending.
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_status="pending"),
                name="notification_email_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_unique_dedupe_key",
            )
        ]

    def __str__(self):
        return self.title


class WorkCalendarDay(models.Model):
    """An exception to the weekly pattern (weekends off): a holiday on a
    weekday, or a make-up working day (调休) on a weekend. Chinese public
    holidays move every year, so admins enter them."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(
        _("working day"), help_text=_("Tick for a make-up working day, untick for a day off.")
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("work calendar day")
        verbose_name_plural = _("work calendar")

    def __str__(self):
        return f"{self.date} {self.note}"


# Labels for the actions the code writes; an unknown action shows as written.
AUDIT_ACTION_LABELS = {
    "login": _("Signed in"),
    "logout": _("Signed out"),
    "login_failed": _("Failed sign-in"),
    "role_changed": _("Role changed"),
    "export": _("Export"),
    "import": _("Import"),
    "rule_edit": _("Grading rule edited"),
    "delete": _("Deletion"),
    "work_calendar_load": _("Work calendar loaded"),
    "password_changed": _("Password changed"),
    "two_factor.enabled": _("Two-factor sign-in turned on"),
    "two_factor.disabled": _("Two-factor sign-in turned off"),
    "two_factor.codes_regenerated": _("New recovery codes"),
    "two_factor.recovery_code_used": _("Signed in with a recovery code"),
    "two_factor.failed": _("Wrong two-factor code"),
    "two_factor.enrolment_code_issued": _("Two-factor enrolment code issued"),
    "customers.export": _("Customer list exported"),
    "customers.import": _("Customers imported"),
    "customers.contact_delete": _("Contact deleted"),
    "customers.personal_data_export": _("Personal data exported"),
    "customers.anonymise": _("Personal data anonymised"),
    "customers.regrade_requested": _("Regrade requested"),
    "customers.survey_export": _("Service survey figures exported"),
    "customers.prospect_create": _("Prospect recorded"),
    "customers.prospect_won": _("Prospect became a customer"),
    "customers.prospect_drop": _("Prospect dropped"),
    "grading_rule.save": _("Grading rule edited"),
    "outlets.create": _("Outlet added"),
    "outlets.update": _("Outlet changed"),
    "outlets.deactivate": _("Outlet deactivated"),
    "outlets.activate": _("Outlet activated"),
    "outlets.import": _("Outlets imported"),
    "outlets.export": _("Outlet register exported"),
    "visits.entry_delete": _("Daily report entry deleted"),
    "complaints.export": _("Complaint register exported"),
    "complaint.recording": _("Complaint recording downloaded"),
    "claims.export": _("Claims register exported"),
    "claim.evidence": _("Claim evidence downloaded"),
    "admin.addition": _("Added in administration"),
    "admin.change": _("Changed in administration"),
    "admin.deletion": _("Deleted in administration"),
    "security.not_found_probe": _("Many objects not found (possible id probing)"),
    "api_key.create": _("API key created"),
    "api_key.revoke": _("API key revoked"),
    "api_key.use": _("API key used"),
    "webhook.replay": _("Webhook delivery replayed"),
}


class AuditLogQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Only admins read the audit log: it records every unit's events and has
        no unit of its own, so there is no unit scope to declare."""
        return self if is_at_least(user, Role.ADMIN) else self.none()


class AuditLog(models.Model):
    """Append-only log of security-relevant events and data changes.

    Written through crm_site.core.services.audit(); never updated or deleted.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # No database constraint and no SET NULL: the log is never updated, so the
    # id of a deleted user stays (with the username copied beside it).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self):
        return AUDIT_ACTION_LABELS.get(self.action, self.action)


class ExportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An export belongs to the user who asked for it: its rows were chosen by
        that user's scope, so nobody else (not even their supervisor) reads it."""
        return owned_by(self, user, "user")


class ExportJob(CreatedAt):
    """A large export written in the background (more than
    CRM_EXPORT_SYNC_LIMIT rows): the page shows its progress and a download."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.CharField(_("file"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:export_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
