"""Who may do what to a claim they can see.

Staff file claims on the complaints they work (those they logged or handle)
and record the loss assessment and the evidence on them; supervisors and
managers of the unit do too. Approval goes by the amount: up to the unit's
threshold (ClaimPolicy, an admin setting) a supervisor or a manager of the
unit approves, above it only a manager; an admin may always. Nobody approves
or rejects a claim they filed or assessed themselves. A refusal (拒赔) is an
approver's decision, under the same rule. Supervisors and managers of the
unit record the payout.

Each action is a rule named "claims.<action>" (the `rules` package) built from
the predicates of crm_site.accounts.scope; views, templates and services ask
through `may`. Scope is Claim.objects.visible_to().
"""

from decimal import Decimal

import rules as rulebook

from complaints.permissions import is_own as is_own_complaint
from crm_site.accounts.scope import (
    is_active_user,
    is_admin_role,
    is_lead_of_unit,
    is_manager_of_unit,
)

from . import rules
from .models import ClaimPolicy


def manager_threshold(unit_id: int) -> Decimal:
    """The amount above which a manager of the unit must approve."""
    policy = ClaimPolicy.objects.filter(unit_id=unit_id).first()
    return policy.manager_threshold if policy else rules.DEFAULT_MANAGER_THRESHOLD


def level_needed(claim) -> str:
    """rules.SUPERVISOR or rules.MANAGER: who must approve this claim's amount."""
    return rules.approval_level(claim.amount_to_approve, manager_threshold(claim.unit_id))


@rulebook.predicate
def works_complaint(user, claim) -> bool:
    """The user logged or handles the claim's complaint."""
    return is_own_complaint(user, claim.complaint)


@rulebook.predicate
def is_own_claim(user, claim) -> bool:
    """The user filed the claim or assessed its loss."""
    return user.pk in (claim.logged_by_id, claim.assessed_by_id)


@rulebook.predicate
def needs_manager(user, claim) -> bool:
    return level_needed(claim) == rules.MANAGER


leads_unit = is_admin_role | is_lead_of_unit
manages_unit = is_admin_role | is_manager_of_unit
approves = ~is_own_claim & ((needs_manager & manages_unit) | (~needs_manager & leads_unit))

rulebook.add_rule("claims.assess", is_active_user & (leads_unit | works_complaint))
rulebook.add_rule("claims.evidence", is_active_user & (leads_unit | works_complaint))
rulebook.add_rule("claims.approve", is_active_user & approves)
rulebook.add_rule("claims.reject", is_active_user & approves)
rulebook.add_rule("claims.pay", is_active_user & leads_unit)


@rulebook.predicate
def may_file_on(user, complaint) -> bool:
    return bool(is_admin_role(user) or is_lead_of_unit(user, complaint)) or is_own_complaint(
        user, complaint
    )


rulebook.add_rule("claims.create", is_active_user & may_file_on)


def may(user, action: str, claim) -> bool:
    """Whether the user's role lets them take `action` on this claim (any state)."""
    return rulebook.test_rule(f"claims.{action}", user, claim)


def may_create(user, complaint) -> bool:
    """Whether the user may file a claim on this complaint (any status)."""
    return rulebook.test_rule("claims.create", user, complaint)


def available_actions(user, claim) -> list[str]:
    """The actions the claim page offers: allowed to the user, and now."""
    return [
        name
        for name in rules.ACTIONS
        if rules.WORKFLOW.allows(name, claim.state) and may(user, name, claim)
    ]
