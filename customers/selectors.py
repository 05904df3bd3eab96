"""Reads of the customer book: filtered, sorted lists for the pages and exports,
and the card with its histories.

The list page, its export (at once or as a background job) and the benchmark
read the same rows through `customer_list`; none of them builds a request.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from crm_site.accounts.models import Region, ServiceUnit, User, display_name
from crm_site.core import batch
from crm_site.core.columns import ColumnOf

from . import display, grading, services
from .filters import CustomerFilter
from .models import (
    Contact,
    Customer,
    CustomerChange,
    CustomerImport,
    GradeChange,
    GradingRule,
    LogisticsService,
    RegradeRun,
)
from .voice.models import CustomerWatch, EnterpriseSurvey

DEFAULT_SORT = "code"
SORTS = {
    "code": ("code",),
    "name": ("name", "code"),
    "grade": ("grade_rank", "code"),
    "revenue": ("annual_revenue", "code"),
    "status": ("status", "code"),
    "updated": ("updated_at", "code"),
}


class Person(NamedTuple):
    """A user as the people choices show one (the filter, bulk reassignment)."""

    pk: int
    username: str
    name: str

    def get_full_name(self) -> str:
        return self.name


def person_choices(*, user) -> list[Person]:
    """The people the list's filter and bulk reassignment offer: the sales owners
    and visiting persons the user may name, as (pk, username, display name)."""
    rows = services.scope_users(user).values_list(
        "pk", "username", "full_name", "first_name", "last_name"
    )
    return [
        Person(pk, username, display_name(full, first, last, username))
        for pk, username, full, first, last in rows
    ]


def customer_sort(sort: str | None) -> str:
    """`sort` if the list knows it ("name", "-grade" ...), else the default."""
    sort = sort or DEFAULT_SORT
    return sort if sort.lstrip("-") in SORTS else DEFAULT_SORT


def customers_sorted(queryset: QuerySet, *, sort: str, rule: grading.Rule) -> QuerySet:
    """`queryset` in the list's order for `sort` (unknown sorts: by code)."""
    sort = customer_sort(sort)
    key = sort.lstrip("-")
    if key == "grade":
        # Grades sort by the rule's order, so 核心 comes before 重点 whatever their codes.
        queryset = queryset.annotate(
            grade_rank=Case(
                *[When(grade=g.code, then=Value(g.order)) for g in rule.grades],
                default=Value(999),
                output_field=IntegerField(),
            )
        )
    fields = SORTS[key]
    if sort.startswith("-"):
        fields = tuple(f"-{f}" for f in fields)
    return queryset.order_by(*fields, "pk")


def customer_filter(
    *, user, data=None, rule: grading.Rule, people=None, regions=None
) -> CustomerFilter:
    """The list's filter form for `user`, bound to `data` (the page's GET parameters)."""
    grade_choices = [
        (g.code, g.code if g.name == g.code else f"{g.code} · {g.name}") for g in rule.grades
    ]
    return CustomerFilter(
        data or None,
        queryset=Customer.objects.visible_to(user),
        user=user,
        grade_choices=grade_choices,
        people=people if people is not None else list(services.scope_users(user)),
        regions=regions,
    )


def customer_list_choices(*, user) -> tuple[grading.Rule, list[Person], list[tuple]]:
    """What the list reads before its rows, in one round trip (crm_site.core.batch):
    the grading rule in force (its grades and order), the people the user may
    name (person_choices) and the regions (pk, name) for the filter."""
    reads = batch.rows_many(
        {
            "rule": GradingRule.objects.order_by("-version").values("pk", "version", "definition")[
                :1
            ],
            "people": services.scope_users(user).values(
                "pk", "username", "full_name", "first_name", "last_name"
            ),
            "regions": Region.objects.order_by("code").values("pk", "name"),
        }
    )
    rule = (
        GradingRule(**reads["rule"][0]) if reads["rule"] else GradingRule.objects.current()
    ).as_rule()
    people = [
        Person(
            p["pk"],
            p["username"],
            display_name(p["full_name"], p["first_name"], p["last_name"], p["username"]),
        )
        for p in reads["people"]
    ]
    return rule, people, [(r["pk"], r["name"]) for r in reads["regions"]]


