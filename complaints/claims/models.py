"""Claims (理赔): what a customer asks to be paid for a lost, damaged, delayed
or short parcel, filed on a complaint and its waybills; the loss assessment,
the approval, the payout or the refusal; the evidence and the timeline.

Imported at the end of complaints/models.py, so the models belong to the
complaints app. A claim keeps its complaint's unit (copied when filed) for
scope and figures; staff see the claims of the complaints they see.
"""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import create_token, edit_version, events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import CreatedAt, EventBase, Timestamped

from . import rules

NOT_NEGATIVE = [MinValueValidator(Decimal("0.00"))]
# What a register row shows of a claim's links (select_related).
ROW_RELATED = ("complaint", "complaint__customer", "complaint__responsible_outlet", "unit")


def money(verbose_name, *, optional: bool = False, **options) -> models.DecimalField:
    """An amount in yuan to the cent, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        null=optional,
        blank=optional,
        validators=NOT_NEGATIVE,
        **options,
    )


class ClaimKind(models.TextChoices):
    LOST = "lost", pgettext_lazy("claim type", "Lost")
    DAMAGED = "damaged", pgettext_lazy("claim type", "Damaged")
    DELAYED = "delayed", pgettext_lazy("claim type", "Delayed")
    SHORT = "short", pgettext_lazy("claim type", "Short")
    OTHER = "other", pgettext_lazy("claim type", "Other")


class ClaimState(models.TextChoices):
    ACCEPTED = rules.ACCEPTED, pgettext_lazy("claim state", "Accepted")
    ASSESSED = rules.ASSESSED, pgettext_lazy("claim state", "Assessed")
    APPROVED = rules.APPROVED, pgettext_lazy("claim state", "Approved")
    PAID = rules.PAID, pgettext_lazy("claim state", "Paid")
    REJECTED = rules.REJECTED, pgettext_lazy("claim state", "Rejected")


class ClaimPolicy(models.Model):
    """A unit's approval threshold: claims assessed above it need a manager's
    approval, those up to it a supervisor's (admins edit it)."""

    unit = models.OneToOneField(
        "accounts.ServiceUnit",
        on_delete=models.CASCADE,
        related_name="claim_policy",
        verbose_name=_("service unit"),
    )
    manager_threshold = money(
        _("manager approval above (yuan)"), default=rules.DEFAULT_MANAGER_THRESHOLD
    )

    class Meta:
        verbose_name = _("claim approval threshold")
        verbose_name_plural = _("claim approval thresholds")

    def __str__(self) -> str:
        return f"{self.unit}: {self.manager_threshold}"


class ClaimQuerySet(ScopedQuerySet):
    """The complaint's scope: staff see the claims of the complaints they
    logged or handle, and of the customers they visit or sell to; supervisors
    and managers their units'; admins all."""

    unit_path = "unit"
    own_path = (
        "complaint__received_by",
        "complaint__handler",
        "complaint__customer__visiting_person",
        "complaint__customer__sales_owner",
    )

    def open(self):
        return self.filter(state__in=rules.OPEN)

    def paid(self):
        return self.filter(state=rules.PAID)


class Claim(Timestamped):
    """One claim (理赔申请) on a complaint."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("complaint"),
    )
    # The n-th claim of its complaint: the claim's number is <complaint>-L<n>.
    seq = models.PositiveSmallIntegerField(_("claim of the complaint"), default=1)
    unit = unit_fk("claims")
    waybills = models.ManyToManyField(
        "customers.Waybill", blank=True, related_name="claims", verbose_name=_("waybills")
    )
    kind = models.CharField(_("claim type"), max_length=10, choices=ClaimKind.choices)
    declared_value = money(_("declared value"), optional=True)
    insured = models.BooleanField(_("insured"), default=False)
    amount_claimed = money(_("amount claimed"))
    description = models.TextField(_("what happened"), blank=True, max_length=TEXT_MAX_LENGTH)
    state = models.CharField(
        _("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.ACCEPTED
    )
    logged_by = user_fk(_("logged by"), optional=False)

    assessed_amount = money(_("assessed amount"), optional=True)
    assessment_note = models.TextField(_("assessment"), blank=True, max_length=TEXT_MAX_LENGTH)
    assessed_by = user_fk(_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    approval_level = models.CharField(_("approved as"), max_length=12, blank=True)
    approved_by = user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    paid_amount = money(_("amount paid"), optional=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_by = user_fk(_("payout recorded by"))
    paid_at = models.DateTimeField(_("payout recorded at"), null=True, blank=True)

    rejection_reason = models.TextField(
        _("reason for rejection"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    rejected_by = user_fk(_("rejected by"))
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)

    version = edit_version()
    form_token = create_token()

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="claim_unit_created"),
            models.Index(fields=["unit", "state"], name="claim_unit_state"),
            models.Index(fields=["state", "paid_on"], name="claim_state_paid"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="claim_complaint_seq"),
            models.CheckConstraint(
                condition=~Q(state=rules.PAID)
                | Q(paid_amount__isnull=False, paid_on__isnull=False),
                name="claim_paid_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state=rules.REJECTED) | ~Q(rejection_reason=""),
                name="claim_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.complaint.number}-L{self.seq}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:claim_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN

    @property
    def amount_to_approve(self) -> Decimal:
        """What the approval is about: the assessed amount, or the claimed one before it."""
        return self.assessed_amount if self.assessed_amount is not None else self.amount_claimed


def evidence_upload_to(instance, filename: str) -> str:
    """A random name with the extension of the detected type (never the uploader's name)."""
    ext = rules.EVIDENCE_EXTENSION.get(instance.content_type, ".bin")
    return f"complaints/claims/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class ClaimEvidence(CreatedAt):
    """A photo or a receipt attached to a claim."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("claim")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    # The uploader's file name, shown on the page only (not used on disk).
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = user_fk(_("uploaded by"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("claim evidence")
        verbose_name_plural = _("claim evidence")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ClaimEvent(EventBase):
    """One line of a claim's timeline."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Claim filed")
        ASSESSED = "assessed", _("Loss assessed")
        APPROVED = "approved", _("Claim approved")
        PAID = "paid", _("Payout recorded")
        REJECTED = "rejected", _("Claim rejected")
        EVIDENCE = "evidence", _("Evidence attached")

    claim = events_of(Claim, _("claim"), db_index=False)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    from_state = models.CharField(
        _("from state"), max_length=30, choices=ClaimState.choices, blank=True, default=""
    )
    to_state = models.CharField(
        _("to state"), max_length=30, choices=ClaimState.choices, blank=True, default=""
    )
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        indexes = [models.Index(fields=["claim", "at"], name="claim_event_at")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"
