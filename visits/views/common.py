"""Helpers shared by the visits views."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def wants_json(request) -> bool:
    """A fetch() from our scripts (they send Accept: application/json)."""
    return "application/json" in request.headers.get("Accept", "")


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": str(message)}, status=status)


def redirect_back(request, fallback: str, *args):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)
