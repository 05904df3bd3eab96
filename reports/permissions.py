"""Who may do what with a monthly summary (the supervisor compiles the
每月巡访情况报告书 and hands it to the manager).

- build or rebuild: a supervisor of the unit, or an admin;
- write the commentary and submit: a supervisor of the unit, while a draft;
- review: a manager of the unit, or an admin, once submitted.
Seeing a summary at all is `MonthlyPatrolSummary.objects.visible_to(user)`.
"""

from crm_site.accounts.models import Role, ServiceUnit

from .models import MonthlyPatrolSummary


def is_supervisor_of(user, unit_id: int) -> bool:
    return user.has_role(Role.SUPERVISOR) and unit_id in user.unit_ids


def is_manager_of(user, unit_id: int) -> bool:
    return user.has_role(Role.MANAGER) and unit_id in user.unit_ids


def can_build(user, unit_id: int) -> bool:
    return is_supervisor_of(user, unit_id) or user.has_role(Role.ADMIN)


def can_annotate(user, summary: MonthlyPatrolSummary) -> bool:
    return (
        is_supervisor_of(user, summary.unit_id)
        and summary.status == MonthlyPatrolSummary.Status.DRAFT
    )


def can_review(user, summary: MonthlyPatrolSummary) -> bool:
    return (
        is_manager_of(user, summary.unit_id) or user.has_role(Role.ADMIN)
    ) and summary.status == MonthlyPatrolSummary.Status.SUBMITTED


def buildable_units(user):
    """Units whose summaries the user may build."""
    if user.has_role(Role.ADMIN):
        return ServiceUnit.objects.filter(is_active=True)
    if user.has_role(Role.SUPERVISOR):
        return ServiceUnit.objects.filter(pk__in=user.unit_ids)
    return ServiceUnit.objects.none()


def visible_units(user):
    """Units whose summaries the user may see (the list's unit filter)."""
    if user.has_role(Role.ADMIN):
        return ServiceUnit.objects.all()
    if user.has_role(Role.SUPERVISOR, Role.MANAGER):
        return ServiceUnit.objects.filter(pk__in=user.unit_ids)
    return ServiceUnit.objects.none()
