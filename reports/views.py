"""Pages of the monthly patrol summaries (/reports/monthly/...).

Supervisors and up (staff get 403); a summary outside the user's scope is 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from crm_site.core.forms import add_service_errors, form_errors_to_messages
from crm_site.core.listing import active_params, paginate
from crm_site.core.services import audit

from . import display, export, permissions, rollup, selectors, services
from .filters import SummaryFilter
from .forms import BuildForm, CommentaryForm, ReviewForm
from .models import MonthlyPatrolSummary, SummaryEvent

PAGE_SIZE = 25


def _summary_for(request, pk: int) -> MonthlyPatrolSummary:
    """The summary if the user may see it, else 404 (its existence is not revealed)."""
    return selectors.summary_detail(user=request.user, pk=pk)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@role_required(Role.SUPERVISOR)
def monthly_list(request):
    user = request.user
    filterset = SummaryFilter(request.GET, units=permissions.visible_units(user))
    page = paginate(request, selectors.summary_list(user=user, filters=filterset), PAGE_SIZE)
    units = permissions.buildable_units(user)
    this_month = months.first_of(timezone.localdate())
    missing = (
        selectors.summary_missing(units=units, month=this_month)
        if user.has_role(Role.SUPERVISOR)
        else []
    )
    params = active_params(request)
    context = {
        "offer_build": _offer_build(filterset, units, page, this_month),
        "filter": filterset,
        "page_obj": page,
        "query_string": urlencode(params),
        "build_form": BuildForm(
            units=units, initial={"month": f"{this_month:%Y-%m}", "unit": units.first()}
        )
        if units.exists()
        else None,
        "missing_this_month": missing,
        "this_month": this_month,
        "pending": selectors.rollup_requests_pending(user=user),
    }
    return render(request, "reports/monthly_list.html", context)


def _offer_build(filterset, units, page, this_month):
    """The unit and month filtered for, when that summary does not exist and the user
    may build it (the way to a month not built yet)."""
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    unit, month = data.get("unit"), data.get("month")
    if page.object_list or unit is None or month is None or month > this_month:
        return None
    if not units.filter(pk=unit.pk).exists():
        return None
    return {"unit": unit, "month": month}


@role_required(Role.SUPERVISOR)
@require_POST
def monthly_build(request):
    """'Build this month' for a unit and month not built yet (or rebuild it)."""
    form = BuildForm(request.POST, units=permissions.buildable_units(request.user))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("reports:monthly_list")
    unit, month = form.cleaned_data["unit"], form.cleaned_data["month"]
    try:
        build = services.summary_request_build(unit_id=unit.pk, month=month, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reports:monthly_list")
    return redirect("reports:monthly_request", build.pk)


@role_required(Role.SUPERVISOR)
def monthly_request(request, pk: int):
    """A requested build: the summary once it is there, else a page that waits for it."""
    build = selectors.rollup_request_detail(user=request.user, pk=pk)
    summary = selectors.rollup_request_summary(build=build)
    done = build.done_at is not None and summary is not None
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"done": done, "url": summary.get_absolute_url() if done else None})  # type: ignore[union-attr]
    if done:
        return redirect(summary)  # type: ignore[arg-type]
    return render(request, "reports/monthly_request.html", {"build": build})


def _detail_context(request, summary, *, commentary_form=None, review_form=None) -> dict:
    user = request.user
    can_annotate = permissions.can_annotate(user, summary)
    can_review = permissions.can_review(user, summary)
    this_month = months.first_of(timezone.localdate())
    final = rollup.is_final(summary)
    can_build = permissions.can_build(user, summary.unit_id)
    neighbours = selectors.summary_neighbours(summary=summary)
    return {
        "summary": summary,
        "in_progress": summary.month == this_month,
        "final": final,
        "building": selectors.summary_building(summary=summary),
        "can_build": can_build,
        # The month in progress, a draft, or figures that no longer match the reports.
        "show_rebuild": can_build
        and (
            summary.month == this_month
            or summary.status == MonthlyPatrolSummary.Status.DRAFT
            or summary.stale
            or not final
        ),
        "can_annotate": can_annotate,
        "can_review": can_review,
        "submit_problem": services.submit_problem(summary) if can_annotate else None,
        "commentary_form": commentary_form
        or (
            CommentaryForm(initial={"commentary": summary.commentary}, summary=summary)
            if can_annotate
            else None
        ),
        "review_form": review_form or (ReviewForm() if can_review else None),
        "compliance": summary.compliance,
        "behind": display.behind_rows(summary),
        "opinions": display.entry_rows(summary.opinions),
        "market": display.entry_rows(summary.market),
        "urgent_rows": display.urgent_rows(summary),
        "complaint_categories": display.complaint_categories(summary),
        "change_rows": display.change_rows(summary),
        "stale_latest": display.stale_latest(summary),
        "changed_reports": selectors.summary_changed_reports(summary=summary),
        "chart": display.chart_data(summary),
        "events": selectors.summary_events(summary=summary),
        "previous": neighbours.get(months.shift(summary.month, -1)),
        "next": neighbours.get(months.shift(summary.month, 1)),
        "previous_month": months.shift(summary.month, -1),
        "next_month": months.shift(summary.month, 1)
        if months.shift(summary.month, 1) <= this_month
        else None,
        "event_kinds": SummaryEvent.Kind,
    }


@role_required(Role.SUPERVISOR)
def monthly_detail(request, pk: int):
    summary = _summary_for(request, pk)
    services.summary_check_stale(summary=summary)
    return render(request, "reports/monthly_detail.html", _detail_context(request, summary))


@role_required(Role.SUPERVISOR)
def monthly_status(request, pk: int):
    """For the page's script: is a rebuild under way, and when was it last built."""
    summary = _summary_for(request, pk)
    return JsonResponse(
        {
            "building": selectors.summary_building(summary=summary),
            "built_at": formats.date_format(timezone.localtime(summary.built_at), "Y-m-d H:i"),
            "build_count": summary.build_count,
        }
    )


