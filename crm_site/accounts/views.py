from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .forms import LoginForm, PasswordChangeForm
from .next_page import page_for


class CRMLoginView(LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """`next`, or the page holding the form when `next` only takes POST
        (a form sent after the session expired): never a 405 page."""
        url = super().get_redirect_url()
        return page_for(url, fallback=resolve_url(settings.LOGIN_REDIRECT_URL)) if url else url

    def get_context_data(self, **kwargs):
        """The session expired (the redirect said so, or the browser still
        sends a session cookie the server no longer knows): say it, and that
        what was typed is kept on the device."""
        context = super().get_context_data(**kwargs)
        request = self.request
        context["session_expired"] = not request.user.is_authenticated and (
            request.GET.get("expired") == "1"
            or bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        )
        return context

    def form_valid(self, form):
        """Sign in, and carry the language over between user and browser.

        A user without a saved choice keeps the language they picked on the
        sign-in page; a user with one gets it back on any browser, and the
        cookie follows it so the page after signing out stays in it too.
        """
        response = super().form_valid(form)
        user = form.get_user()
        supported = dict(settings.LANGUAGES)
        cookie = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not user.language and cookie in supported:
            user.language = cookie
            user.save(update_fields=["language"])
        if user.language in supported:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


class CRMPasswordChangeView(PasswordChangeView):
    """Django's password change, audited (the new password never is)."""

    form_class = PasswordChangeForm

    def form_valid(self, form):
        from crm_site.core.services import audit

        response = super().form_valid(form)
        audit(actor=self.request.user, action="password_changed", obj=self.request.user,
              request=self.request)  # fmt: skip
        return response


@login_not_required
@require_POST
def set_language(request):
    """Django's set_language, and remembered on the signed-in user's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
        with translation.override(language):
            messages.success(
                request,
                _("The interface is now in %(language)s, on every device you sign in on.")
                % {"language": dict(settings.LANGUAGES)[language]},
            )
    return response
