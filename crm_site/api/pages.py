"""The API key pages: each user's own keys on their profile; admins see and
revoke every key. A new key is shown once, on the page that made it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.models import Role
from crm_site.accounts.scope import active_role, is_at_least
from crm_site.core.forms import add_service_errors

from . import selectors, services
from .forms import ApiKeyForm


def api_keys(request):
    user = request.user
    if active_role(user) is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            api_key, new_key = services.api_key_create(
                actor=user,
                user=user,
                name=d["name"],
                read_only=d["read_only"],
                expires_in_days=d["expires"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiKeyForm()
    context = {
        "form": form,
        "new_key": new_key,
        "keys": selectors.api_keys_for(user=user),
        "is_admin": is_at_least(user, Role.ADMIN),
    }
    return render(request, "api/api_keys.html", context)


@require_POST
def api_key_revoke(request, prefix: str):
    api_key = get_object_or_404(selectors.api_keys_for(user=request.user), prefix=prefix)
    if services.api_key_revoke(actor=request.user, api_key=api_key, request=request):
        messages.success(request, _("API key “%(name)s” revoked.") % {"name": api_key.name})
    return redirect("api_keys")
