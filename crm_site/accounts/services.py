import secrets

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


# The unconfirmed static device that holds an admin's one-time enrolment code.
# Unconfirmed, so django-otp never offers it as a second factor at sign-in.
ENROLMENT_DEVICE = "enrolment"


@transaction.atomic
def two_factor_enrolment_code_issue(*, user: User, actor: User | None) -> str:
    """A one-time code an admin needs, besides the password, to set up their
    first authenticator: someone who only stole the password cannot enrol their
    own phone. Issued by another admin (the user admin's action) or, for the
    first admin, by `manage.py two_factor_enrolment_code`. Replaces an earlier one."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from crm_site.core.services import audit

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=ENROLMENT_DEVICE, defaults={"confirmed": False}
    )
    device.token_set.all().delete()
    code = secrets.token_hex(8)
    StaticToken.objects.create(device=device, token=code)
    audit(actor=actor, action="two_factor.enrolment_code_issued", obj=user)
    return code


def two_factor_enrolment_code_use(*, user: User, code: str) -> bool:
    """Check and use up the user's enrolment code (throttled like any OTP device)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, name=ENROLMENT_DEVICE).first()
    if device is None or not device.verify_is_allowed()[0]:
        return False
    if not device.verify_token(code.strip().lower()):
        return False
    device.delete()
    return True
