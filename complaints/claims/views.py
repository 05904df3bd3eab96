"""Claim pages: HTTP only (scope check -> form -> service -> redirect/render)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import exports
from crm_site.core import xlsx as sheet
from crm_site.core.forms import add_service_errors, refuse_or_add_errors
from crm_site.core.idempotency import first_by_token
from crm_site.core.listing import query_string, sorted_list_context
from crm_site.core.services import audit

from .. import selectors as complaint_selectors
from . import export, forms, permissions, selectors, services
from .filters import register_filter
from .models import Claim
from .rules import EVIDENCE_EXTENSION

PAGE_SIZE = 25
SORT_COLUMNS = ["filed", "claimed", "assessed", "paid", "state"]

# action -> (label, form class, service, success message)
ACTIONS: dict[str, tuple] = {
    "assess": (
        gettext_lazy("Assess the loss"),
        forms.AssessForm,
        services.claim_assess,
        gettext_lazy("Loss assessed."),
    ),
    "approve": (
        gettext_lazy("Approve the claim"),
        forms.ApproveForm,
        services.claim_approve,
        gettext_lazy("Claim approved."),
    ),
    "pay": (
        gettext_lazy("Record the payout"),
        forms.PayForm,
        services.claim_pay,
        gettext_lazy("Payout recorded."),
    ),
    "reject": (
        gettext_lazy("Reject the claim"),
        forms.RejectForm,
        services.claim_reject,
        gettext_lazy("Claim rejected."),
    ),
    "evidence": (
        gettext_lazy("Attach evidence"),
        forms.EvidenceForm,
        services.claim_add_evidence,
        gettext_lazy("Evidence attached."),
    ),
}


def claim_list(request):
    filterset = register_filter(user=request.user, data=request.GET)
    rows = selectors.claim_list(user=request.user, filters=filterset)
    context = sorted_list_context(
        request, filterset, rows, per_page=PAGE_SIZE, sort_keys=SORT_COLUMNS
    )
    context["may_see_payouts"] = request.user.is_at_least(Role.SUPERVISOR)
    return render(request, "complaints/claims/claim_list.html", context)


def claim_export(request):
    """The register as .xlsx under its filters; a background job above
    CRM_EXPORT_SYNC_LIMIT rows."""
    params = export.register_export_params(request.GET)
    total = export.register_rows(user=request.user, params=params).order_by().count()
    if total > settings.CRM_EXPORT_SYNC_LIMIT:
        job = exports.export_job_start(user=request.user, kind="claims", params=params, total=total)
        return redirect(job)
    response = HttpResponse(content_type=sheet.XLSX_CONTENT_TYPE)
    _rows, filename = export.register_export_write(
        user=request.user, params=params, stream=response, request=request
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.SUPERVISOR)
def claim_payouts(request):
    """Paid out per month, unit, responsible outlet and type, under the register's filters."""
    filterset = register_filter(user=request.user, data=request.GET)
    figures = selectors.payouts(claims=selectors.claim_list(user=request.user, filters=filterset))
    context = {"filter": filterset, "query_string": query_string(request), **figures}
    return render(request, "complaints/claims/claim_payouts.html", context)


@role_required(Role.STAFF)
def claim_create(request, pk: int):
    complaint = complaint_selectors.complaint_detail(user=request.user, pk=pk)
    if not permissions.may_create(request.user, complaint):
        raise PermissionDenied
    form = forms.ClaimCreateForm(request.POST or None, request.FILES or None, complaint=complaint)
    if request.method == "POST":
        # A resent form finds the claim the first one filed.
        token = form.posted_token()
        if form.is_valid():
            try:
                claim = services.claim_create(
                    actor=request.user, complaint=complaint, **form.service_kwargs()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Claim %(number)s filed.") % {"number": claim.number})
                return redirect(claim)
        elif token and (first := first_by_token(Claim, token)) is not None:
            return redirect(first)
    return render(
        request, "complaints/claims/claim_form.html", {"form": form, "complaint": complaint}
    )


def _action_forms(request, claim, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    result = []
    for name in permissions.available_actions(request.user, claim):
        label, form_class, _service, _done = ACTIONS[name]
        form = bound.get(name) or form_class(prefix=name, claim=claim)
        result.append({"name": name, "label": label, "form": form})
    return result


def _render_detail(request, claim, bound=None):
    context = {
        "claim": claim,
        "complaint": claim.complaint,
        "waybills": claim.waybills.all(),
        "evidence": selectors.claim_evidence(claim=claim),
        "events": selectors.claim_events(claim=claim),
        "actions": _action_forms(request, claim, bound),
        "level_needed": permissions.level_needed(claim),
        "threshold": permissions.manager_threshold(claim.unit_id),
    }
    return render(request, "complaints/claims/claim_detail.html", context)


def claim_detail(request, pk: int):
    return _render_detail(request, selectors.claim_detail(user=request.user, pk=pk))


@require_POST
def claim_action(request, pk: int, action: str):
    claim = selectors.claim_detail(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.may(request.user, action, claim):
        raise PermissionDenied
    _label, form_class, service, success = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action, claim=claim)
    if form.is_valid():
        try:
            service(claim=claim, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            if refused := refuse_or_add_errors(request, form, exc, back_to=claim):
                return refused
        else:
            messages.success(request, success)
            return redirect(claim)
    claim.refresh_from_db()
    return _render_detail(request, claim, bound={action: form})


def claim_evidence(request, pk: int, evidence_id: int):
    """An evidence file, as a download only: never inline, never sniffed."""
    item = selectors.claim_evidence_item(user=request.user, pk=pk, evidence_id=evidence_id)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = EVIDENCE_EXTENSION.get(item.content_type, "")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{item.claim.number}-{item.pk}{ext}",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    audit(actor=request.user, action="claim.evidence", obj=item.claim, request=request)
    return response
