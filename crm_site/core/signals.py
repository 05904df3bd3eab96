"""Audit rows for sign-ins and role changes (ASVS: security-relevant events)."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
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


ADMIN_ACTIONS = {ADDITION: "admin.addition", CHANGE: "admin.change", DELETION: "admin.deletion"}


@receiver(post_save, sender=LogEntry)
def audit_admin_action(sender, instance, created, **kwargs):
    """Every add, change and deletion made in /admin/ (units, regions, users,
    categories, the work calendar...). The object's type and id only: its
    name may be personal data."""
    if not created:
        return
    content_type = instance.content_type
    audit(
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.change"),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=instance.object_id or "",
        summary=f"{content_type.app_label}.{content_type.model} #{instance.object_id}"
        if content_type
        else "",
    )
