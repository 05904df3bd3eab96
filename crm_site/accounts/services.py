from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Membership, Role, ServiceUnit, User


def role_groups_ensure() -> dict[str, Group]:
    """The four role groups (the data migration creates them; a flushed test DB may not)."""
    return {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}


def admin_group_grant_all_permissions() -> None:
    """Admins manage units, regions and users in /admin/: give them every permission."""
    group = role_groups_ensure()[Role.ADMIN]
    group.permissions.set(Permission.objects.all())


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Put the user in exactly one role group; admins are also Django staff."""
    groups = role_groups_ensure()
    current = set(user.groups.values_list("name", flat=True))
    stale = [g for name, g in groups.items() if name != role and name in current]
    if stale:
        user.groups.remove(*stale)
    if role not in current:
        user.groups.add(groups[role])
    if user.is_staff != (role == Role.ADMIN):
        user.is_staff = role == Role.ADMIN
        user.save(update_fields=["is_staff"])
    user.forget_cached_scope()
    return user


def membership_set(*, user: User, unit: ServiceUnit, kind: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, unit=unit, defaults={"kind": kind}
    )
    user.forget_cached_scope()
    return membership
