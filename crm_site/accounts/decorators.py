from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(minimum: str):
    """Allow the view to users of role `minimum` and up; others get 403.

    Anonymous users never get here: LoginRequiredMiddleware sends them to login.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_at_least(minimum):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
