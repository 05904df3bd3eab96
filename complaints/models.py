"""Complaint tickets (客户投诉): the record, its deadline policy and its timeline.

As the complaint-handling procedure (客户投诉处理作业规定) and the customer
opinion survey (客户意见调查) define them. Transitions are services
(complaints/services/); the transition table and the deadline arithmetic are
pure rules (complaints/rules.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import create_token, edit_version, events_of, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import EventBase, Timestamped

from .rules import AUDIO_EXTENSION


class Channel(models.TextChoices):
    """How the complaint reached us. A transfer from the postal regulator's
    appeal line (12305) carries the due date of its transfer notice; the
    others are complaints made to the company."""

    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    ONLINE = "online", _("Online")
    POSTAL_12305 = "postal_12305", _("Transferred from the 12305 postal appeal line")
    PLATFORM = "platform", _("Transferred from a platform")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Investigating")
    PROPOSED = "proposed", _("Solution proposed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back")
    RESOLVED = "resolved", _("Resolved")
    NOTIFIED = "notified", _("Customer notified")
    CLOSED = "closed", _("Closed")


# Before RESOLVED the deadline runs; from RESOLVED on it has been met (or missed).
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.INVESTIGATING,
    Status.PROPOSED,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.SENT_BACK,
)
DONE_STATUSES = (Status.RESOLVED, Status.NOTIFIED, Status.CLOSED)
# The regulatory clock runs until the customer is told the result.
REGULATORY_OPEN_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


class NoticeMeans(models.TextChoices):
    """How the answer reached the customer: in writing (客户投诉处理作业规定 第15条:
    书面通知), or for a general complaint also by phone (客户服务管理制度 第12条: 书面或电话)."""

    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    IN_PERSON = "in_person", _("Handed over in person")
    PHONE = "phone", _("Phone")


# A major complaint's outcome still goes to the customer in writing.
WRITTEN_NOTICE_MEANS = (
    NoticeMeans.LETTER,
    NoticeMeans.EMAIL,
    NoticeMeans.FAX,
    NoticeMeans.IN_PERSON,
)


class PauseReason(models.TextChoices):
    """Why the internal clock is stopped."""

    OUTLET_REPLY = "outlet_reply", _("Waiting for the outlet's reply")
    CUSTOMER_EVIDENCE = "customer_evidence", _("Waiting for the customer's evidence")


def recording_upload_to(instance, filename: str) -> str:
    """A random name with the extension of the detected audio type: the
    uploader's file name is never used on disk (no traversal, no guessing)."""
    ext = AUDIO_EXTENSION.get(instance.recording_content_type, ".bin")
    return f"complaints/recordings/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class ComplaintCategory(models.Model):
    """A complaint category; the list is data that admins edit."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class DeadlinePolicyQuerySet(models.QuerySet):
    def matching(self, *, severity: str, category_id: int | None, grade: str):
        """The policies that apply to a complaint: its severity, its category or
        any, its customer's grade or any (pick one with `rules.most_specific`)."""
        return self.filter(
            Q(severity=severity),
            Q(category__isnull=True) | Q(category_id=category_id),
            Q(customer_grade="") | Q(customer_grade=grade or ""),
        )


class DeadlinePolicy(models.Model):
    """Working days allowed from receipt to resolution, per severity, and
    optionally per category and per customer grade (admin-editable). A blank
    category or grade means "any"; the most specific policy that matches wins
    (complaints.rules.most_specific)."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    category = models.ForeignKey(
        ComplaintCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Blank: any category."),
    )
    customer_grade = models.CharField(
        _("customer grade"),
        max_length=10,
        blank=True,
        help_text=_(
            "Blank: any grade. A policy for a grade is that grade's green-channel "
            "promise, shown on its customers' cards."
        ),
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days to resolve"),
        help_text=_(
            "The deadline is the end of the working day this many working days after receipt."
        ),
    )

    objects = DeadlinePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["severity", "customer_grade", "category"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["severity", "category", "customer_grade"],
                nulls_distinct=False,
                name="deadline_policy_unique",
            ),
        ]

    def __str__(self):
        parts = [str(self.get_severity_display())]
        if self.category_id:
            parts.append(str(self.category))
        if self.customer_grade:
            parts.append(self.customer_grade)
        return f"{' · '.join(parts)}: {self.working_days}"


class RegulatoryLimit(models.Model):
    """How long the regulator allows to handle a complaint and tell the
    customer the result, with the text it comes from (admin-editable)."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Complaint made to the company")
        POSTAL_12305 = "postal_12305", _("Transfer from the 12305 postal appeal line")

    kind = models.CharField(_("applies to"), max_length=20, choices=Kind.choices, unique=True)
    calendar_days = models.PositiveSmallIntegerField(
        _("calendar days"),
        help_text=_(
            "Calendar days from the moment of receipt, to the second: weekends, "
            "holidays and make-up working days (调休) do not change it, and the "
            "regulatory clock never pauses. For a 12305 transfer this is only the "
            "default: the due date on the transfer notice is entered with the complaint."
        ),
    )
    source = models.CharField(_("source"), max_length=100)
    source_text = models.TextField(_("source text"), max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("regulatory time limit")
        verbose_name_plural = _("regulatory time limits")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.calendar_days}"