@role_required(Role.SUPERVISOR)
@require_POST
def monthly_rebuild(request, pk: int):
    summary = _summary_for(request, pk)
    try:
        services.summary_request_build(
            unit_id=summary.unit_id, month=summary.month, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.info(request, _("Rebuilding the summary from the current daily reports…"))
    return redirect(summary)


@role_required(Role.SUPERVISOR)
@require_POST
def monthly_commentary(request, pk: int):
    """Save the supervisor's commentary; with action=submit, also submit the summary."""

    def save(summary, form):
        given = {"commentary": form.cleaned_data["commentary"], "version": form.loaded_version()}
        if request.POST.get("action") != "submit":
            services.summary_save_commentary(summary=summary, actor=request.user, **given)
            messages.success(request, _("Commentary saved."))
        elif services.summary_submit(summary=summary, actor=request.user, **given):
            messages.success(request, _("Summary submitted to the unit's managers."))

    return _summary_post(
        request,
        pk,
        permissions.can_annotate,
        lambda summary: CommentaryForm(request.POST, summary=summary),
        "commentary_form",
        save,
    )


@role_required(Role.SUPERVISOR)
@require_POST
def monthly_review(request, pk: int):
    def review(summary, form):
        comment = form.cleaned_data["review_comment"]
        if services.summary_review(summary=summary, actor=request.user, comment=comment):
            messages.success(request, _("Summary reviewed; the supervisor has been told."))

    return _summary_post(
        request,
        pk,
        permissions.can_review,
        lambda _summary: ReviewForm(request.POST),
        "review_form",
        review,
    )


def _summary_post(request, pk: int, may, make_form, form_name: str, act):
    """A form posted on the summary's page (`make_form(summary)`): `act(summary,
    form)` if the user `may`; the form's errors, or the service's, show on the
    page again with what the user typed."""
    summary = _summary_for(request, pk)
    if not may(request.user, summary):
        raise PermissionDenied
    form = make_form(summary)
    if form.is_valid():
        try:
            act(summary, form)
            return redirect(summary)
        except ValidationError as exc:
            add_service_errors(form, exc)
    summary.refresh_from_db()
    context = _detail_context(request, summary, **{form_name: form})
    return render(request, "reports/monthly_detail.html", context, status=400)


@role_required(Role.SUPERVISOR)
def monthly_export(request, pk: int):
    """The summary as .xlsx laid out like the paper 每月巡访情况报告书."""
    summary = _summary_for(request, pk)
    response = HttpResponse(content_type=export.XLSX_CONTENT_TYPE)
    export.write_summary(summary, response)
    name = f"monthly-summary-{summary.unit.code}-{summary.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit(
        actor=request.user,
        action="reports.monthly_export",
        obj=summary,
        summary=f"{summary.unit.code} {summary.month:%Y-%m}",
        request=request,
    )
    return response
