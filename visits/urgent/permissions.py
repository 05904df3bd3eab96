"""Who may do what with an urgent report.

Seeing one is `UrgentReport.objects.visible_to(user)`; these answer what a
user who sees it may do. Staff never reach here (every urgent page is 403).

- raise: supervisors, managers and admins, for their own units (admins: any);
- acknowledge and resolve: the assigned manager;
- reassign: the assigned manager, a manager of the unit, or an admin;
- comment: anyone who sees it (supervisors: read and comment only), while open.
"""

from crm_site.accounts.models import Role, ServiceUnit
from visits.models import UrgentReport


def raise_units(user):
    """Units the user may raise an urgent report for."""
    units = ServiceUnit.objects.filter(is_active=True)
    if user.role == Role.ADMIN:
        return units
    if not user.is_at_least(Role.SUPERVISOR):
        return units.none()
    return units.filter(pk__in=user.unit_ids)


def may_raise(user) -> bool:
    return user.is_at_least(Role.SUPERVISOR)


def manages_unit(user, unit_id: int) -> bool:
    return user.has_role(Role.MANAGER) and unit_id in user.unit_ids


def is_assignee(user, report: UrgentReport) -> bool:
    return report.assignee_id is not None and report.assignee_id == user.pk


def may_acknowledge(user, report: UrgentReport) -> bool:
    return report.status == UrgentReport.Status.ROUTED and is_assignee(user, report)


def may_resolve(user, report: UrgentReport) -> bool:
    return report.status in UrgentReport.WORKABLE and is_assignee(user, report)


def may_reassign(user, report: UrgentReport) -> bool:
    if report.status not in UrgentReport.WORKABLE:
        return False
    return (
        is_assignee(user, report) or manages_unit(user, report.unit_id) or user.has_role(Role.ADMIN)
    )


def may_comment(user, report: UrgentReport) -> bool:
    return report.is_open and user.is_at_least(Role.SUPERVISOR)


def allowed_actions(user, report: UrgentReport) -> list[str]:
    """The actions the detail page offers this user, in page order."""
    checks = [
        ("acknowledge", may_acknowledge),
        ("resolve", may_resolve),
        ("comment", may_comment),
        ("reassign", may_reassign),
    ]
    return [name for name, check in checks if check(user, report)]
