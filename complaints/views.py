"""HTTP only: scope check -> form -> service -> redirect/render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import exports, nav, sticky
from crm_site.core.forms import refuse_or_add_errors
from crm_site.core.listing import paginate, query_string, sorted_list_context
from crm_site.core.services import audit
from customers.waybills import selectors as waybill_selectors

from . import export, forms, permissions, rules, selectors, services, stats
from .claims import permissions as claim_permissions
from .claims import selectors as claim_selectors
from .filters import ComplaintFilter, ComplaintStatsFilter
from .models import DONE_STATUSES, Complaint

PAGE_SIZE = 25
STATS_ROWS_PER_PAGE = 50
SORT_COLUMNS = ["number", "customer", "received", "deadline", "status", "severity"]

# action -> (form class, service, success message)
ACTIONS: dict[str, tuple] = {
    "start": (
        forms.CommentForm,
        services.complaint_start_investigation,
        gettext_lazy("The investigation has started."),
    ),
    "findings": (
        forms.FindingsForm,
        services.complaint_record_findings,
        gettext_lazy("Findings saved."),
    ),
    "assign": (forms.AssignForm, services.complaint_assign, gettext_lazy("Handler assigned.")),
    "propose": (forms.ProposeForm, services.complaint_propose, gettext_lazy("Solution proposed.")),
    "approve": (forms.CommentForm, services.complaint_approve, gettext_lazy("Solution approved.")),
    "send_back": (
        forms.SendBackForm,
        services.complaint_send_back,
        gettext_lazy("Solution sent back."),
    ),
    "resolve": (
        forms.CommentForm,
        services.complaint_resolve,
        gettext_lazy("Complaint marked resolved."),
    ),
    "notify": (
        forms.NotifyForm,
        services.complaint_notify_customer,
        gettext_lazy("The notice to the customer is recorded."),
    ),
    "return_visit": (
        forms.ReturnVisitForm,
        services.complaint_return_visit,
        gettext_lazy("Return visit recorded."),
    ),
    "recording": (
        forms.RecordingForm,
        services.complaint_attach_recording,
        gettext_lazy("Recording attached."),
    ),
    "pause": (
        forms.PauseForm,
        services.complaint_pause,
        gettext_lazy("The clock is paused."),
    ),
    "resume": (
        forms.CommentForm,
        services.complaint_resume,
        gettext_lazy("The clock runs again; the deadline has moved on by the paused time."),
    ),
    "waybills": (
        forms.WaybillsForm,
        services.complaint_set_waybills,
        gettext_lazy("Waybill numbers saved."),
    ),
}


def _get_complaint_for_user(request, pk: int) -> Complaint:
    """The complaint if the user may see it, else 404 (existence is not revealed)."""
    return selectors.complaint_detail(user=request.user, pk=pk)


def _register(request):
    """The register's filters from the request, and the rows under them (list and export)."""
    filterset = ComplaintFilter(request.GET or None, user=request.user)
    return filterset, selectors.complaint_list(user=request.user, filters=filterset)


def complaint_list(request):
    # A full complaint number in the search box opens that complaint.
    if jump := selectors.complaint_by_number(user=request.user, number=request.GET.get("q", "")):
        sticky.forget(request, "q")
        return redirect(jump)
    filterset = ComplaintFilter(request.GET or None, user=request.user)
    navigation = nav.navigation_reads(request)
    page = selectors.complaint_register_page(
        user=request.user,
        filters=filterset,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
        also=[navigation] if navigation else [],
    )
    context = sorted_list_context(request, filterset, page=page, sort_keys=SORT_COLUMNS)
    context["may_log"] = permissions.may_log(request.user)
    return render(request, "complaints/complaint_list.html", context)


