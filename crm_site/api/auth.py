"""Who is calling, what they may do, how often.

- `Authorization: Api-Key <key>`: the key's user, with exactly their role and
  scope; a revoked or expired key, or a deactivated user, is refused (401).
- The browser's session, with CSRF on writes (DRF's SessionAuthentication).
- A read-only key never writes (403); a user with no role gets nothing.
- Throttling per key (per user for a session) in the shared cache, with
  Retry-After.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from crm_site.accounts.scope import active_role

from . import services
from .models import ApiKey

KEYWORD = "Api-Key"
# last_used_at is written at most this often per key (not on every request).
LAST_USED_RESOLUTION_SECONDS = 60


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = key.strip()
        api_key = self._key(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if api_key.revoked:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        user = api_key.user
        if active_role(user) is None:
            raise exceptions.AuthenticationFailed(_("The user of this API key cannot sign in."))
        self._record_use(api_key, request)
        return user, api_key

    def authenticate_header(self, request):
        return KEYWORD

    @staticmethod
    def _key(key: str) -> ApiKey | None:
        prefix, dot, _rest = key.partition(".")
        if not dot or not prefix:
            return None
        api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if api_key is None or not api_key.is_valid(key):
            return None
        return api_key

    @staticmethod
    def _record_use(api_key: ApiKey, request) -> None:
        now = timezone.now()
        last = api_key.last_used_at
        if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        # One audit row per key per window, not one per request.
        window = settings.CRM_API_KEY_AUDIT_MINUTES * 60
        if cache.add(f"crm:api-key-used:{api_key.pk}", 1, timeout=window):
            services.api_key_audit_use(api_key=api_key, request=request)


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session; writes need the CSRF token, as on the pages."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and active_role(result[0]) is None:
            return None
        return result


class ApiAccess(permissions.BasePermission):
    """A signed-in active user with a role; a read-only key only reads."""

    message = _("Authentication credentials were not provided.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if active_role(user) is None:
            self.message = _("You do not have permission to perform this action.")
            return False
        auth = request.auth
        if (
            isinstance(auth, ApiKey)
            and auth.read_only
            and request.method not in permissions.SAFE_METHODS
        ):
            self.message = _("This API key is read-only.")
            return False
        return True


class PerKeyThrottle(throttling.SimpleRateThrottle):
    """CRM_API_RATE requests per key (per user for a browser session)."""

    scope = "api"
    cache = cache

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"crm:api-throttle:{ident}"