def customer_list(
    *, user, filters: Mapping, sort: str, rule: grading.Rule | None = None
) -> QuerySet:
    """The customers `user` may see, under validated `filters` (CustomerFilter.cleaned_filters,
    as the page has them or as an export job kept them), in the order of `sort`."""
    if rule is None:
        rule = GradingRule.objects.current().as_rule()
    customers = CustomerFilter.apply(Customer.objects.visible_to(user), filters)
    return customers_sorted(customers, sort=sort, rule=rule)


class PageRows:
    """The list's rows for the paginator, a page read by a deferred join: the
    page's ids first (ordered, offset and limited: an index-only scan where an
    index holds the scope, the filter and the sort), then only those rows with
    their joined and computed columns. An OFFSET over whole rows would build,
    and throw away, every row before the page (with its primary contact
    subqueries), so the last pages would cost far more than the first."""

    ordered = True

    def __init__(self, customers, outer):
        self.customers = customers  # filtered and sorted
        self.outer = outer  # ids -> the same sort over Customer rows

    def __getitem__(self, window: slice):
        return self.outer(self.customers.values("pk")[window]).for_page()


def customer_page_rows(customers, *, sort: str, rule: grading.Rule) -> PageRows:
    """The filtered, sorted customers (customer_list) as the list pages them."""
    return PageRows(
        customers,
        lambda ids: customers_sorted(Customer.objects.filter(pk__in=ids), sort=sort, rule=rule),
    )


# Within a unit's scope an index on (unit, the filtered column) holds the unit
# column: counting it is an index-only scan.
PAGE_COUNT_COLUMN = "unit_id"


# The card shows the latest few of each history; the history page shows them all.
CARD_HISTORY = 10
HISTORY_PAGE_SIZE = 50

_PERSON = ("full_name", "first_name", "last_name", "username")


def _person(values: dict, prefix: str) -> str:
    names = [values[f"{prefix}__{name}"] for name in _PERSON]
    return display_name(*names) if names[-1] else ""


GRADE_CHANGE_VALUES = (
    "old_grade",
    "new_grade",
    "at",
    "source",
    "reason",
    "rule__version",
    *(f"actor__{name}" for name in _PERSON),
)


def grade_change_rows(values) -> list[dict]:
    """Grade changes as the card and the history page show them, from
    GRADE_CHANGE_VALUES (the rule's version and the actor's name joined)."""
    sources = {value: str(label) for value, label in GradeChange.Source.choices}
    return [
        {
            "old_grade": v["old_grade"],
            "new_grade": v["new_grade"],
            "at": v["at"],
            "on": timezone.localtime(v["at"]).strftime("%Y-%m-%d"),
            "source": sources.get(v["source"], v["source"]),
            "rule_version": v["rule__version"],
            "rule": gettext("rule v%(v)s") % {"v": v["rule__version"]}
            if v["rule__version"]
            else "",
            "actor": _person(v, "actor"),
            "reason": v["reason"],
        }
        for v in values
    ]


def change_items(changes) -> list[dict]:
    """History entries with their title, (field, old, new) rows and the name of
    who made them (changes read with their actor)."""
    return [
        {
            "change": c,
            "title": display.change_title(c),
            "rows": display.change_rows(c),
            "actor": c.actor.get_full_name() if c.actor_id else "",
        }
        for c in changes
    ]


def _card_columns() -> dict:
    """The card's customer carries what spares the sections a query each: whether
    it was won from a prospect (the development section reads it only then), the
    ids of its latest watch and enterprise survey (the voice section reads them
    by id only when there is one), the names of the people it names, and whether it was graded under the rule in
    force (nearly always: then the rule joined to it is the current one); and
    how many grade and field changes it has, for "show all (N)" under the latest
    few. As SQL: Django compiles these subqueries as expressions in longer than
    the database takes to run the whole query."""
    from .prospects.models import Prospect

    customer = f'"{Customer._meta.db_table}"'
    prospect = Prospect._meta.db_table
    watch, enterprise = CustomerWatch._meta.db_table, EnterpriseSurvey._meta.db_table
    rule = GradingRule._meta.db_table
    grade_changes, changes = GradeChange._meta.db_table, CustomerChange._meta.db_table
    return {
        **{f"{person}_name": _person_name(customer, f"{person}_id") for person in CARD_PEOPLE},
        "grade_change_total": RawSQL(
            f"SELECT COUNT(*) FROM {grade_changes} g WHERE g.customer_id = {customer}.id", ()
        ),
        "change_total": RawSQL(
            f"SELECT COUNT(*) FROM {changes} c WHERE c.customer_id = {customer}.id", ()
        ),
        "has_prospect": RawSQL(
            f"EXISTS (SELECT 1 FROM {prospect} p WHERE p.customer_id = {customer}.id)",
            (),
            output_field=BooleanField(),
        ),
        "latest_watch_id": RawSQL(
            f"SELECT w.id FROM {watch} w WHERE w.customer_id = {customer}.id"
            " ORDER BY w.reported_on DESC, w.id DESC LIMIT 1",
            (),
        ),
        "latest_enterprise_survey_id": RawSQL(
            f"SELECT e.id FROM {enterprise} e WHERE e.customer_id = {customer}.id"
            " ORDER BY e.visited_on DESC, e.id DESC LIMIT 1",
            (),
        ),
        "graded_under_current": RawSQL(
            f"{customer}.grade_rule_id = (SELECT r.id FROM {rule} r ORDER BY r.version DESC LIMIT 1)",
            (),
            output_field=BooleanField(),
        ),
    }


