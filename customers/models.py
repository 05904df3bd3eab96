"""The customer book: customer cards, contacts, grading rules and their history.

Grading arithmetic lives in customers/grading.py (pure); writes with rules in
customers/services.py.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region
from crm_site.accounts.scope import ScopedQuerySet, owned_by
from crm_site.core.fields import create_token, edit_version, unit_fk, user_fk
from crm_site.core.inputs import TEXT_MAX_LENGTH
from crm_site.core.models import ColumnAlias, CreatedAt, EventBase, Timestamped

from . import cargo, grading


class Nature(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    RETAILER = "retailer", _("Retailer")
    ECOMMERCE = "ecommerce", _("E-commerce")
    TRADING = "trading", _("Trading company")
    OTHER = "other", _("Other")


class Scale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Trend(models.TextChoices):
    GROWING = "growing", _("Growing")
    STABLE = "stable", _("Stable")
    DECLINING = "declining", _("Declining")


class Status(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class LogisticsService(models.Model):
    """An item of the logistics service catalogue (物流服务内容)."""

    class Category(models.TextChoices):
        TRANSPORT = "transport", _("Transport planning and management")
        WAREHOUSING = "warehousing", _("Warehousing planning and management")
        INFORMATION = "information", _("Information services")
        FINANCIAL = "financial", _("Financial services")

    code = models.CharField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category", "order"]
        verbose_name = _("logistics service")
        verbose_name_plural = _("logistics services")

    def __str__(self):
        return self.name


class GradingRuleQuerySet(models.QuerySet):
    def current(self) -> "GradingRule":
        """The rule in force: the highest version (created on first use if none)."""
        rule: GradingRule | None = self.order_by("-version").first()  # type: ignore[assignment]
        if rule is None:
            rule, _created = GradingRule.objects.get_or_create(
                version=1,
                defaults={
                    "definition": grading.DEFAULT_DEFINITION,
                    "note": "默认规则",
                },
            )
        return rule


class GradingRule(CreatedAt):
    """One version of the grading rule. Editing saves a new version; old ones stay."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    definition = models.JSONField(_("definition"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = user_fk(_("created by"))

    objects = GradingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("grading rule")
        verbose_name_plural = _("grading rules")

    def __str__(self):
        return _("Grading rule v%(version)s") % {"version": self.version}

    def as_rule(self) -> grading.Rule:
        return grading.Rule.from_definition(self.definition)

    def cadence(self) -> dict[str, grading.Cadence]:
        return self.as_rule().cadence()


class CustomerQuerySet(ScopedQuerySet):
    """Staff: customers they visit or own as salesperson; supervisor and manager:
    their units' customers; admin: all (`visible_to`, crm_site.accounts.scope)."""

    unit_path = "unit"
    own_path = ("visiting_person", "sales_owner")

    def active(self):
        return self.exclude(status__in=[Status.LOST])

    def graded(self, code: str):
        return self.filter(grade=code)

    def pinned(self):
        return self.filter(grade_pinned=True)

    def search(self, q: str):
        """Code prefix, name substring, or a contact's phone (prefix of mobile or office)."""
        q = (q or "").strip()
        if not q:
            return self
        phones = Q(mobile__startswith=q) | Q(phone__startswith=q)
        if len(q) < 3:
            # One or two characters match many rows: walking the page's order
            # and filtering finds a page of them soonest (and a trigram index
            # cannot serve a search shorter than three characters).
            in_phones = Exists(Contact.objects.filter(customer=OuterRef("pk")).filter(phones))
            return self.filter(Q(code__istartswith=q) | Q(name__icontains=q) | in_phones)
        # Longer searches are selective: three index-backed lookups joined by
        # UNION (upper(code) prefix, the trigram index on upper(name), contact
        # phone prefixes; migration 0005 creates them on PostgreSQL).
        matches = (
            Customer.objects.filter(code__istartswith=q)
            .order_by()
            .values("pk")
            .union(
                Customer.objects.filter(name__icontains=q).order_by().values("pk"),
                Contact.objects.filter(phones).order_by().values("customer_id"),
            )
        )
        return self.filter(pk__in=matches)

    def for_list(self):
        """The columns of the customer list and export, without per-row queries."""
        return self.select_related("unit", "region", "visiting_person", "sales_owner")

    def for_page(self):
        """The rows of the customer list page as plain values (customers.display.
        ListRow): only the columns it shows, the visiting person's names, and the
        primary contact's name and phone as columns of the same query (the partial
        unique index on primary contacts answers each). No model instances: built
        for every row, they were most of the cost of a page; and the contact
        columns are written as SQL, which Django compiles a millisecond faster
        than the same Subquery expressions (measured on the list page)."""
        contact, customer = Contact._meta.db_table, Customer._meta.db_table
        primary = f'FROM {contact} p WHERE p.customer_id = "{customer}"."id" AND p.is_primary'
        return self.annotate(
            primary_contact_name=RawSQL(f"SELECT p.name {primary}", ()),
            primary_contact_phone=RawSQL(
                f"SELECT COALESCE(NULLIF(p.mobile, ''), p.phone) {primary}", ()
            ),
        ).values(*PAGE_VALUES, "primary_contact_name", "primary_contact_phone")


