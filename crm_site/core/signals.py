"""Audit rows for sign-ins and role changes (ASVS: security-relevant events)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from crm_site.logs import current_user_var

from .services import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit(actor=user, action="login", obj=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit(actor=user, action="logout", obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username only: never the password.
    username = str(credentials.get("username", ""))[:150]
    audit(actor=None, action="login_failed", data={"username": username}, request=request)


@receiver(m2m_changed, sender=get_user_model().groups.through)
def audit_role_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from django.contrib.auth.models import Group

    groups = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    audit(
        actor=current_user_var.get(),
        action="role_changed",
        obj=instance,
        data={"change": action.removeprefix("post_"), "groups": groups},
    )
