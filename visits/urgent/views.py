"""Urgent reports (巡访紧急报告): the queue, raising one, and working one.

Staff get 403 on every page here; a report outside the user's scope is 404.
Supervisors see their unit's reports and may comment; the assigned manager
acknowledges, reassigns and resolves; a manager of the unit may take over a
report stuck in routing.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import call_or_add_errors, refuse_or_add_errors
from crm_site.core.listing import active_params, paginate
from visits.models import DailyReportEntry, UrgentReport
from visits.urgent import permissions as urgent_permissions
from visits.urgent import selectors as urgent_selectors
from visits.urgent import services as urgent_services
from visits.urgent.filters import UrgentFilter
from visits.urgent.forms import (
    AcknowledgeForm,
    CommentForm,
    ReassignForm,
    ResolveForm,
    UrgentReportForm,
)
from visits.urgent.selectors import prefill_from_entry, with_sla

PAGE_SIZE = 25
# How often the queue page asks for fresh rows (static/js/visits-urgent.js).
REFRESH_SECONDS = 15


def _report_for(request, pk: int) -> UrgentReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    return urgent_selectors.urgent_detail(user=request.user, pk=pk)


def _queue_context(request) -> dict:
    user = request.user
    filterset = UrgentFilter(
        request.GET or None, user=user, units=urgent_selectors.urgent_filter_units(user=user)
    )
    page = paginate(request, urgent_selectors.urgent_queue(user=user, filters=filterset), PAGE_SIZE)
    now = timezone.now()
    urgent_selectors.with_sla(page.object_list, now)
    for report in page.object_list:
        # A report still waiting for routing: the unit's managers may take it
        # over from the queue itself.
        report.may_take_over = urgent_permissions.may_take_over(user, report)
    params = active_params(request)
    refresh: dict = dict(params)
    if page.number > 1:
        refresh["page"] = page.number
    return {
        "form": filterset.form,
        "page_obj": page,
        "query_string": urlencode(params),
        "refresh_query": urlencode(refresh),
        "refresh_seconds": REFRESH_SECONDS,
        # The script stops polling before the idle timeout would sign the user out.
        "idle_seconds": max(60, settings.SESSION_COOKIE_AGE - 5 * 60),
        "counts": urgent_selectors.urgent_queue_counts(user=user, now=now),
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
    return urgent_selectors.urgent_source_entry(user=request.user, pk=int(entry_id))


@role_required(Role.SUPERVISOR)
def urgent_create(request):
    """Raise an urgent report; ?entry=<id> pre-fills it from a flagged entry."""
    user = request.user
    if request.method == "POST":
        entry = _entry_for(request, request.POST.get("source_entry"))
        form = UrgentReportForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            saved = call_or_add_errors(
                form,
                urgent_services.urgent_report_raise,
                actor=user,
                unit=d["unit"],
                category=d["category"],
                title=d["title"],
                details=d["details"],
                proposal=d["proposal"],
                customer=d["customer"],
                source_entry=d["source_entry"],
                waybills=d["waybills"],
                form_token=d["form_token"],
            )
            if saved:
                report, created = saved
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
        "take_over": AcknowledgeForm(),
        "acknowledge": AcknowledgeForm(),
        "resolve": ResolveForm(),
        "comment": CommentForm(),
    }
    if "reassign" in actions:
        candidates = urgent_services.reassign_candidates(report)
        forms["reassign"] = ReassignForm(candidates=candidates)
    forms |= bound
    entry_url = urgent_selectors.urgent_entry_url(user=user, report=report)
    now = timezone.now()
    context = {
        "report": report,
        "sla": with_sla([report], now)[0].sla,
        "routing_late": urgent_selectors.routing_late(report, now),
        "events": urgent_selectors.urgent_events(report=report),
        "actions": [(name, forms[name]) for name in actions],
        "entry_url": entry_url,
        "waybills": list(report.waybills.all()),
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
        refused = refuse_or_add_errors(request, form, exc, back_to=report)
        return refused or _render_detail(request, report, status=400, **{form_name: form})
    return moved


def _act(request, pk: int, name: str, form_class, service, fields, done: str, anchor: str = ""):
    """One action on a report: bind its form, call its service with the form's fields."""
    report = _report_for(request, pk)
    result = _run(
        request,
        report,
        name,
        form_class(request.POST),
        lambda d: service(report=report, actor=request.user, **{f: d[f] for f in fields}),
    )
    return _after(request, report, result, done, anchor=anchor)


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_acknowledge(request, pk: int):
    done = _("Acknowledged. The supervisor has been told.")
    service = urgent_services.urgent_report_acknowledge
    return _act(request, pk, "acknowledge", AcknowledgeForm, service, ["comment"], done)


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_comment(request, pk: int):
    service = urgent_services.urgent_report_comment
    fields = ["comment", "token"]
    return _act(
        request, pk, "comment", CommentForm, service, fields, _("Comment added."), anchor="timeline"
    )


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
    done = _("Resolved. The supervisor has been told.")
    service = urgent_services.urgent_report_resolve
    return _act(request, pk, "resolve", ResolveForm, service, ["resolution"], done)


@require_POST
@role_required(Role.SUPERVISOR)
def urgent_take_over(request, pk: int):
    """A manager of the unit takes a report stuck in routing in hand themselves."""
    done = _("You have taken it over. The supervisor has been told.")
    service = urgent_services.urgent_report_take_over
    return _act(request, pk, "take_over", AcknowledgeForm, service, ["comment"], done)


def _after(request, report, result, done_message: str, anchor: str = ""):
    if not isinstance(result, bool):
        return result  # a page (form errors) or a redirect (illegal step)
    if result:
        messages.success(request, done_message)
    else:
        messages.info(request, _("Nothing changed: this was already done."))
    url = report.get_absolute_url()
    return redirect(f"{url}#{anchor}" if anchor else url)