class ComplaintSequence(models.Model):
    """The last complaint number given out in a year; claimed with SELECT FOR UPDATE."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("complaint number sequence")
        verbose_name_plural = _("complaint number sequences")

    def __str__(self):
        return f"{self.year}: {self.last}"


class ComplaintQuerySet(ScopedQuerySet):
    """Staff: those they logged or handle, and those of the customers they visit
    or sell to; supervisors and managers: their units'; admins: all."""

    unit_path = "unit"
    own_path = ("received_by", "handler", "customer__visiting_person", "customer__sales_owner")

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        """Still open past their deadline, with the clock running (a paused
        complaint's deadline moves on when it resumes)."""
        return self.open().filter(deadline__lt=now or timezone.now(), paused_since__isnull=True)

    def on_time(self, value: bool = True):
        cond = Q(resolved_at__isnull=False, resolved_at__lte=models.F("deadline"))
        return self.filter(cond) if value else self.exclude(cond)

    def mine(self, user):
        """Those the user logged or handles (the staff view of "my complaints")."""
        return self.filter(Q(received_by=user) | Q(handler=user))


class Complaint(Timestamped):
    """Customer complaint record (客户投诉记录表) and the state of its handling."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("customer"),
        db_index=False,  # led by the (customer, received_at) index below
    )
    # Copied from the customer when logged: a complaint stays with the unit that
    # took it even if the customer moves later.
    unit = models.ForeignKey(
        ServiceUnit,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("unit"),
        db_index=False,  # led by the (unit, ...) indexes below
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints_received",
        verbose_name=_("received by"),
        db_index=False,
    )
    complainant = models.CharField(_("complainant"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    content = models.TextField(_("complaint"), max_length=TEXT_MAX_LENGTH)
    demand = models.TextField(_("customer's demand"), blank=True, max_length=TEXT_MAX_LENGTH)
    category = models.ForeignKey(
        ComplaintCategory,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("category"),
        db_index=False,
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    responsible_department = models.CharField(
        _("responsible department"), max_length=100, blank=True
    )
    # The outlet the complaint is charged to, and where the parcel came from
    # and went to, where known.
    responsible_outlet = models.ForeignKey(
        "customers.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("responsible outlet"),
    )
    origin_outlet = models.ForeignKey(
        "customers.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin outlet"),
    )
    destination_outlet = models.ForeignKey(
        "customers.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination outlet"),
    )
    waybills = models.ManyToManyField(
        "customers.Waybill", blank=True, related_name="complaints", verbose_name=_("waybills")
    )
    # A complaint logged on a waybill that had another complaint in the 30
    # days before: the newest such complaint (complaints.services.waybills).
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    # Merged into another complaint about the same waybill: closed, and its
    # page answers with a redirect to the survivor (complaints.services.merge).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name=_("handler"),
        db_index=False,
    )
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )

    # Letters: the acknowledgement sent at once (客户投诉处理作业规定 第14条).
    acknowledged_on = models.DateField(_("acknowledgement sent on"), null=True, blank=True)
    # Phone: the recording, stored under MEDIA_ROOT with a random name.
    recording = models.FileField(
        _("recording"), upload_to=recording_upload_to, max_length=200, blank=True
    )
    recording_content_type = models.CharField(max_length=40, blank=True, editable=False)
    recording_size = models.PositiveIntegerField(null=True, blank=True, editable=False)

    cause = models.TextField(_("cause"), blank=True, max_length=TEXT_MAX_LENGTH)
    solution = models.TextField(_("solution"), blank=True, max_length=TEXT_MAX_LENGTH)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    proposed_by = user_fk(_("proposed by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = user_fk(_("approved by"))
    approval_comment = models.TextField(
        _("approval comment"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = user_fk(_("resolved by"))
    notified_on = models.DateField(_("customer notified on"), null=True, blank=True)
    notice_means = models.CharField(
        _("notified by"), max_length=12, choices=NoticeMeans.choices, blank=True
    )
    return_visit_at = models.DateTimeField(_("return visit at"), null=True, blank=True)
    return_visit_by = user_fk(_("return visit by"))
    satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    return_visit_note = models.TextField(
        _("return visit note"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Claimed by the deadline jobs with a conditional UPDATE: each fires once
    # per deadline (a reopened complaint gets a new deadline and both cleared).
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    # The regulator's limit to handle it and tell the customer the result
    # (RegulatoryLimit): never paused, met by the notice to the customer.
    regulatory_due = models.DateTimeField(_("regulatory due date"), null=True, blank=True)
    regulatory_source = models.CharField(_("regulatory source"), max_length=100, blank=True)
    # The day the customer was first told the result: what the regulator
    # asks for. Kept when a return visit reopens the complaint (notified_on
    # is then cleared for the next notice), so an answer in time stays in time.
    regulatory_answered_on = models.DateField(_("first told the result on"), null=True, blank=True)
    regulatory_reminded_at = models.DateTimeField(
        _("regulatory reminder sent at"), null=True, blank=True
    )
    regulatory_escalated_at = models.DateTimeField(
        _("regulatory breach reported at"), null=True, blank=True
    )
    # Set while the internal clock is stopped (ComplaintPause has the history).
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(
        _("pause reason"), max_length=20, choices=PauseReason.choices, blank=True
    )

    version = edit_version()
    form_token = create_token()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        # One index per register filter, led by the unit for supervisors'
        # and managers' scope; the deadline sweep reads (status, deadline).
        indexes = [
            models.Index(fields=["unit", "-received_at"], name="complaint_unit_received"),
            models.Index(fields=["unit", "status"], name="complaint_unit_status"),
            models.Index(fields=["status", "deadline"], name="complaint_status_deadline"),
            models.Index(fields=["-received_at"], name="complaint_received"),
            models.Index(fields=["severity", "-received_at"], name="complaint_severity"),
            models.Index(fields=["category", "-received_at"], name="complaint_category"),
            models.Index(fields=["channel", "-received_at"], name="complaint_channel"),
            models.Index(fields=["customer", "-received_at"], name="complaint_customer"),
            models.Index(fields=["handler", "status"], name="complaint_handler"),
            models.Index(fields=["received_by", "status"], name="complaint_received_by"),
            models.Index(fields=["deadline"], name="complaint_deadline"),
            models.Index(fields=["resolved_at"], name="complaint_resolved"),
            models.Index(fields=["status", "regulatory_due"], name="complaint_status_regdue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="letter") | Q(acknowledged_on__isnull=False),
                name="complaint_letter_acknowledged",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and not self.paused_since and self.deadline < (now or timezone.now())

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def regulatory_open(self) -> bool:
        """The customer has not been told the result yet."""
        return self.status in REGULATORY_OPEN_STATUSES and self.regulatory_answered_on is None

    def regulatory_overdue(self, now=None) -> bool:
        return bool(
            self.regulatory_open
            and self.regulatory_due
            and self.regulatory_due < (now or timezone.now())
        )

    @property
    def resolved_on_time(self) -> bool | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at <= self.deadline

    @property
    def needs_approval(self) -> bool:
        return self.severity == Severity.MAJOR


class ComplaintEvent(EventBase):
    """One line of a complaint's timeline: who did what, when, from which status to which."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        INVESTIGATION_STARTED = "investigation_started", _("Investigation started")
        FINDINGS = "findings", _("Findings recorded")
        ASSIGNED = "assigned", _("Handler assigned")
        PROPOSED = "proposed", _("Solution proposed")
        APPROVED = "approved", _("Solution approved")
        SENT_BACK = "sent_back", _("Solution sent back")
        RESOLVED = "resolved", _("Resolved")
        NOTIFIED = "notified", _("Customer notified")
        RETURN_VISIT = "return_visit", _("Return visit")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        RECORDING = "recording", _("Recording attached")
        REMINDED = "reminded", _("Deadline reminder sent")
        ESCALATED = "escalated", _("Escalated past the deadline")
        PAUSED = "paused", _("Clock paused")
        RESUMED = "resumed", _("Clock resumed")
        REGULATORY_REMINDED = "regulatory_reminded", _("Regulatory due date reminder sent")
        REGULATORY_ESCALATED = "regulatory_escalated", _("Regulatory due date passed")
        WAYBILLS = "waybills", _("Waybill numbers changed")
        MERGED = "merged", _("Merged into another complaint")
        MERGE_RECEIVED = "merge_received", _("Another complaint merged into this one")

    # No index of its own: the (complaint, at) index leads with it.
    complaint = events_of(Complaint, _("complaint"), db_index=False)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    # The services pass the time: the deadline jobs write theirs as of the
    # moment they ran.
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The columns keep their first names (from_status, to_status).
    from_state = models.CharField(
        _("from status"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        db_column="from_status",
    )
    to_state = models.CharField(
        _("to status"), max_length=20, choices=Status.choices, blank=True, db_column="to_status"
    )
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)

    @property
    def from_status(self) -> str:
        return self.from_state

    @property
    def to_status(self) -> str:
        return self.to_state

    def get_from_status_display(self):
        return self.get_from_state_display()

    def get_to_status_display(self):
        return self.get_to_state_display()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"


class ComplaintPause(models.Model):
    """One stop of a complaint's internal clock: from when, until when (open
    while it waits), why. The regulatory clock does not stop."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("complaint")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX_LENGTH)
    started_at = models.DateTimeField(_("paused at"))
    started_by = user_fk(_("paused by"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    ended_by = user_fk(_("resumed by"))

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("complaint pause")
        verbose_name_plural = _("complaint pauses")
        constraints = [
            # At most one open pause per complaint.
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(ended_at__isnull=True),
                name="complaint_one_open_pause",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="complaint_pause_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.started_at:%Y-%m-%d %H:%M}"
