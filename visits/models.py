"""Patrol visits and daily reports (巡访与日报表).

A Visit is one contact with a customer (on-site visit 走访 or phone call 电话).
Staff file one DailyReport per working day; each DailyReportEntry records one
contact and owns exactly one Visit, so a contact is never entered twice.
Writes go through visits/services.py; cadence arithmetic is in visits/cadence.py.

The columns later work aggregates on (monthly summary, urgent reports) are
plain and indexed: DailyReport.unit/user/date/status, entry.customer/kind/
occurred_at/needs_escalation, Visit.unit/user/customer/kind/occurred_at.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import ScopedQuerySet, active_role, owned_by
from crm_site.core.fields import events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import CreatedAt, EventBase, Timestamped


class Kind(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    CALL = "call", _("Phone call")


class VisitQuerySet(ScopedQuerySet):
    """Staff: visits they made; supervisor/manager: their units' (the unit kept
    on the visit); admin: all."""

    unit_path = "unit"
    own_path = "user"

    def visits(self):
        return self.filter(kind=Kind.VISIT)

    def calls(self):
        return self.filter(kind=Kind.CALL)

    def between(self, start, end):
        """Contacts with start <= occurred_at < end (aware datetimes)."""
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


class Visit(CreatedAt):
    """One contact with a customer: who, when, visit or call, and where it came from."""

    class Source(models.TextChoices):
        ENTRY = "entry", _("Daily report entry")
        DIRECT = "direct", _("Logged directly")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("customer"),
    )
    user = user_fk(_("by"), related_name="visits", optional=False)
    # The customer's unit when the contact was made: scope and unit rollups.
    unit = unit_fk("visits")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("time"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DIRECT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Idempotency token of the form or button that logged it: a resent POST
    # finds the row it created instead of logging the contact twice.
    form_token = models.UUIDField(_("form token"), null=True, blank=True, unique=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["unit", "occurred_at"]),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyReportQuerySet(ScopedQuerySet):
    """Staff: their own reports; supervisor/manager: their units'; admin: all."""

    unit_path = "unit"
    own_path = "user"

    def awaiting_review(self):
        return self.filter(status=DailyReport.Status.SUBMITTED)

    def with_counts(self):
        """Annotate entry and flagged-entry counts (one query for a whole page)."""
        return self.annotate(
            entry_count=models.Count("entries", distinct=True),
            flagged_count=models.Count(
                "entries", filter=Q(entries__needs_escalation=True), distinct=True
            ),
        )