def customer_and_unit_names(*, customer: str = "customer", unit: str = "unit") -> dict:
    """For a row that points to a customer and a service unit (`customer` and
    `unit` being the paths to them): `.values()` keywords giving their names
    as "<path>__name", each read as a subquery of the row (ColumnOf) rather
    than by a join: every joined table more is weighed by the planner, which
    took longer than reading a page of rows."""
    return {
        f"{customer}__name": ColumnOf(Customer, f"{customer}_id"),
        f"{unit}__name": ColumnOf(ServiceUnit, f"{unit}_id"),
    }


# The people the card names, by the customer's columns that hold them.
CARD_PEOPLE = (
    "visiting_person",
    "hotline_owner",
    "sales_owner",
    "created_by",
    "grade_pinned_by",
    "assignment_override_by",
)


def _person_name(customer: str, column: str) -> RawSQL:
    """The name of the user in the customer's `column` as pages show it
    (accounts.models.display_name: the full name, else first and last name, else
    the login), or NULL. A subquery per person rather than a join each: planning
    a join of that many tables cost more than running it."""
    user = User._meta.db_table
    return RawSQL(
        "SELECT COALESCE(NULLIF(u.full_name, ''),"
        " NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username)"
        f" FROM {user} u WHERE u.id = {customer}.{column}",
        (),
    )


def customer_card(*, user, pk: int) -> dict:
    """What the card itself shows, in a fixed number of queries whatever the
    length of the customer's history (customer_card_pending, resolved alone).
    Outside the user's scope: 404."""
    _customer, pending = customer_card_pending(user=user, pk=pk)
    return batch.resolve_one(pending)


