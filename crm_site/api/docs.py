"""The OpenAPI schema and its readers (Swagger UI, Redoc), served from this
site (drf-spectacular-sidecar): no CDN, no inline script."""

from csp.decorators import csp_update
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView

from .views import ApiView


class SchemaView(ApiView, SpectacularAPIView):
    """The schema in the language asked for (`?lang=en`, Accept-Language, the
    user's language; Chinese by default)."""


schema = SchemaView.as_view()


def _context(request, title: str) -> dict:
    return {
        "title": title,
        "schema_url": reverse("api:schema"),
        "language": request.LANGUAGE_CODE,
    }


# Swagger UI sets a few inline styles from its script.
@csp_update({"style-src": ["'unsafe-inline'"]})
def swagger(request):
    context = _context(request, "Swagger UI")
    context |= {
        "css": static("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"),
        "bundle": static("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        "preset": static("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js"),
    }
    return render(request, "api/swagger.html", context)


# Redoc's styled components write <style> elements and it parses in a blob: worker.
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
def redoc(request):
    context = _context(request, "Redoc")
    context["bundle"] = static("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    return render(request, "api/redoc.html", context)
