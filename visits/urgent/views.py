"""Urgent reports (巡访紧急报告): the queue, raising one, and working one.

Staff get 403 on every page here; a report outside the user's scope is 404.
Supervisors see their unit's reports and may comment; the assigned manager
acknowledges, reassigns and resolves.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role, ServiceUnit
from crm_site.accounts.scope import active_role, units_for
from crm_site.core.forms import add_service_errors
from visits.models import DailyReport, DailyReportEntry, UrgentReport
from visits.urgent import permissions as urgent_permissions
from visits.urgent import services as urgent_services
from visits.urgent.forms import (
    AcknowledgeForm,
    CommentForm,
    ReassignForm,
    ResolveForm,
    UrgentFilterForm,
    UrgentReportForm,
)
from visits.urgent.selectors import (
    counts_for,
    filter_queue,
    prefill_from_entry,
    queue_order,
    with_sla,
)

PAGE_SIZE = 25
# How often the queue page asks for fresh rows (static/js/visits-urgent.js).
REFRESH_SECONDS = 15


def _report_for(request, pk: int) -> UrgentReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    reports = UrgentReport.objects.visible_to(request.user).select_related(
        "unit", "raised_by", "assignee", "customer", "source_entry__report__user"
    )
    return get_object_or_404(reports, pk=pk)


def _filter_units(user, visible):
    units = units_for(user, "view")
    if active_role(user) == Role.ADMIN:
        return units
    # A manager also sees reports routed to them from other units (fallback).
    return ServiceUnit.objects.filter(
        Q(pk__in=units.values("pk")) | Q(pk__in=visible.values("unit_id"))
    ).distinct()


def _queue_context(request) -> dict:
    user = request.user
    visible = UrgentReport.objects.visible_to(user)
    mine_label = _("Assigned to me") if user.is_at_least(Role.MANAGER) else _("Raised by me")
    form = UrgentFilterForm(
        request.GET or None, units=_filter_units(user, visible), mine_label=mine_label
    )
    data = form.cleaned_data if form.is_valid() else {}
    reports = queue_order(filter_queue(visible, user=user, data=data)).select_related(
        "unit", "assignee", "raised_by", "customer"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    with_sla(page.object_list, now)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    refresh = dict(params)
    if page.number > 1:
        refresh["page"] = page.number
    return {
        "form": form,
        "page_obj": page,
        "query_string": urlencode(params),
        "refresh_query": urlencode(refresh),
        "refresh_seconds": REFRESH_SECONDS,
        # The script stops polling before the idle timeout would sign the user out.
        "idle_seconds": max(60, settings.SESSION_COOKIE_AGE - 5 * 60),
        "counts": counts_for(visible, now),
        "filters_active": bool(params),
        "may_raise": urgent_permissions.may_raise(user),
        "now": now,
    }


@role_required(Role.SUPERVISOR)
def urgent_list(request):
    """The queue: managers' units (and what is assigned to them), supervisors'
    unit, admins all; open reports by default, sorted by deadline."""
    return render(request, "visits/urgent_list.html", _queue_context(request))


@role_required(Role.SUPERVISOR)
def urgent_rows(request):
    """The queue's rows alone, fetched every few seconds by the page's script."""
    response = render(request, "visits/urgent_list.html#rows", _queue_context(request))
    response["X-Urgent-Rows"] = "1"
    response["Cache-Control"] = "no-store"
    return response


def _entry_for(request, entry_id) -> DailyReportEntry | None:
    if not str(entry_id or "").isdigit():
        return None
    entries = DailyReportEntry.objects.visible_to(request.user).select_related(
        "customer", "report__user", "report__unit"
    )
    return get_object_or_404(entries, pk=int(entry_id))


@role_required(Role.SUPERVISOR)
def urgent_create(request):
    """Raise an urgent report; ?entry=<id> pre-fills it from a flagged entry."""
    user = request.user
    if request.method == "POST":
        entry = _entry_for(request, request.POST.get("source_entry"))
        form = UrgentReportForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report, created = urgent_services.urgent_report_raise(
                    actor=user,
                    unit=d["unit"],
                    category=d["category"],
                    title=d["title"],
                    details=d["details"],
                    proposal=d["proposal"],
                    customer=d["customer"],
                    source_entry=d["source_entry"],
                    form_token=d["form_token"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if created:
                    messages.success(
                        request, _("Urgent report raised. It is being routed to a manager.")
                    )
                else:
                    messages.info(
                        request, _("This report was already raised; it was not sent twice.")
                    )
                return redirect(report)
    else:
        entry = _entry_for(request, request.GET.get("entry"))
        initial = prefill_from_entry(entry) if entry else {}
        form = UrgentReportForm(initial=initial, user=user)
    return render(request, "visits/urgent_form.html", {"form": form, "entry": entry})


def _render_detail(request, report: UrgentReport, status: int = 200, **bound):
    user = request.user
    actions = urgent_permissions.allowed_actions(user, report)
    forms = {
        "acknowledge": AcknowledgeForm(),
        "resolve": ResolveForm(),
        "comment": CommentForm(),
    }
    if "reassign" in actions:
        candidates = urgent_services.reassign_candidates(report)
        forms["reassign"] = ReassignForm(candidates=candidates)
    forms |= bound
    entry = report.source_entry
    entry_url = None
    if entry is not None and DailyReport.objects.visible_to(user).filter(pk=entry.report_id):
        entry_url = entry.get_absolute_url()
    context = {
        "report": report,
        "sla": with_sla([report], timezone.now())[0].sla,
        "events": report.events.select_related("actor"),
        "actions": [(name, forms[name]) for name in actions],
        "entry_url": entry_url,
        "is_assignee": urgent_permissions.is_assignee(user, report),
    }
    return render(request, "visits/urgent_detail.html", context, status=status)


@role_required(Role.SUPERVISOR)
def urgent_detail(request, pk: int):
    return _render_detail(request, _report_for(request, pk))


def _run(request, report, form_name: str, form, call):
    """Validate the action's form, run the service, say what happened."""
    if not form.is_valid():
        return _render_detail(request, report, status=400, **{form_name: form})
    try:
        moved = call(form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_service_errors(form, exc)
            return _render_detail(request, report, status=400, **{form_name: form})
        messages.error(request, " ".join(exc.messages))
        return redirect(report)
    return moved


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_acknowledge(request, pk: int):
    report = _report_for(request, pk)
    result = _run(
        request,
        report,
        "acknowledge",
        AcknowledgeForm(request.POST),
        lambda d: urgent_services.urgent_report_acknowledge(
            report=report, actor=request.user, comment=d["comment"]
        ),
    )
    return _after(request, report, result, _("Acknowledged. The supervisor has been told."))


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_comment(request, pk: int):
    report = _report_for(request, pk)
    result = _run(
        request,
        report,
        "comment",
        CommentForm(request.POST),
        lambda d: urgent_services.urgent_report_comment(
            report=report, actor=request.user, comment=d["comment"], token=d["token"]
        ),
    )
    return _after(request, report, result, _("Comment added."), anchor="timeline")


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_reassign(request, pk: int):
    report = _report_for(request, pk)
    # The current assignee stays a valid choice, so a resent form says
    # "nothing changed" instead of failing validation.
    candidates = urgent_services.reassign_candidates(report, include_current=True)
    form = ReassignForm(request.POST, candidates=candidates)
    result = _run(
        request,
        report,
        "reassign",
        form,
        lambda d: urgent_services.urgent_report_reassign(
            report=report, actor=request.user, to=d["to"], reason=d["reason"]
        ),
    )
    if result is True:
        name = form.cleaned_data["to"].get_full_name()
        return _after(request, report, True, _("Reassigned to %(name)s.") % {"name": name})
    return _after(request, report, result, "")


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_resolve(request, pk: int):
    report = _report_for(request, pk)
    result = _run(
        request,
        report,
        "resolve",
        ResolveForm(request.POST),
        lambda d: urgent_services.urgent_report_resolve(
            report=report, actor=request.user, resolution=d["resolution"]
        ),
    )
    return _after(request, report, result, _("Resolved. The supervisor has been told."))


def _after(request, report, result, done_message: str, anchor: str = ""):
    if not isinstance(result, bool):
        return result  # a page (form errors) or a redirect (illegal step)
    if result:
        messages.success(request, done_message)
    else:
        messages.info(request, _("Nothing changed: this was already done."))
    url = report.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)
