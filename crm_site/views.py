from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .context_processors import collect, nav_items_for


def home(request):
    """Role home: greeting, what is due (each app's panel), the pages of the role."""
    context = {
        "shortcuts": nav_items_for(request.user)[1:],
        "home_panels": collect(settings.CRM_HOME_PANELS, request),
    }
    return render(request, "home.html", context)


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise; no detail either way."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