@role_required(Role.STAFF)
def complaint_create(request):
    initial = {}
    if code := request.GET.get("customer"):
        initial["customer"] = code
    form = forms.ComplaintLogForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("recording"):
            data["recording"] = None
        try:
            complaint = services.complaint_log(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = _("Complaint %(number)s logged; deadline %(deadline)s.") % {
                "number": complaint.number,
                "deadline": timezone.localtime(complaint.deadline).strftime("%Y-%m-%d %H:%M"),
            }
            if complaint.repeat_of_id:
                text += " " + _(
                    "It is a repeat: the same waybill had complaint %(number)s in the last 30 days."
                ) % {"number": complaint.repeat_of.number}
            messages.success(request, text)
            return redirect(complaint)
    return render(request, "complaints/complaint_form.html", {"form": form})


def _action_forms(request, complaint, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    result = []
    for name in permissions.available_actions(request.user, complaint):
        form_class = ACTIONS[name][0]
        form = bound.get(name) or form_class(prefix=name, complaint=complaint)
        result.append({"name": name, "label": rules.ACTIONS[name].label, "form": form})
    return result


def _render_detail(request, complaint, bound=None, merge_form=None):
    if merge_form is None and permissions.may_merge(request.user, complaint):
        candidates = selectors.complaint_merge_candidates(user=request.user, complaint=complaint)
        if candidates.exists():
            merge_form = forms.MergeForm(prefix="merge", candidates=candidates)
    context = {
        "complaint": complaint,
        "waybill_facts": selectors.complaint_waybill_facts(user=request.user, complaint=complaint),
        "merge_form": merge_form,
        "events": selectors.complaint_events(complaint=complaint),
        "actions": _action_forms(request, complaint, bound),
        "overdue": complaint.is_overdue(),
        "regulatory_overdue": complaint.regulatory_overdue(),
        "notice_ready": complaint.status in DONE_STATUSES,
        **selectors.complaint_clocks(complaint=complaint),
        "claims": claim_selectors.complaint_claims(user=request.user, complaint=complaint),
        "may_file_claim": complaint.is_open
        and claim_permissions.may_create(request.user, complaint),
        "tracking": waybill_selectors.tracking_of(complaint.waybills.all()),
    }
    return render(request, "complaints/complaint_detail.html", context)


def _merged_redirect(request, complaint):
    """A merged complaint's pages answer with its survivor's, and say so."""
    messages.info(
        request,
        _("Complaint %(number)s was merged into %(survivor)s.")
        % {"number": complaint.number, "survivor": complaint.merged_into.number},
    )
    return redirect(complaint.merged_into)


def complaint_detail(request, pk: int):
    complaint = _get_complaint_for_user(request, pk)
    if complaint.merged_into_id:
        return _merged_redirect(request, complaint)
    return _render_detail(request, complaint)


@require_POST
def complaint_merge(request, pk: int):
    """Merge this complaint and another about the same waybill (supervisor and up)."""
    complaint = _get_complaint_for_user(request, pk)
    if not permissions.may_merge(request.user, complaint):
        raise PermissionDenied
    if complaint.merged_into_id:
        return _merged_redirect(request, complaint)
    candidates = selectors.complaint_merge_candidates(user=request.user, complaint=complaint)
    form = forms.MergeForm(request.POST, prefix="merge", candidates=candidates)
    if form.is_valid():
        survivor, merged = form.survivor_and_merged(complaint)
        try:
            services.complaint_merge(complaint=merged, survivor=survivor, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(complaint)
        messages.success(
            request,
            _("Complaint %(number)s was merged into %(survivor)s.")
            % {"number": merged.number, "survivor": survivor.number},
        )
        return redirect(survivor)
    return _render_detail(request, complaint, merge_form=form)


@require_POST
def complaint_action(request, pk: int, action: str):
    complaint = _get_complaint_for_user(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.may(request.user, action, complaint):
        raise PermissionDenied
    form_class, service, success = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action, complaint=complaint)
    if form.is_valid():
        try:
            service(complaint=complaint, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            if refused := refuse_or_add_errors(request, form, exc, back_to=complaint):
                return refused
        else:
            messages.success(request, success)
            return redirect(complaint)
    complaint.refresh_from_db()
    return _render_detail(request, complaint, bound={action: form})


def complaint_print(request, pk: int):
    """The complaint record form (客户投诉记录表), laid out for printing."""
    complaint = _get_complaint_for_user(request, pk)
    return render(
        request,
        "complaints/print_record.html",
        {"complaint": complaint, "events": selectors.complaint_events(complaint=complaint)},
    )


def complaint_notice(request, pk: int):
    """The written notice of the outcome to the customer (客户投诉处理作业规定 第15条), to print."""
    complaint = _get_complaint_for_user(request, pk)
    if complaint.status not in DONE_STATUSES:
        messages.info(
            request, _("The notice letter can be printed once the complaint is resolved.")
        )
        return redirect(complaint)
    return render(
        request,
        "complaints/print_notice.html",
        {"complaint": complaint, "today": timezone.localdate()},
    )


def complaint_recording(request, pk: int):
    """The recording, as a download only: never inline, never sniffed."""
    complaint = _get_complaint_for_user(request, pk)
    if not complaint.recording:
        raise Http404
    try:
        handle = complaint.recording.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = complaint.recording_content_type or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{complaint.number}{rules.AUDIO_EXTENSION.get(content_type, '')}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    audit(actor=request.user, action="complaint.recording", obj=complaint, request=request)
    return response


def complaint_export(request):
    """The register as .xlsx, with the register's filters; a background job above
    CRM_EXPORT_SYNC_LIMIT rows."""
    params = export.register_export_params(_register(request)[0], request.GET)
    total = export.register_rows(user=request.user, params=params).order_by().count()
    if total > settings.CRM_EXPORT_SYNC_LIMIT:
        job = exports.export_job_start(
            user=request.user, kind="complaints", params=params, total=total
        )
        return redirect(job)
    response = HttpResponse(content_type=export.XLSX_CONTENT_TYPE)
    _rows, filename = export.register_export_write(
        user=request.user, params=params, stream=response, request=request
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def complaint_stats(request):
    filterset = ComplaintStatsFilter(request.GET or None, user=request.user)
    figures = stats.complaint_stats(user=request.user, filters=filterset)
    first, last = figures["first"], figures["last"]
    context = {
        "form": filterset.form,
        "first": first,
        "last": last,
        "total": figures["total"],
        "page_obj": paginate(request, figures["rows"], STATS_ROWS_PER_PAGE),
        "query_string": query_string(request),
        "categories": figures["categories"],
        "by_outlet": figures["by_outlet"],
        "chart": stats.chart_data(figures["by_month"], figures["categories"], first, last),
        "regulatory": figures["regulatory"],
        "regulatory_tables": stats.regulatory_tables(figures["regulatory"]),
    }
    return render(request, "complaints/complaint_stats.html", context)
