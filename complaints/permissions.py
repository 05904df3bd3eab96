"""Who may do what to a complaint they can see.

Staff log complaints and work their own (those they logged or handle): start
the investigation, record findings, pause and resume the clock, the notice,
the return visit and the recording. Supervisors and managers of the complaint's unit also assign
handlers, propose solutions and mark them resolved. Only a manager of the unit
(or an admin) approves or sends back a major complaint's solution (客户服务管理制度
第12条: 情节重大…提请业务经理审批).

Each action is a rule named "complaints.<action>" (the `rules` package), built
from the predicates of crm_site.accounts.scope; views and services ask through
`may`. Scope (which complaints a user sees at all) is
Complaint.objects.visible_to().
"""

import rules as rulebook

from crm_site.accounts.scope import (
    is_active_user,
    is_admin_role,
    is_lead_of_unit,
    is_manager_of_unit,
    is_staff_or_above,
)

from . import rules

OWN_ACTIONS = {
    "start",
    "findings",
    "notify",
    "return_visit",
    "recording",
    "pause",
    "resume",
    "waybills",
}
LEAD_ACTIONS = OWN_ACTIONS | {"assign", "propose", "resolve"}
MANAGER_ACTIONS = {"approve", "send_back"}


@rulebook.predicate
def is_own(user, complaint) -> bool:
    """The user logged the complaint or handles it."""
    return user.pk in (complaint.received_by_id, complaint.handler_id)


@rulebook.predicate
def is_phone_complaint(user, complaint) -> bool:
    return complaint.channel == "phone"


leads_unit = is_admin_role | is_lead_of_unit
manages_unit = is_admin_role | is_manager_of_unit

for _action in sorted(LEAD_ACTIONS | MANAGER_ACTIONS):
    if _action in MANAGER_ACTIONS:
        _rule = manages_unit
    elif _action in OWN_ACTIONS:
        _rule = leads_unit | is_own
    else:
        _rule = leads_unit
    if _action == "recording":
        _rule = is_phone_complaint & _rule
    rulebook.add_rule(f"complaints.{_action}", is_active_user & _rule)
rulebook.add_rule("complaints.log", is_staff_or_above)
# Merging two complaints about one waybill: a supervisor or manager of the
# unit, or an admin (checked on both complaints).
rulebook.add_rule("complaints.merge", is_active_user & leads_unit)


def may(user, action: str, complaint) -> bool:
    """Whether the user's role lets them take `action` on this complaint (any status)."""
    return rulebook.test_rule(f"complaints.{action}", user, complaint)


def available_actions(user, complaint) -> list[str]:
    """The actions to offer on the detail page: allowed to the user, and now."""
    return [
        name
        for name in rules.ACTIONS
        if may(user, name, complaint)
        and rules.allows(
            name,
            status=complaint.status,
            severity=complaint.severity,
            paused=complaint.paused_since is not None,
        )
    ]


def may_merge(user, complaint) -> bool:
    return rulebook.test_rule("complaints.merge", user, complaint)


def may_log(user) -> bool:
    return rulebook.test_rule("complaints.log", user)
