import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

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
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


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
