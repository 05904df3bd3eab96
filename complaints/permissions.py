"""Who may do what to a complaint they can see.

Staff log complaints and work their own (those they logged or handle): start
the investigation, record findings, the written notice, the return visit and
the recording. Supervisors and managers of the complaint's unit also assign
handlers, propose solutions and mark them resolved. Only a manager of the unit
(or an admin) approves or sends back a major complaint's solution (客户服务管理制度
第12条: 情节重大…提请业务经理审批).

Scope (which complaints a user sees at all) is Complaint.objects.visible_to().
"""

from crm_site.accounts.models import Role

from . import rules

OWN_ACTIONS = {"start", "findings", "notify", "return_visit", "recording"}
LEAD_ACTIONS = OWN_ACTIONS | {"assign", "propose", "resolve"}
MANAGER_ACTIONS = {"approve", "send_back"}


def is_own(user, complaint) -> bool:
    return user.pk in (complaint.received_by_id, complaint.handler_id)


def leads_unit(user, complaint) -> bool:
    """An admin, or a supervisor or manager of the complaint's unit."""
    if user.role == Role.ADMIN:
        return True
    return user.role in (Role.SUPERVISOR, Role.MANAGER) and complaint.unit_id in user.unit_ids


def manages_unit(user, complaint) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and complaint.unit_id in user.unit_ids


def may(user, action: str, complaint) -> bool:
    """Whether the user's role lets them take `action` on this complaint (any status)."""
    if not user.is_active:
        return False
    if action in MANAGER_ACTIONS:
        return manages_unit(user, complaint)
    if action == "recording" and complaint.channel != "phone":
        return False
    if leads_unit(user, complaint):
        return action in LEAD_ACTIONS
    return action in OWN_ACTIONS and is_own(user, complaint)


def available_actions(user, complaint) -> list[str]:
    """The actions to offer on the detail page: allowed to the user, and now."""
    return [
        name
        for name in rules.ACTIONS
        if may(user, name, complaint)
        and rules.allows(name, status=complaint.status, severity=complaint.severity)
    ]


def may_log(user) -> bool:
    return user.is_at_least(Role.STAFF)
