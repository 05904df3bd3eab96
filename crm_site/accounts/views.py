from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


class CRMLoginView(LoginView):
    redirect_authenticated_user = True


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
    return response