# What the customer list shows (customers/templatetags/customer_list.py).
PAGE_VALUES = (
    "pk",
    "code",
    "name",
    "nature",
    "industry",
    "grade",
    "grade_pinned",
    "status",
    "annual_revenue",
    "assignment_override_reason",
    "updated_at",
    "unit__name",
    "region__name",
    "visiting_person__username",
    "visiting_person__full_name",
    "visiting_person__first_name",
    "visiting_person__last_name",
)


# What anyone but an admin is told about a code already in the book: only that
# it is taken, never whose or in which unit (the customer may be out of scope).
CODE_TAKEN = _("This customer code is taken.")


class Customer(Timestamped):
    """Customer card (客户资料卡 / 客户关系卡)."""

    code = models.CharField(
        _("customer code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit."),
            )
        ],
        error_messages={"unique": _("A customer with this code already exists.")},
    )
    name = models.CharField(_("customer name"), max_length=200)
    nature = models.CharField(
        _("nature"), max_length=20, choices=Nature.choices, default=Nature.OTHER
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.SMALL)
    annual_revenue = models.DecimalField(
        _("annual revenue (10k CNY)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    trend = models.CharField(
        _("development trend"), max_length=20, choices=Trend.choices, default=Trend.STABLE
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("region"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    serving_outlet = models.ForeignKey(
        "customers.Outlet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("serving outlet"),
    )
    unit = unit_fk("customers")
    sales_owner = user_fk(_("sales owner"), related_name="sales_customers")
    visiting_person = user_fk(_("visiting person"), related_name="visited_customers")
    # A big customer's green channel (绿色通道) names the one person who answers
    # its 24-hour hotline; per customer, since each big account has its own.
    hotline_owner = user_fk(_("24-hour hotline owner"), related_name="hotline_customers")
    # Kept when a supervisor or admin assigns a salesperson of the customer's
    # region as its visiting person despite the rule (客户服务管理制度 第3条).
    assignment_override_reason = models.TextField(
        _("assignment override reason"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    assignment_override_by = user_fk(_("override by"))
    assignment_override_at = models.DateTimeField(_("override at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    services = models.ManyToManyField(
        LogisticsService,
        blank=True,
        related_name="customers",
        verbose_name=_("logistics services used"),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_MAX_LENGTH)

    # The cargo profile (物流客户的需求, customers/cargo.py): on the card itself,
    # so the card's form, its versioned edit, its history, the import and the
    # export carry it like any other field.
    cargo_goods = models.CharField(_("goods"), max_length=200, blank=True)
    cargo_size = models.CharField(_("size"), max_length=100, blank=True)
    cargo_weight = models.CharField(_("weight"), max_length=100, blank=True)
    cargo_density = models.CharField(
        _("density"), max_length=10, choices=cargo.Density.choices, blank=True
    )
    special_handling = models.CharField(
        _("special handling"),
        max_length=200,
        blank=True,
        validators=[cargo.CodeListValidator(cargo.Handling)],
    )
    packaging = models.CharField(_("packaging"), max_length=100, blank=True)
    transport_modes = models.CharField(
        _("transport modes"),
        max_length=200,
        blank=True,
        validators=[cargo.CodeListValidator(cargo.TransportMode)],
    )
    load_type = models.CharField(
        _("LTL or FTL"), max_length=10, choices=cargo.LoadType.choices, blank=True
    )
    equipment = models.CharField(
        _("equipment needed"),
        max_length=200,
        blank=True,
        validators=[cargo.CodeListValidator(cargo.Equipment)],
    )
    delivery_windows = models.CharField(_("delivery time windows"), max_length=200, blank=True)
    appointment_required = models.BooleanField(_("delivery by appointment"), default=False)
    receipt_return = models.BooleanField(_("signed receipt returned (回单)"), default=False)
    shipments_per_month = models.PositiveIntegerField(
        _("shipments per month"), null=True, blank=True
    )
    tonnage_per_month = models.DecimalField(
        _("tonnes per month"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    grade = models.CharField(_("grade"), max_length=10, blank=True, db_index=True)
    grade_points = models.IntegerField(_("grade points"), null=True, blank=True)
    grade_breakdown = models.JSONField(_("grade breakdown"), default=dict, blank=True)
    grade_rule = models.ForeignKey(
        GradingRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded under rule"),
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    grade_pinned = models.BooleanField(_("grade pinned"), default=False)
    grade_pin_reason = models.TextField(_("pin reason"), blank=True, max_length=TEXT_MAX_LENGTH)
    grade_pinned_by = user_fk(_("pinned by"))
    grade_pinned_at = models.DateTimeField(_("pinned at"), null=True, blank=True)

    version = edit_version()
    form_token = create_token()
    created_by = user_fk(_("created by"))

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # Scope, filter and the default sort: the list pages through these
            # by index-only scans (customers.selectors.PageRows).
            models.Index(fields=["unit", "grade", "code", "id"]),
            models.Index(fields=["unit", "status", "code", "id"]),
            models.Index(fields=["visiting_person", "grade"]),
            models.Index(fields=["sales_owner"]),
            models.Index(fields=["region"]),
            models.Index(fields=["name"]),
            # One index per list filter and sort column (a book of 100,000 customers).
            models.Index(fields=["unit", "code"]),
            models.Index(fields=["status"]),
            models.Index(fields=["nature"]),
            models.Index(fields=["trend"]),
            models.Index(fields=["annual_revenue"]),
            models.Index(fields=["updated_at"]),
            models.Index(
                fields=["grade_pinned"], condition=Q(grade_pinned=True), name="customer_pinned_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_revenue__gte=0), name="customer_revenue_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    def attributes(self) -> grading.Attributes:
        return grading.Attributes(
            annual_revenue=self.annual_revenue,
            scale=self.scale,
            trend=self.trend,
            nature=self.nature,
        )


class Contact(models.Model):
    """A person at the customer (联系人), with the care date (客户关怀)."""

    class CareKind(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        ANNIVERSARY = "anniversary", _("Anniversary")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True, db_index=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=100, blank=True)
    care_date = models.DateField(_("care date"), null=True, blank=True)
    care_kind = models.CharField(
        _("care date kind"), max_length=20, choices=CareKind.choices, blank=True
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    version = edit_version()
    form_token = create_token()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_customer",
            )
        ]

    def __str__(self):
        return self.name


class CustomerChange(EventBase):
    """History of a customer card: who changed which fields, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        ASSIGNED = "assigned", _("Reassigned")
        IMPORTED = "imported", _("Imported")
        CONTACT = "contact", _("Contact changed")
        # Customer voice (customers/voice_models.py): a record added or annotated.
        VOICE = "voice", _("Customer voice")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    changes = models.JSONField(_("changes"), default=dict)  # field -> [old, new]

    # The event's details are its `changes` column (no second JSON column on
    # this large table).
    data = ColumnAlias("changes")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"])]
        verbose_name = _("customer change")
        verbose_name_plural = _("customer changes")

    def __str__(self):
        return f"{self.customer_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class GradeChange(EventBase):
    """Every grade change: old, new, when, by whom or by which rule version, why."""

    class Source(models.TextChoices):
        RULE = "rule", _("Grading rule")
        PIN = "pin", _("Pinned by hand")
        UNPIN = "unpin", _("Pin removed")
        EDIT = "edit", _("Customer edited")
        IMPORT = "import", _("Imported")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="grade_changes", verbose_name=_("customer")
    )
    old_grade = models.CharField(_("old grade"), max_length=10, blank=True)
    new_grade = models.CharField(_("new grade"), max_length=10)
    rule = models.ForeignKey(
        GradingRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grade_changes",
        verbose_name=_("rule version"),
    )
    run = models.ForeignKey(
        "RegradeRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grade_changes",
        verbose_name=_("regrade run"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=TEXT_MAX_LENGTH)
    # A rule regrade's why: "points" -> [old, new] and each criterion whose
    # value moved -> [old, new] (customers.services.rules._regrade_batch).
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    # An event of the grade: its columns keep their names on this large table
    # and read as the event's kind, states and details.
    kind = ColumnAlias("source")
    from_state = ColumnAlias("old_grade")
    to_state = ColumnAlias("new_grade")

    @property
    def data(self) -> dict:
        return {"rule": self.rule_id, "run": self.run_id, "reason": self.reason}

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"])]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.customer_id} {self.old_grade}→{self.new_grade}"


class RegradeRun(CreatedAt):
    """A background regrade of all customers under a rule version, and its summary."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Superseded by a newer rule")

    rule = models.ForeignKey(
        GradingRule, on_delete=models.PROTECT, related_name="runs", verbose_name=_("rule version")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    # A scheduled run's key ("quarterly-2026Q1") makes a second beat firing a no-op.
    key = models.CharField(_("key"), max_length=50, unique=True, null=True, blank=True)
    # Touched after every batch: a run that stops moving was killed and may be
    # claimed again (customers.services.regrade_run_execute).
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = user_fk(_("requested by"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    customers_checked = models.PositiveIntegerField(_("customers checked"), default=0)
    customers_moved = models.PositiveIntegerField(_("customers moved"), default=0)
    moves = models.JSONField(_("moves"), default=dict, blank=True)  # "A→B" -> count
    pinned_ids = models.JSONField(_("pinned customers"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("regrade run")
        verbose_name_plural = _("regrade runs")

    def __str__(self):
        return f"{self.rule} · {self.get_state_display()}"

    def get_absolute_url(self):
        return reverse("customers:regrade_run", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.SUPERSEDED)

    def sorted_moves(self) -> list[tuple[str, int]]:
        """("A→B", 40) pairs, most frequent first."""
        return sorted(self.moves.items(), key=lambda item: (-item[1], item[0]))


class CustomerImportQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An uploaded file is only ever read back by the user who uploaded it:
        an upload is private to its author, not unit data, so no role widens it."""
        return owned_by(self, user, "created_by")


def _import_upload_to(instance, filename):
    return f"customer-imports/{instance.created_by_id}/{instance.pk}.xlsx"


class CustomerImport(models.Model):
    """An uploaded .xlsx between its preview and its application.

    The file is kept on the server (MEDIA_ROOT, never served), keyed to the
    uploader. A task checks its rows (checking -> previewed, or discarded with
    the errors); applying (applying -> applied) re-reads the file and re-checks
    every row in the transaction that writes them.
    """

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        PREVIEWED = "previewed", _("Previewed")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When the state last changed: the sweeper re-sends a check or an
    # application that has waited too long.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A resent upload form (same token) goes to the first upload's preview.
    form_token = create_token()
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PREVIEWED
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # The preview: counts, row errors, rows to create and update.
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = CustomerImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        indexes = [
            models.Index(fields=["created_by", "-created_at"]),
            models.Index(fields=["state", "updated_at"]),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("customers:import_preview", args=[self.pk])

    @property
    def error_count(self) -> int:
        return self.result.get("error_count", 0)

    @property
    def is_busy(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.APPLYING)


# The sub-domains' models: outlets (网点), customer development and care
# reminders, customer voice (surveys, the watch) and waybills (运单号).
from .outlets.models import Outlet, OutletKind  # noqa: E402, F401
from .prospects.models import CareReminder, Prospect, ProspectEvent, Rating, Step  # noqa: E402, F401
from .revenue.market.models import MarketEstimate, MarketingCost, MarketingPolicy  # noqa: E402, F401
from .revenue.models import MonthlyTurnover, RevenueTarget, TurnoverEvent  # noqa: E402, F401
from .voice.models import CustomerWatch, EnterpriseSurvey, ServiceSurvey  # noqa: E402, F401
from .waybills.models import Waybill  # noqa: E402, F401
