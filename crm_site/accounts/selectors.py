"""Reads of users the apps share: the people of a service unit, the admins."""

from django.db.models import Q, QuerySet

from .models import Role, User


def unit_people(unit_id: int, *kinds: str) -> QuerySet:
    """Active users with a membership of the unit (of one of `kinds` when
    given), each once. The unit and the kind are tested in one filter() so
    they must hold for the same membership."""
    memberships: dict[str, object] = {"memberships__unit_id": unit_id}
    if kinds:
        memberships["memberships__kind__in"] = kinds
    return User.objects.filter(is_active=True, **memberships).distinct()


def active_admins() -> QuerySet:
    """Active users whose role is admin (the admin group or a superuser, as
    User.role counts them), each once: who system alerts go to."""
    return User.objects.filter(
        Q(groups__name=Role.ADMIN) | Q(is_superuser=True), is_active=True
    ).distinct()
