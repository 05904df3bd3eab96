"""Helpers shared by the visits views."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from crm_site.accounts.models import Role, User

from ..models import DailyReport


def wants_json(request) -> bool:
    """A fetch() from our scripts (they send Accept: application/json)."""
    return "application/json" in request.headers.get("Accept", "")


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": str(message)}, status=status)


def report_for(request, pk: int) -> DailyReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    reports = DailyReport.objects.visible_to(request.user).select_related(
        "user", "unit", "reviewed_by"
    )
    return get_object_or_404(reports, pk=pk)


def staff_people_for(user):
    """Staff members whose reports and due lists a supervisor+ may pick from."""
    people = User.objects.filter(is_active=True, groups__name=Role.STAFF)
    if user.role != Role.ADMIN:
        people = people.filter(memberships__unit_id__in=user.unit_ids)
    return people.distinct().order_by("full_name", "username")


def redirect_back(request, fallback: str, *args):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)
