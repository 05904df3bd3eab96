"""Monthly patrol summaries (每月巡访情况报告书).

One MonthlyPatrolSummary per service unit and month, built in the background
from that month's daily reports, visits, urgent reports and complaints
(reports/rollup.py computes the figures, reports/services.py writes them).
The figures are stored: what the supervisor signed is what the manager reads,
whatever happens to the source rows later; a cheap fingerprint of the source
rows tells when they changed (the stale flag).

A build only ever replaces the figure columns; the status, the supervisor's
commentary and the manager's review belong to people and are never touched
by a build.
"""

import json

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.accounts.scope import ScopedQuerySet
from crm_site.core.fields import edit_version, events_of, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import EventBase, Timestamped


class JSONTextField(models.TextField):
    """A JSON list kept as text: written as the database built it and parsed
    only when read. The summary's long lists (thousands of customers behind, of
    opinions and market notes) are never queried inside, and PostgreSQL spent
    far longer validating them as json/jsonb than building them."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)


class UnitRowsQuerySet(ScopedQuerySet):
    """The scope of this app's rows, each of one unit: supervisors see their
    unit's; managers their units'; admins all; staff none."""

    unit_path = "unit"
    own_path = None


class SummaryQuerySet(UnitRowsQuerySet):
    def awaiting_review(self):
        return self.filter(status=MonthlyPatrolSummary.Status.SUBMITTED)


class MonthlyPatrolSummary(Timestamped):
    """每月巡访情况报告书 of one unit for one month: figures, commentary, review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    unit = unit_fk("monthly_summaries")
    # The first day of the month (a date, so it sorts and filters like one).
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    # --- people's words (never touched by a build) --------------------------
    commentary = models.TextField(
        _("supervisor's commentary"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    submitted_by = user_fk(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_comment = models.TextField(_("manager's review"), blank=True, max_length=TEXT_MAX_LENGTH)
    reviewed_by = user_fk(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    # --- the build ------------------------------------------------------------
    built_at = models.DateTimeField(_("built at"))
    build_count = models.PositiveIntegerField(_("builds"), default=1)
    # The last day the figures count (the month's last day once it has closed).
    as_of = models.DateField(_("figures as of"))
    # Digest of the figures: a rebuild with the same figures notifies nobody.
    figures_digest = models.CharField(_("figures digest"), max_length=40, blank=True)
    # Counts and latest changes of the month's daily reports, entries and
    # visits when the figures were computed, and their digest (staleness).
    source = models.JSONField(_("source data"), default=dict, blank=True)
    source_fingerprint = models.CharField(_("source fingerprint"), max_length=40, blank=True)
    stale = models.BooleanField(_("stale"), default=False)
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    stale_changes = models.JSONField(_("changes since the build"), default=dict, blank=True)

    # Headline figures as columns: the list, the trend chart and the home
    # panels read these without loading the sections.
    customers = models.PositiveIntegerField(_("customers"), default=0)
    visits_done = models.PositiveIntegerField(_("on-site visits"), default=0)
    calls_done = models.PositiveIntegerField(_("phone calls"), default=0)
    visits_percent = models.FloatField(_("visit compliance %"), null=True, blank=True)
    calls_percent = models.FloatField(_("call compliance %"), null=True, blank=True)
    compliance_percent = models.FloatField(_("compliance %"), null=True, blank=True)
    customers_behind = models.PositiveIntegerField(_("customers behind"), default=0)
    opinions_count = models.PositiveIntegerField(_("opinions and suggestions"), default=0)
    market_count = models.PositiveIntegerField(_("market intelligence"), default=0)
    urgent_raised = models.PositiveIntegerField(_("urgent reports raised"), default=0)
    urgent_resolved = models.PositiveIntegerField(_("urgent reports resolved"), default=0)
    urgent_open = models.PositiveIntegerField(_("urgent reports open"), default=0)
    complaints_received = models.PositiveIntegerField(_("complaints received"), default=0)
    complaints_resolved = models.PositiveIntegerField(_("complaints resolved"), default=0)
    complaints_on_time = models.PositiveIntegerField(_("complaints resolved on time"), default=0)

    # The sections, as the page and the export show them (reports/rollup.py);
    # opinions and market are arrays in rollup.TEXT_COLUMNS order.
    activity = models.JSONField(_("activity"), default=dict, blank=True)
    compliance = models.JSONField(_("compliance"), default=dict, blank=True)
    behind = JSONTextField(_("customers behind"), default=list, blank=True)
    opinions = JSONTextField(_("opinions and suggestions"), default=list, blank=True)
    market = JSONTextField(_("market and competitor intelligence"), default=list, blank=True)
    urgent = models.JSONField(_("urgent reports"), default=dict, blank=True)
    complaints = models.JSONField(_("complaints"), default=dict, blank=True)

    version = edit_version()

    objects = SummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "unit__code"]
        verbose_name = _("monthly patrol summary")
        verbose_name_plural = _("monthly patrol summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                name="monthly_summary_one_per_unit_and_month",
                violation_error_message=_("There is already a summary for this unit and month."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_summary_month_is_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "status"]),
            models.Index(fields=["status", "month"]),
        ]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("reports:monthly_detail", args=[self.pk])

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


class SummaryEvent(EventBase):
    """History of a summary: builds, commentary, submission, review, staleness."""

    class Kind(models.TextChoices):
        BUILT = "built", _("Built")
        REBUILT = "rebuilt", _("Rebuilt")
        REBUILD_REQUESTED = "rebuild_requested", _("Rebuild requested")
        COMMENTED = "commented", _("Commentary saved")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")
        STALE = "stale", _("Daily reports changed")

    summary = events_of(MonthlyPatrolSummary, _("summary"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("summary event")
        verbose_name_plural = _("summary events")
        indexes = [models.Index(fields=["summary", "at"])]

    def __str__(self):
        return f"{self.summary_id} {self.kind}"


class RollupRequestQuerySet(UnitRowsQuerySet):
    """The same scope as the summaries they build."""

    def pending(self):
        return self.filter(done_at__isnull=True)


class RollupRequest(models.Model):
    """A build someone asked for ("build this month", "rebuild now").

    Recorded before the task is sent, so the sweeper sends it again when the
    broker was down or the worker died; the build marks it done in its own
    transaction. At most one pending request per unit and month.
    """

    unit = models.ForeignKey(
        ServiceUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("service unit")
    )
    month = models.DateField(_("month"))
    requested_by = user_fk(_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    summary = models.ForeignKey(
        MonthlyPatrolSummary,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("summary"),
    )

    objects = RollupRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("build request")
        verbose_name_plural = _("build requests")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=Q(done_at__isnull=True),
                name="rollup_request_one_pending_per_unit_and_month",
            )
        ]
        indexes = [models.Index(fields=["done_at", "requested_at"])]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m}"


class BigCustomerReview(models.Model):
    """大客户专员's quarterly review of a unit's top-grade customers (大客户专员主要职责:
    每季度对大客户服务情况进行一次审核). One per unit and quarter; one item per
    customer (reports/reviews.py)."""

    unit = unit_fk("big_customer_reviews")
    quarter = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    opened_by = user_fk(_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UnitRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter", "unit__code"]
        verbose_name = _("big-customer review")
        verbose_name_plural = _("big-customer reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "quarter"],
                name="big_customer_review_one_per_unit_quarter",
                violation_error_message=_("This unit already has a review for this quarter."),
            )
        ]
        indexes = [models.Index(fields=["quarter", "unit"])]

    def __str__(self):
        return f"{self.unit} {self.quarter_label}"

    def get_absolute_url(self):
        return reverse("reports:review_detail", args=[self.pk])

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter.year}Q{(self.quarter.month - 1) // 3 + 1}"


class BigCustomerReviewItem(models.Model):
    """One customer of a quarterly review: the checklist ticked, the findings,
    who recorded them and when."""

    review = models.ForeignKey(
        BigCustomerReview, on_delete=models.CASCADE, related_name="items", verbose_name=_("review")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="big_customer_review_items",
        verbose_name=_("customer"),
    )
    grade = models.CharField(_("grade when listed"), max_length=10, blank=True)
    checks = models.JSONField(_("checklist items done"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True, max_length=TEXT_MAX_LENGTH)
    reviewed_by = user_fk(_("recorded by"))
    reviewed_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["review", "customer__code"]
        verbose_name = _("big-customer review item")
        verbose_name_plural = _("big-customer review items")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "customer"], name="big_customer_review_item_one_per_customer"
            )
        ]
        indexes = [
            models.Index(fields=["customer"]),
            models.Index(fields=["review", "reviewed_at"]),
        ]

    def __str__(self):
        return f"{self.review_id} {self.customer_id}"
