import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from crm_site.middleware import SESSION_STARTED_KEY


@receiver(user_logged_in)
def remember_sign_in_time(sender, request, user, **kwargs):
    # The absolute session cap counts from sign-in, not from the last request.
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()
        from .twofactor import SESSION_STATE, state_after_password

        state = state_after_password(user)
        if state:
            request.session[SESSION_STATE] = state


@receiver(post_migrate)
def grant_admin_group_permissions(sender, **kwargs):
    # Permissions are created by post_migrate too, after data migrations ran,
    # so the admin group is granted them here rather than in a migration; once
    # per migrated app, so it ends with every app's permissions.
    from .services import admin_group_grant_all_permissions

    admin_group_grant_all_permissions()
