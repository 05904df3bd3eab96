"""API keys, the first answers of idempotent creates, and webhook endpoints
with their delivery log."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from crm_site.accounts.models import Role
from crm_site.accounts.scope import ScopedQuerySet, is_at_least, owned_by
from crm_site.core.models import CreatedAt


class ApiKeyQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A user sees their own keys; admins see every key (to revoke one)."""
        if is_at_least(user, Role.ADMIN):
            return self
        return owned_by(self, user, "user")

    def usable(self):
        return self.filter(revoked=False)


class ApiKeyManager(BaseAPIKeyManager.from_queryset(ApiKeyQuerySet)):  # type: ignore[misc]
    pass


class ApiKey(AbstractAPIKey):
    """A key for an integration, bound to one user: requests made with it act
    with exactly that user's role and scope. Only its hash is stored; the key
    itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    read_only = models.BooleanField(_("read-only"), default=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyManager()  # type: ignore[misc]

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")  # type: ignore[assignment]
        verbose_name_plural = _("API keys")  # type: ignore[assignment]
        indexes = [models.Index(fields=["user", "-created"])]

    @property
    def state(self) -> str:
        if self.revoked:
            return "revoked"
        if self.has_expired:
            return "expired"
        return "active"

    @property
    def state_label(self):
        return {
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "active": _("Active"),
        }[self.state]


class IdempotentRequest(CreatedAt):
    """The first answer to a POST sent with an `Idempotency-Key` header: a retry
    with the same key gets this answer back and creates nothing. Written in the
    transaction of the create itself, so a create and its record stand or fall
    together; the unique key makes a concurrent twin wait for the first."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.method} {self.path} {self.key}"


class WebhookEvent(models.TextChoices):
    COMPLAINT_CREATED = "complaint.created", _("Complaint created")
    COMPLAINT_OVERDUE = "complaint.overdue", _("Complaint overdue")
    COMPLAINT_RESOLVED = "complaint.resolved", _("Complaint resolved")
    CLAIM_APPROVED = "claim.approved", _("Claim approved")
    CLAIM_PAID = "claim.paid", _("Claim paid")
    URGENT_ROUTED = "urgent_report.routed", _("Urgent report routed")
    URGENT_ESCALATED = "urgent_report.escalated", _("Urgent report escalated")
    SUMMARY_SUBMITTED = "monthly_summary.submitted", _("Monthly summary submitted")
    SUMMARY_REVIEWED = "monthly_summary.reviewed", _("Monthly summary reviewed")


class WebhookEndpoint(CreatedAt):
    """A receiver an admin registered: where to POST, the shared secret the
    signature is made with, and which events it wants."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=100,
        help_text=_("Shared with the receiver; signs every delivery (HMAC-SHA256)."),
    )
    events = models.JSONField(_("event types"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("admin:api_webhookendpoint_change", args=[self.pk])


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now):
        """Deliveries to try now: pending ones whose time came, and ones a worker
        claimed and never finished (it died): their lease ran out."""
        stale = now - timezone.timedelta(seconds=WebhookDelivery.CLAIM_SECONDS)
        return self.filter(
            models.Q(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
            | models.Q(state=WebhookDelivery.State.SENDING, claimed_at__lt=stale)
        )


class WebhookDelivery(CreatedAt):
    """One event for one endpoint, and its attempts: the row is written in the
    transaction of the event itself (nothing is lost when the broker is down or
    a worker dies mid-delivery), then sent by a worker and retried with
    exponential backoff until it is delivered or RETRY_HOURS have passed."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    # A claim older than this belongs to a worker that died; longer than the timeout.
    CLAIM_SECONDS = 120
    # Retries go on at least this long after the event (then: given up, replayable).
    RETRY_HOURS = 26

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="webhook_delivery_open",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, the answer's code (or the error), how long."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"
