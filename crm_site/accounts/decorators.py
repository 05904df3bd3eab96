from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import Role
from .scope import is_at_least


def role_required(minimum: Role):
    """Allow the view to active users of role `minimum` and up; others get 403
    (crm_site.accounts.scope.is_at_least).

    Anonymous users never get here: LoginRequiredMiddleware sends them to login.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_at_least(request.user, minimum):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
