"""Who may do what with an urgent report.

Seeing one is `UrgentReport.objects.visible_to(user)`; these answer what a
user who sees it may do. Staff never reach here (every urgent page is 403).

- raise: supervisors, managers and admins, for their own units (admins: any);
- acknowledge and resolve: the assigned manager;
- reassign: the assigned manager, a manager of the unit, or an admin;
- comment: anyone who sees it (supervisors: read and comment only), while open;
- take over: a manager of the unit, while the report still waits to be routed.

Each is a rule of the `rules` package ("visits.urgent_acknowledge", ...) built
from the predicates of crm_site.accounts.scope; the functions below are the
names views and services call.
"""

import rules

from crm_site.accounts.scope import (
    is_admin_role,
    is_manager_of_unit,
    is_supervisor_or_above,
    units_for,
)
from crm_site.accounts.scope import is_assignee as _is_assignee
from visits.models import UrgentReport


@rules.predicate
def is_routed(user, report) -> bool:
    return report.status == UrgentReport.Status.ROUTED


@rules.predicate
def is_pending(user, report) -> bool:
    return report.status == UrgentReport.Status.PENDING


@rules.predicate
def is_workable(user, report) -> bool:
    return report.status in UrgentReport.WORKABLE


@rules.predicate
def is_open(user, report) -> bool:
    return report.is_open


rules.add_rule("visits.urgent_raise", is_supervisor_or_above)
rules.add_rule("visits.urgent_acknowledge", is_routed & _is_assignee)
rules.add_rule("visits.urgent_resolve", is_workable & _is_assignee)
rules.add_rule(
    "visits.urgent_reassign", is_workable & (_is_assignee | is_manager_of_unit | is_admin_role)
)
rules.add_rule("visits.urgent_comment", is_open & is_supervisor_or_above)
rules.add_rule("visits.urgent_take_over", is_pending & is_manager_of_unit)


def raise_units(user):
    """Units the user may raise an urgent report for: `units_for(user, "raise")`."""
    return units_for(user, "raise")


def may_raise(user) -> bool:
    return rules.test_rule("visits.urgent_raise", user)


def manages_unit(user, unit_id: int) -> bool:
    return is_manager_of_unit(user, unit_id)


def is_assignee(user, report: UrgentReport) -> bool:
    return _is_assignee(user, report)


def may_acknowledge(user, report: UrgentReport) -> bool:
    return rules.test_rule("visits.urgent_acknowledge", user, report)


def may_resolve(user, report: UrgentReport) -> bool:
    return rules.test_rule("visits.urgent_resolve", user, report)


def may_reassign(user, report: UrgentReport) -> bool:
    return rules.test_rule("visits.urgent_reassign", user, report)


def may_comment(user, report: UrgentReport) -> bool:
    return rules.test_rule("visits.urgent_comment", user, report)


def may_take_over(user, report: UrgentReport) -> bool:
    return rules.test_rule("visits.urgent_take_over", user, report)


def allowed_actions(user, report: UrgentReport) -> list[str]:
    """The actions the detail page offers this user, in page order."""
    checks = [
        ("take_over", may_take_over),
        ("acknowledge", may_acknowledge),
        ("resolve", may_resolve),
        ("comment", may_comment),
        ("reassign", may_reassign),
    ]
    return [name for name, check in checks if check(user, report)]
