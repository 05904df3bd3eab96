import sys

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control, never_cache
from django.views.defaults import server_error as default_server_error
from django.views.i18n import JavaScriptCatalog

from .context_processors import collect, nav_items_for
from .core import health, registry


def home(request):
    """Role home: greeting, what is due (each app's panel), the pages of the role."""
    context = {
        "shortcuts": nav_items_for(request.user)[1:],
        "home_panels": collect(registry.home_panels.paths(), request),
    }
    return render(request, "home.html", context)


@login_not_required
@never_cache
def healthz(request):
    """Liveness: the process answers. Nothing else is touched (no database), so
    a database outage never gets healthy web processes restarted."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
def readyz(request):
    """Readiness: database migrated, broker, beat, a worker; JSON naming each
    part, 503 naming the failing ones. No personal data, no error text."""
    ready, body = health.readiness()
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@cache_control(max_age=7 * 24 * 3600, public=True)
def favicon(request):
    """/favicon.ico from our static files: browsers and the admin ask for it
    without reading the page's <link rel="icon">; nothing comes from outside."""
    path = finders.find("img/favicon.ico")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


# The strings of static/js/*.js (locale/*/LC_MESSAGES/djangojs.po), in the
# request's language. Pages link it with ?v=<language> so a browser cache never
# serves one language's catalogue to the other; the sign-in page needs it too.
javascript_catalog = login_not_required(
    cache_control(max_age=24 * 3600, private=True)(JavaScriptCatalog.as_view(domain="djangojs"))
)


# Seconds a client is asked to wait before retrying while the database is away.
DATABASE_RETRY_AFTER = 30


def server_error(request):
    """handler500: a lost database (restart, network cut) is a 503 that says to
    retry, not a 500. Rendered without the request (no context processors): the
    database cannot be asked for the user or the menu."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return default_server_error(request)
    body = loader.get_template("503.html").render({})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response
