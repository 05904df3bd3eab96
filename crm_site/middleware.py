import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import resolve_url
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control

SESSION_STARTED_KEY = "crm_signed_in_at"


class UserLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware without Accept-Language: Chinese unless the user chose.

    Order: the signed-in user's saved choice, then the language cookie set by
    the switcher, then LANGUAGE_CODE. A browser's Accept-Language is ignored on
    purpose: staff share English-language machines and still expect Chinese.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        user = getattr(request, "user", None)
        choice = None
        if user is not None and user.is_authenticated and user.language in supported:
            choice = user.language
        if choice is None:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            choice = cookie if cookie in supported else settings.LANGUAGE_CODE
        translation.activate(choice)
        request.LANGUAGE_CODE = translation.get_language()


class SessionAbsoluteExpiryMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after sign-in, however active.

    Idle expiry is the session cookie age (renewed on each request); this adds
    the absolute cap that ASVS asks for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path(), expired_login_url())
        return self.get_response(request)


def expired_login_url() -> str:
    """The sign-in page, told that the session expired (it says so)."""
    return resolve_url(settings.LOGIN_URL) + "?expired=1"


class ExpiryAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware; a browser that still sends a session
    cookie was signed in and its session expired (idle timeout, or unknown to
    the server): the sign-in page is told, so it can say so."""

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            url = response["Location"]
            response["Location"] = f"{url}{'&' if '?' in url else '?'}expired=1"
        return response


SENT_COOKIE = "crm_sent"


class SentFormMiddleware:
    """After a form was accepted (a signed-in POST answered with a redirect and
    no error message), a short-lived cookie names the address it was sent
    to: the page that follows forgets the copy of it kept on the device
    (static/js/drafts.js). A form sent back with errors (200), or a POST
    redirected to the sign-in page, keeps its copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code in (301, 302, 303)
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and not _has_error_message(request)
        ):
            response.set_cookie(
                SENT_COOKIE,
                quote(request.path, safe=""),  # a cookie value has no "/"
                max_age=120,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # read (and removed) by the page's script
            )
        return response


def _has_error_message(request) -> bool:
    """Whether this request queued an error message (a step refused as a
    whole redirects back with one: what was typed is still wanted)."""
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", ())
    return any(m.level >= messages.ERROR for m in queued)


class RequestSizeLimitMiddleware:
    """Refuse a request body over CRM_MAX_REQUEST_MB from its Content-Length,
    before anything reads it: an oversized upload costs neither disk nor time.
    (The largest legitimate upload is a 20 MB recording.) 413 with a Chinese page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.CRM_MAX_REQUEST_MB * 1024 * 1024
        if length > limit:
            body = loader.get_template("413.html").render({"mb": settings.CRM_MAX_REQUEST_MB})
            return HttpResponse(body, status=413)
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on what a signed-in user is shown: pages,
    JSON and every file (exports, downloads), so neither a shared proxy nor the
    browser's disk keeps personal data. Responses a view marked cacheable for
    everyone (`public`: the favicon) and scripts (the JS catalogue) keep theirs."""

    _PERSONAL_TYPES = ("text/html", "application/json")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if "public" in response.get("Cache-Control", ""):
            return response
        content_type = response.get("Content-Type", "")
        is_file = response.streaming or response.has_header("Content-Disposition")
        if is_file or content_type.startswith(self._PERSONAL_TYPES):
            patch_cache_control(response, private=True, no_store=True)
        return response