def _concrete(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


# What the card reads of a field change: the change and its actor's name.
CHANGE_VALUES = (*_concrete(CustomerChange), *(f"actor__{name}" for name in _PERSON))


# The card's lists, their SQL compiled once per process (crm_site.core.batch).
@batch.prepared
def _card_contacts(customer_id):
    return Contact.objects.filter(customer_id=customer_id).values(*_concrete(Contact))


@batch.prepared
def _card_services(customer_id):
    return LogisticsService.objects.filter(customers__pk=customer_id).values(
        *_concrete(LogisticsService)
    )


@batch.prepared
def _card_grade_changes(customer_id):
    return GradeChange.objects.filter(customer_id=customer_id).values(*GRADE_CHANGE_VALUES)[
        :CARD_HISTORY
    ]


@batch.prepared
def _card_changes(customer_id):
    return CustomerChange.objects.filter(customer_id=customer_id).values(*CHANGE_VALUES)[
        :CARD_HISTORY
    ]


# The rows the card shows with its customer (what select_related read before),
# by the customer's foreign key that names them.
CARD_RELATED = ("unit", "region", "grade_rule", "serving_outlet")


def _related_values(name: str) -> tuple[str, ...]:
    model = Customer._meta.get_field(name).related_model
    return tuple(f"{name}__{attname}" for attname in _concrete(model))


@batch.prepared
def _card_customer(customer_id):
    """The card's customer with its people's names and totals (_card_columns)
    and the rows of CARD_RELATED, as one row (SQL compiled once per process:
    building and compiling this query cost more than running it)."""
    columns = _card_columns()
    return (
        Customer.objects.filter(pk=customer_id)
        .annotate(**columns)
        .values(
            *_concrete(Customer),
            *columns,
            *(value for name in CARD_RELATED for value in _related_values(name)),
        )
    )


@batch.prepared_for_user
def _card_visible(user, customer_id):
    """Whether the user may see the customer (a row, or none), compiled once per scope."""
    return Customer.objects.visible_to(user).filter(pk=customer_id).values("pk")


def _card_customer_from(row: dict) -> Customer:
    """The Customer of a _card_customer row, with its CARD_RELATED rows and the
    extra columns as attributes, as the ORM would load it with them."""
    customer = batch.instance(Customer, row)
    concrete = set(_concrete(Customer))
    for name, value in row.items():
        if name not in concrete and "__" not in name:
            setattr(customer, name, value)
    for name in CARD_RELATED:
        model = Customer._meta.get_field(name).related_model
        values = {value.split("__", 1)[1]: row[value] for value in _related_values(name)}
        setattr(customer, name, batch.instance(model, values) if values["id"] is not None else None)
    return customer


def customer_card_pending(*, user, pk: int) -> tuple[Customer, batch.Pending]:
    """The customer (once, with the names of the people it names as
    `<person>_name`; 404 outside the user's scope) and what the card shows of
    it, waiting for its rows (crm_site.core.batch) so that the card sections'
    reads go with them in one round trip: the latest grade and field changes
    with their totals, contacts and services. The grading rule in force is read
    once per request, and with the customer when it is the one the customer was
    graded under: the card sections get it on the customer as `current_rule`.
    The customer is read in one round trip with whether the user may see it
    (the scope's own query), a statement planned once per connection."""
    rows = batch.rows_many(
        {
            "customer": _card_customer(pk),
            "visible": _card_visible(user, pk),
        },
        plan_once=True,
    )
    if not rows["customer"] or not rows["visible"]:
        raise Http404
    # With the extra columns of _card_columns as attributes.
    customer: Any = _card_customer_from(rows["customer"][0])
    if customer.grade_rule is not None and customer.graded_under_current:
        current = customer.grade_rule
    else:
        current = GradingRule.objects.current()
    customer.current_rule = current
    queries = {
        "contacts": _card_contacts(customer.pk),
        "services": _card_services(customer.pk),
        "grade_changes": _card_grade_changes(customer.pk),
        "changes": _card_changes(customer.pk),
    }

    def build(rows: dict) -> dict:
        current_rule = current.as_rule()
        styles = display.grade_styles(current_rule)
        display.decorate([customer], styles)
        today_result = grading.grade(customer.attributes(), current_rule)
        grade_changes = grade_change_rows(rows["grade_changes"])
        return {
            "customer": customer,
            "contacts": [batch.instance(Contact, row) for row in rows["contacts"]],
            "services": [batch.instance(LogisticsService, row) for row in rows["services"]],
            "breakdown": display.breakdown_rows(customer.grade_breakdown),
            "graded_under": customer.grade_rule or current,
            "current_rule": current,
            "rule_grade": today_result.grade,
            "rule_points": today_result.points,
            "grade_names": {code: s["name"] for code, s in styles.items()},
            "grade_changes": grade_changes,
            "grade_history_rows": display.grade_history_rows(grade_changes),
            "grade_change_total": customer.grade_change_total,
            "changes": change_value_items(rows["changes"]),
            "change_total": customer.change_total,
            "revenue": display.money(customer.annual_revenue),
        }

    return customer, batch.Pending(queries, build)


def change_value_items(values) -> list[dict]:
    """change_items of CHANGE_VALUES rows (the change and its actor's name)."""
    items = []
    for v in values:
        change = batch.instance(CustomerChange, v)
        items.append(
            {
                "change": change,
                "title": display.change_title(change),
                "rows": display.change_rows(change),
                "actor": _person(v, "actor"),
            }
        )
    return items


HISTORIES = ("changes", "grades")


def customer_history(*, user, pk: int, kind: str, page) -> dict:
    """One page of a customer's whole change history ("changes") or grade
    history ("grades"), newest first: what the card shows the latest of.
    Outside the user's scope: 404."""
    from django.core.paginator import Paginator

    customer = get_object_or_404(
        Customer.objects.visible_to(user).only("pk", "code", "name"), pk=pk
    )
    if kind == "grades":
        rows = customer.grade_changes.values(*GRADE_CHANGE_VALUES)
    else:
        rows = customer.changes.select_related("actor")
    page_obj = Paginator(rows, HISTORY_PAGE_SIZE).get_page(page)
    items = page_obj.object_list
    context = {"customer": customer, "kind": kind, "page_obj": page_obj}
    if kind == "grades":
        page_obj.object_list = grade_change_rows(items)
        context["grade_history_rows"] = display.grade_history_rows(page_obj.object_list)
    else:
        page_obj.object_list = change_items(items)
    return context


# --- import -------------------------------------------------------------------------

RECENT_IMPORTS = 8


def import_template_choices(*, user) -> dict:
    """What the blank import template lists for `user`: the units they file under,
    every region and service, and one person they may name (the example row)."""
    return {
        "units": list(services.scope_units(user)),
        "regions": list(Region.objects.all()),
        "services": list(LogisticsService.objects.all()),
        "users": list(services.scope_users(user)[:1]),
    }


def customer_import_recent(*, user) -> QuerySet:
    """The user's latest imports, for the upload page."""
    return CustomerImport.objects.visible_to(user)[:RECENT_IMPORTS]


def customer_import_for(*, user, pk: int) -> CustomerImport:
    """One import of `user`'s (404 for anyone else's)."""
    return get_object_or_404(CustomerImport.objects.visible_to(user), pk=pk)


# --- single customers -----------------------------------------------------------------


def customer_for(*, user, pk: int, related: tuple[str, ...] = ()) -> Customer:
    """One customer in `user`'s scope with the list's columns (404 outside it)."""
    return get_object_or_404(
        Customer.objects.visible_to(user).for_list().select_related(*related), pk=pk
    )


def customer_created_by_form(*, user, token) -> Customer | None:
    """The customer a "new" form with this token created, if the user may see it."""
    return Customer.objects.visible_to(user).filter(form_token=token).first()


def customer_stored(*, pk: int) -> Customer:
    """A fresh copy of a customer the caller already holds, for a service to
    compare a form's values against what is stored."""
    return Customer.objects.for_list().get(pk=pk)


def customer_matches(*, user, q: str, limit: int) -> QuerySet:
    """customer_autocomplete's customers as rows (pk, code, name), a `.values()`
    queryset to read with others (crm_site.core.batch)."""
    return (
        Customer.objects.visible_to(user)
        .filter(Q(code__istartswith=q) | Q(name__icontains=q))
        .order_by("code")
        .values("pk", "code", "name")[:limit]
    )


def customer_autocomplete(*, user, q: str, limit: int) -> list[Customer]:
    """Customers in `user`'s scope whose code starts with `q` or whose name holds
    it, with what the picker shows of each: region and address (for the city),
    grade, and the primary contact's name as `primary_contact`."""
    primary = Contact.objects.filter(customer=OuterRef("pk"), is_primary=True)
    return list(
        Customer.objects.visible_to(user)
        .filter(Q(code__istartswith=q) | Q(name__icontains=q))
        .select_related("region")
        .only("pk", "code", "name", "grade", "address", "region__name")
        .annotate(primary_contact=Subquery(primary.values("name")[:1]))
        .order_by("code")[:limit]
    )


# --- grading rules (admins) ----------------------------------------------------------

RULE_VERSIONS_SHOWN = 20
RULE_RUNS_SHOWN = 8


def current_rule() -> GradingRule:
    """The grading rule in force (the pure rule is `.as_rule()`)."""
    return GradingRule.objects.current()


def rule_version(*, version) -> GradingRule | None:
    """The stored rule of a version number, or None."""
    return GradingRule.objects.filter(version=version).first()


def rule_version_detail(*, version: int) -> GradingRule:
    return get_object_or_404(GradingRule.objects.select_related("created_by"), version=version)


def grading_overview() -> dict:
    """What the rule page lists beside the editor: the latest versions with their
    run counts, the latest regrade runs, and how many customers there are."""
    return {
        "versions": GradingRule.objects.select_related("created_by").annotate(
            run_count=Count("runs")
        )[:RULE_VERSIONS_SHOWN],
        "runs": RegradeRun.objects.select_related("rule", "requested_by")[:RULE_RUNS_SHOWN],
        "customer_total": Customer.objects.count(),
    }


def regrade_run_detail(*, pk: int) -> RegradeRun:
    return get_object_or_404(RegradeRun.objects.select_related("rule", "requested_by"), pk=pk)


def regrade_run_rows(*, run: RegradeRun) -> tuple[QuerySet, QuerySet]:
    """A run's grade changes by customer code, and the customers it left pinned."""
    changes = run.grade_changes.select_related("customer").order_by("customer__code")
    pinned = (
        Customer.objects.filter(pk__in=run.pinned_ids)
        .select_related("grade_pinned_by", "unit")
        .order_by("code")
    )
    return changes, pinned
