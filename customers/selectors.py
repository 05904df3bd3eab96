"""Reads of the customer book: filtered, sorted lists for the pages and exports.

The list page, its export (at once or as a background job) and the benchmark
read the same rows through `customer_list`; none of them builds a request.
"""

from collections.abc import Mapping
from typing import NamedTuple

from django.db.models import Case, IntegerField, QuerySet, Value, When

from crm_site.accounts.models import Region, display_name

from . import grading, services
from .filters import CustomerFilter
from .models import Customer, CustomerImport, GradingRule, LogisticsService

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


def customer_filter(*, user, data=None, rule: grading.Rule, people=None) -> CustomerFilter:
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
    )


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
