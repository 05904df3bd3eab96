"""Reads of the customer book (the writes are in services/)."""

from django.db.models import Count, Exists, OuterRef, Subquery, Window
from django.shortcuts import get_object_or_404

from crm_site.accounts.models import User, display_name

from . import display, grading
from .models import Customer, GradeChange, GradingRule
from .voice.models import CustomerWatch, EnterpriseSurvey

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
    sources = dict(GradeChange.Source.choices)
    return [
        {
            "old_grade": v["old_grade"],
            "new_grade": v["new_grade"],
            "at": v["at"],
            "source": sources.get(v["source"], v["source"]),
            "rule_version": v["rule__version"],
            "actor": _person(v, "actor"),
            "reason": v["reason"],
        }
        for v in values
    ]


def change_items(changes) -> list[dict]:
    """Card history entries with their title and (field, old, new) rows."""
    return [
        {"change": c, "title": display.change_title(c), "rows": display.change_rows(c)}
        for c in changes
    ]


def _with_total(queryset):
    """The rows with the count of all of them (before the slice) on each: the
    latest few and "show all (N)" from one query."""
    return queryset.annotate(total=Window(Count("pk")))


def _total(rows) -> int:
    first = rows[0] if rows else None
    if first is None:
        return 0
    return first["total"] if isinstance(first, dict) else first.total


def _latest_id(model, date_field: str) -> Subquery:
    return Subquery(
        model.objects.filter(customer=OuterRef("pk"))
        .order_by(f"-{date_field}", "-pk")
        .values("pk")[:1]
    )


def _attach_rarely_set(customer: Customer) -> None:
    """The people of a pin or an assignment by exception (seldom set), without
    joining them to the customer's query: planning a join of that many tables
    costs more than running it."""
    people = {customer.grade_pinned_by_id, customer.assignment_override_by_id} - {None}
    if people:
        found = User.objects.in_bulk(people)
        customer.grade_pinned_by = found.get(customer.grade_pinned_by_id)
        customer.assignment_override_by = found.get(customer.assignment_override_by_id)
    else:
        customer.grade_pinned_by = customer.assignment_override_by = None


def customer_card(*, user, pk: int) -> dict:
    """What the card itself shows, in a fixed number of queries whatever the
    length of the customer's history: the customer (once, with every person it
    names), the grading rule in force (once per request, and with the customer
    when it is the one the customer was graded under: the card sections get it
    on the customer as `current_rule`), the latest grade and field changes
    with their totals, contacts and services. Outside the user's scope: 404."""
    from .prospects.models import Prospect

    customer = get_object_or_404(
        Customer.objects.visible_to(user)
        .for_list()
        .select_related("created_by", "grade_rule")
        # Most customers were not won from a prospect: the development section
        # reads the prospect only when there is one the user may see.
        .annotate(
            has_visible_prospect=Exists(
                Prospect.objects.visible_to(user).filter(customer=OuterRef("pk"))
            ),
            # The voice section's latest records, read by id only when there is one.
            latest_watch_id=_latest_id(CustomerWatch, "reported_on"),
            latest_enterprise_survey_id=_latest_id(EnterpriseSurvey, "visited_on"),
            # Graded under the rule in force (nearly always): no query for the rule.
            graded_under_current=~Exists(
                GradingRule.objects.filter(version__gt=OuterRef("grade_rule__version"))
            ),
        ),
        pk=pk,
    )
    if customer.grade_rule is not None and customer.graded_under_current:
        current = customer.grade_rule
    else:
        current = GradingRule.objects.current()
    _attach_rarely_set(customer)
    customer.current_rule = current
    current_rule = current.as_rule()
    styles = display.grade_styles(current_rule)
    display.decorate([customer], styles)
    grade_changes = list(
        _with_total(customer.grade_changes.all()).values(*GRADE_CHANGE_VALUES, "total")[
            :CARD_HISTORY
        ]
    )
    changes = list(_with_total(customer.changes.select_related("actor"))[:CARD_HISTORY])
    today_result = grading.grade(customer.attributes(), current_rule)
    return {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "services": list(customer.services.all()),
        "breakdown": display.breakdown_rows(customer.grade_breakdown),
        "graded_under": customer.grade_rule or current,
        "current_rule": current,
        "rule_grade": today_result.grade,
        "rule_points": today_result.points,
        "grade_names": {code: s["name"] for code, s in styles.items()},
        "grade_changes": grade_change_rows(grade_changes),
        "grade_change_total": _total(grade_changes),
        "changes": change_items(changes),
        "change_total": _total(changes),
        "revenue": display.money(customer.annual_revenue),
    }


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
    page_obj.object_list = grade_change_rows(items) if kind == "grades" else change_items(items)
    return {"customer": customer, "kind": kind, "page_obj": page_obj}