class DailyReport(Timestamped):
    """日报表: one per staff member per day, draft → submitted → reviewed (or returned)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")
        RETURNED = "returned", _("Returned")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    SUBMITTABLE = (Status.DRAFT, Status.RETURNED)
    DONE = (Status.SUBMITTED, Status.REVIEWED)

    user = user_fk(_("staff member"), related_name="daily_reports", optional=False)
    unit = unit_fk("daily_reports")
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(
        _("remarks for the day"),
        blank=True,
        help_text=_("Optional; needed to submit a day without customer contacts."),
        max_length=TEXT_MAX_LENGTH,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = user_fk(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=TEXT_MAX_LENGTH)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"],
                name="daily_report_one_per_user_per_day",
                violation_error_message=_("There is already a daily report for this day."),
            )
        ]
        indexes = [
            models.Index(fields=["unit", "date"]),
            models.Index(fields=["unit", "status", "date"]),
            models.Index(fields=["date", "status"]),
        ]

    def __str__(self):
        return f"{self.user} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:report_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class DailyReportEventQuerySet(ScopedQuerySet):
    """History of the reports the user may see."""

    parent_path = "report"


class DailyReportEvent(EventBase):
    """History of a daily report: who created, submitted, reviewed or returned it."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        REVIEWED = "reviewed", _("Reviewed")
        RETURNED = "returned", _("Returned")
        ENTRY_FLAGGED = "entry_flagged", _("Entry marked as needing changes")

    report = events_of(DailyReport, _("report"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)

    objects = DailyReportEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("daily report event")
        verbose_name_plural = _("daily report events")
        indexes = [models.Index(fields=["report", "at"])]

    def __str__(self):
        return f"{self.report_id} {self.kind}"


class DailyReportEntryQuerySet(ScopedQuerySet):
    """Entries of the daily reports the user may see."""

    parent_path = "report"

    def flagged(self):
        """Entries the staff member flagged for escalation (urgent-report candidates)."""
        return self.filter(needs_escalation=True)

    def in_month(self, year: int, month: int):
        return self.filter(report__date__year=year, report__date__month=month)


class DailyReportEntry(Timestamped):
    """One customer contacted, with the six items of the seed form (日报表)."""

    report = models.ForeignKey(
        DailyReport, on_delete=models.CASCADE, related_name="entries", verbose_name=_("report")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="report_entries",
        verbose_name=_("customer"),
    )
    waybills = models.ManyToManyField(
        "customers.Waybill", blank=True, related_name="entries", verbose_name=_("waybills")
    )
    kind = models.CharField(_("visit or call"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("visit time"))
    opinions = models.TextField(
        _("customer opinions, suggestions and wishes"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    market = models.TextField(
        _("market conditions, competitor moves and other companies' sales policies"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
    )
    effect = models.TextField(_("effect of the visit"), blank=True, max_length=TEXT_MAX_LENGTH)
    handling = models.TextField(
        _("handling of the main matters and the result"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    other = models.TextField(_("other matters to report"), blank=True, max_length=TEXT_MAX_LENGTH)
    needs_escalation = models.BooleanField(_("needs escalation"), default=False)
    escalation_reason = models.TextField(
        _("reason for escalation"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    # Competitor tags of item 3 (the intelligence register filters on them).
    competitors: "models.ManyToManyField[Competitor, EntryCompetitor]" = models.ManyToManyField(
        "Competitor",
        through="EntryCompetitor",
        blank=True,
        related_name="entries",
        verbose_name=_("competitors"),
    )
    # Filing the entry records the contact: exactly one visit per entry.
    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, related_name="entry", verbose_name=_("visit")
    )
    form_token = models.UUIDField(_("form token"), unique=True)

    objects = DailyReportEntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("daily report entry")
        verbose_name_plural = _("daily report entries")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "customer", "kind"],
                name="daily_report_entry_one_per_customer_and_kind",
                violation_error_message=_(
                    "This report already has an entry for this customer and kind of contact."
                ),
            ),
            models.CheckConstraint(
                condition=Q(needs_escalation=False) | ~Q(escalation_reason=""),
                name="daily_report_entry_escalation_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(
                fields=["report"],
                condition=Q(needs_escalation=True),
                name="daily_entry_flagged_idx",
            ),
            # The intelligence register: entries with market text, newest first
            # (visits/intelligence.py; the trigram index on the text is raw SQL
            # in migration 0004).
            models.Index(
                models.F("occurred_at").desc(),
                models.F("id").desc(),
                condition=~Q(market=""),
                name="daily_entry_market_time_idx",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.customer_id}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#entry-{self.pk}"


class EntryFlagQuerySet(ScopedQuerySet):
    """Flags on the entries of the reports the user may see."""

    parent_path = "entry"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class EntryFlag(models.Model):
    """A reviewer's "needs changes" on one entry of a submitted report, with
    their own comment. Its author sees it on the returned report's entry; the
    report's resubmission (or review) resolves it."""

    entry = models.ForeignKey(
        DailyReportEntry, on_delete=models.CASCADE, related_name="flags", verbose_name=_("entry")
    )
    comment = models.TextField(_("comment"), max_length=TEXT_MAX_LENGTH)
    by = user_fk(_("flagged by"))
    at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = EntryFlagQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("entry flag")
        verbose_name_plural = _("entry flags")
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(resolved_at__isnull=True),
                name="entry_flag_one_open_per_entry",
            )
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.comment[:40]}"


class EntryDraftQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A draft is private to the author of the report: nobody reviews drafts,
        so no role widens it to a unit."""
        if not getattr(user, "is_active", False):
            return self.none()
        return owned_by(self, user, "report__user")


class EntryDraft(models.Model):
    """What the user typed into an entry form and has not saved yet (autosave).

    Kept on the server so a closed tab or an expired session loses nothing:
    one draft per report for a new entry (entry empty) and one per entry being
    edited.
    """

    report = models.ForeignKey(
        DailyReport, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("report")
    )
    entry = models.ForeignKey(
        DailyReportEntry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("entry"),
    )
    data = models.JSONField(_("data"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EntryDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry draft")
        verbose_name_plural = _("entry drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(entry__isnull=True),
                name="entry_draft_one_new_per_report",
            ),
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(entry__isnull=False),
                name="entry_draft_one_per_entry",
            ),
        ]

    def __str__(self):
        return f"{self.report_id}/{self.entry_id or 'new'}"


class CompetitorQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Competitor names are one vocabulary shared by every unit (the tags
        staff pick from), not unit data: any active user with a role sees them
        all. Which entries name a competitor is EntryCompetitor's scope."""
        if active_role(user) is None:
            return self.none()
        return self

    def named(self, name: str):
        """The competitor of this name, whatever its letter case and spacing."""
        return self.filter(name__iexact=" ".join((name or "").split()))


class Competitor(CreatedAt):
    """A competitor named in daily reports (item 3): a tag staff set on an entry.

    Staff create tags by typing a new name; an administrator can correct a
    name in the admin site.
    """

    name = models.CharField(_("name"), max_length=40)
    created_by = user_fk(_("created by"))

    objects = CompetitorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(
                Upper("name"),
                name="competitor_name_unique_ci",
                violation_error_message=_("A competitor with this name already exists."),
            )
        ]

    def __str__(self):
        return self.name


class EntryCompetitorQuerySet(ScopedQuerySet):
    """Tags on the entries the user may see."""

    parent_path = "entry"


class EntryCompetitor(models.Model):
    """A competitor tag on a daily-report entry."""

    entry = models.ForeignKey(
        DailyReportEntry,
        on_delete=models.CASCADE,
        related_name="competitor_tags",
        verbose_name=_("entry"),
    )
    competitor = models.ForeignKey(
        Competitor,
        on_delete=models.PROTECT,
        related_name="entry_tags",
        verbose_name=_("competitor"),
    )

    objects = EntryCompetitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("competitor tag")
        verbose_name_plural = _("competitor tags")
        constraints = [
            models.UniqueConstraint(fields=["entry", "competitor"], name="entry_competitor_unique")
        ]
        # The register's competitor filter walks this index (competitor -> entries).
        indexes = [models.Index(fields=["competitor", "entry"])]

    def __str__(self):
        return f"{self.entry_id} {self.competitor_id}"


# Sub-domain models live in their packages; imported here so the app registers them.
from .plans.models import (  # noqa: E402, F401
    CalendarFeed,
    PlannedContact,
    PlannedContactEvent,
    PlanRun,
    ServicePlan,
    ServicePlanEvent,
)
from .urgent.models import UrgentReport, UrgentReportEvent  # noqa: E402, F401
