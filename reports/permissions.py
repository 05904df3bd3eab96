"""Who may do what with a monthly summary (the supervisor compiles the
每月巡访情况报告书 and hands it to the manager).

- build or rebuild: a supervisor of the unit, or an admin;
- write the commentary and submit: a supervisor of the unit, while a draft;
- review: a manager of the unit, or an admin, once submitted.

Each is a rule of the `rules` package ("reports.build_summary", ...) built from
the predicates of crm_site.accounts.scope; the functions below are the names
views and services call. Seeing a summary at all is
`MonthlyPatrolSummary.objects.visible_to(user)`; the units offered come from
`units_for`.
"""

import rules

from crm_site.accounts.scope import (
    is_admin_role,
    is_manager_of_unit,
    is_supervisor_of_unit,
    units_for,
)

from .models import MonthlyPatrolSummary


@rules.predicate
def is_draft(user, summary) -> bool:
    return summary.status == MonthlyPatrolSummary.Status.DRAFT


@rules.predicate
def is_submitted(user, summary) -> bool:
    return summary.status == MonthlyPatrolSummary.Status.SUBMITTED


# The target of "reports.build_summary" is a unit id; of the others, a summary.
rules.add_rule("reports.build_summary", is_supervisor_of_unit | is_admin_role)
rules.add_rule("reports.annotate_summary", is_supervisor_of_unit & is_draft)
rules.add_rule("reports.review_summary", (is_manager_of_unit | is_admin_role) & is_submitted)


def is_supervisor_of(user, unit_id: int) -> bool:
    return is_supervisor_of_unit(user, unit_id)


def is_manager_of(user, unit_id: int) -> bool:
    return is_manager_of_unit(user, unit_id)


def can_build(user, unit_id: int) -> bool:
    return rules.test_rule("reports.build_summary", user, unit_id)


def can_annotate(user, summary: MonthlyPatrolSummary) -> bool:
    return rules.test_rule("reports.annotate_summary", user, summary)


def can_review(user, summary: MonthlyPatrolSummary) -> bool:
    return rules.test_rule("reports.review_summary", user, summary)


def buildable_units(user):
    """Units whose summaries the user may build: `units_for(user, "build")`."""
    return units_for(user, "build")


def visible_units(user):
    """Units whose summaries the user may see (the list's unit filter):
    `units_for(user, "review")`."""
    return units_for(user, "review")
