"""Revenue pages: turnover list, import, edit, one customer's turnover,
what an import's regrade moved, targets."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from crm_site.core.listing import paginate
from crm_site.core.versioning import StaleEdit

from .. import display
from ..models import Trend
from . import selectors, services
from . import xlsx as sheet
from .forms import TargetForm, TurnoverEditForm, TurnoverUploadForm


@role_required(Role.STAFF)
def turnover_list(request):
    """Monthly turnover in the user's scope, filtered by month and customer."""
    filters = {
        "month": months.parse(request.GET.get("month")),
        "q": (request.GET.get("q") or "").strip()[:100],
    }
    rows = selectors.turnover_list(user=request.user, filters=filters)
    return render(
        request,
        "customers/revenue/turnover_list.html",
        {
            "page": paginate(request, rows, per_page=50),
            "filters": filters,
            "can_import": request.user.is_at_least(Role.SUPERVISOR),
        },
    )


@role_required(Role.SUPERVISOR)
def turnover_import(request):
    """Upload a turnover file: every row is checked, and any error imports nothing."""
    form = TurnoverUploadForm(request.POST or None, request.FILES or None)
    outcome, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.turnover_import(actor=request.user, upload=upload, name=upload.name)
        except sheet.ImportFileError as exc:
            file_error = exc.message
        else:
            if not outcome.error_count:
                messages.success(
                    request,
                    _("Turnover imported: %(c)s new, %(u)s replaced, %(n)s unchanged.")
                    % {"c": outcome.created, "u": outcome.updated, "n": outcome.unchanged},
                )
                if outcome.regraded is not None:
                    messages.info(
                        request,
                        format_html(
                            '{} <a href="{}" class="alert-link">{}</a>',
                            outcome.regraded.reason,
                            reverse("customers:turnover_regrade", args=[outcome.regraded.pk]),
                            _("See the grade changes this import caused"),
                        ),
                    )
                    # The run's page (what moved) is the grading admins'.
                    if request.user.is_at_least(Role.ADMIN):
                        return redirect(outcome.regraded)
                return redirect("customers:turnover_list")
    return render(
        request,
        "customers/revenue/turnover_import.html",
        {"form": form, "outcome": outcome, "file_error": file_error},
    )


@role_required(Role.SUPERVISOR)
def turnover_template(request):
    stream = io.BytesIO()
    sheet.write_template(stream)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename="turnover-template.xlsx",
        content_type=sheet.XLSX_CONTENT_TYPE,
    )


@role_required(Role.SUPERVISOR)
def turnover_edit(request, pk: int):
    """A supervisor corrects one month's figure; the change goes to its history."""
    turnover = selectors.turnover_get(user=request.user, pk=pk)
    form = TurnoverEditForm(request.POST or None, instance=turnover)
    if request.method == "POST" and form.is_valid():
        try:
            services.turnover_edit(
                actor=request.user,
                turnover=turnover,
                amount=form.cleaned_data["amount"],
                version=form.loaded_version(),
            )
        except StaleEdit as exc:
            form.stale_edit(exc)
        else:
            messages.success(request, _("Turnover saved."))
            return redirect("customers:customer_turnover", pk=turnover.customer_id)
    return render(
        request,
        "customers/revenue/turnover_edit.html",
        {"form": form, "turnover": turnover, "events": turnover.events.select_related("actor")},
    )


@role_required(Role.STAFF)
def customer_turnover(request, pk: int):
    """One customer's last 24 months, rolling revenue and computed trend."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    revenue = selectors.customer_revenue(user=request.user, customer=customer)
    rows = {
        r.month: r
        for r in selectors.turnover_list(user=request.user).filter(customer=customer)[:24]
    }
    return render(
        request,
        "customers/revenue/customer_turnover.html",
        {
            "customer": customer,
            "revenue": revenue,
            "lines": [(m, a, rows.get(m)) for m, a in reversed(revenue.months)],
            "can_edit": request.user.is_at_least(Role.SUPERVISOR),
        },
    )


@role_required(Role.SUPERVISOR)
def turnover_regrade(request, pk: int):
    """The customers of the user's units whose grade a regrade run (an
    import's) moved: old and new grade, the trend and the points before and after."""
    run = selectors.regrade_run_get(pk=pk)
    page = paginate(request, selectors.regrade_moves(user=request.user, run=run), per_page=50)
    for change in page:
        trend = change.changes.get("trend")
        change.trend_moved = [display.choice_text(Trend, v or "") for v in trend] if trend else None
        old, new = change.changes.get("points") or (None, None)
        gained = new - old if old is not None and new is not None else None
        change.points_moved = (old, new, gained)
    return render(
        request,
        "customers/revenue/turnover_regrade.html",
        {"run": run, "page": page, "refresh": not run.is_finished},
    )


@role_required(Role.MANAGER)
def target_list(request):
    """Managers set monthly turnover targets per unit, person or grade."""
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.revenue_target_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect("customers:target_list")
    targets = selectors.target_list(user=request.user)
    return render(
        request,
        "customers/revenue/target_list.html",
        {"form": form, "page": paginate(request, targets, per_page=50)},
    )
