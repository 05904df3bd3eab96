"""Reads of users the apps share: the people of a service unit."""

from django.db.models import QuerySet

from .models import User


def unit_people(unit_id: int, *kinds: str) -> QuerySet:
    """Active users with a membership of the unit (of one of `kinds` when
    given), each once. The unit and the kind are tested in one filter() so
    they must hold for the same membership."""
    memberships: dict[str, object] = {"memberships__unit_id": unit_id}
    if kinds:
        memberships["memberships__kind__in"] = kinds
    return User.objects.filter(is_active=True, **memberships).distinct()
