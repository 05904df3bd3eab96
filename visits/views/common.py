"""Helpers shared by the visits views."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .. import selectors
from ..models import DailyReport


def wants_json(request) -> bool:
    """A fetch() from our scripts (they send Accept: application/json)."""
    return "application/json" in request.headers.get("Accept", "")


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": str(message)}, status=status)


def report_for(request, pk: int) -> DailyReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    return selectors.daily_report_detail(user=request.user, pk=pk)


def units_for(user):
    """Units whose figures the user may see."""
    return selectors.unit_list(user=user)


def redirect_back(request, fallback: str, *args):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)
