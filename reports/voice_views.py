"""Customer analysis (客户分析表) and quarterly big-customer reviews (大客户专员).
Supervisors and up (staff 403); a review outside the user's units 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import form_errors_to_messages
from crm_site.core.listing import active_params, paginate
from crm_site.core.services import audit

from . import analysis, analysis_tables, permissions, reviews, selectors
from .export import XLSX_CONTENT_TYPE
from .filters import CustomerAnalysisFilter
from .models import BigCustomerReview, BigCustomerReviewItem
from .review_forms import ReviewItemForm, ReviewOpenForm

PAGE_SIZE = 25

# --- customer analysis -------------------------------------------------------------


def _analysis(request):
    """The filters from the request, and the analysis under them (None while they are wrong)."""
    filterset = CustomerAnalysisFilter(
        request.GET or None, units=permissions.visible_units(request.user)
    )
    return filterset, selectors.customer_analysis(user=request.user, filters=filterset)


def _prepared_by(user) -> str:
    return user.get_full_name() or user.get_username()


@role_required(Role.SUPERVISOR)
def analysis_page(request):
    """客户分析表: customers by region and nature, customer by customer; revenue by
    grade and unit; 客户销售分析表 and the 客户资料卡 summary of a year."""
    filterset, result = _analysis(request)
    names = selectors.region_customers(user=request.user, filters=filterset)
    page = paginate(request, names, PAGE_SIZE, capped=True) if names is not None else None
    context = {
        "form": filterset.form,
        "result": result,
        "chart": result.chart() if result else None,
        "query_string": urlencode(active_params(request)),
        "names_page": page,
        "names": [
            dict(row, nature_label=analysis_tables.nature_label(row["nature"]))
            for row in (page.object_list if page else [])
        ],
        "prepared_by": _prepared_by(request.user),
    }
    return render(request, "reports/analysis.html", context, status=200 if result else 400)


@role_required(Role.SUPERVISOR)
def analysis_export(request):
    """The same tables as .xlsx, under the same filters."""
    filterset, result = _analysis(request)
    if result is None:
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(f"{reverse('reports:analysis')}?{request.GET.urlencode()}")
    form, d = filterset.form, filterset.cleaned()
    shown = [
        (_("Service unit"), d["unit"].name if d.get("unit") else _("All")),
        (_("Region"), d["region"].name if d.get("region") else _("All")),
        (_("Status"), dict(form.fields["status"].choices).get(d.get("status") or "", "")),
        (_("As of"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    names = selectors.region_customers(user=request.user, filters=filterset)
    analysis.write_xlsx(
        result, response, filters=shown, names=names, prepared_by=_prepared_by(request.user)
    )
    name = f"customer-analysis-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit(
        actor=request.user,
        action="reports.analysis_export",
        summary=_("Customer analysis"),
        data={"filters": filterset.describe(), "customers": result.customer_total},
        request=request,
    )
    return response


# --- big-customer reviews ----------------------------------------------------------


def _review_for(request, pk: int) -> BigCustomerReview:
    """The review if the user may see it, else 404 (its existence is not revealed)."""
    return selectors.review_detail(user=request.user, pk=pk)


@role_required(Role.SUPERVISOR)
def review_list(request):
    user = request.user
    page = paginate(request, selectors.review_list(user=user), PAGE_SIZE)
    units = permissions.visible_units(user)
    current = reviews.quarter_label(reviews.quarter_of(timezone.localdate()))
    context = {
        "page_obj": page,
        "open_form": ReviewOpenForm(units=units, initial={"quarter": current}),
        "checklist": reviews.CHECKLIST,
    }
    return render(request, "reports/review_list.html", context)


@role_required(Role.SUPERVISOR)
@require_POST
def review_open(request):
    """Open the unit's review for the quarter (once) and go to it."""
    form = ReviewOpenForm(request.POST, units=permissions.visible_units(request.user))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("reports:review_list")
    try:
        review, added = reviews.review_open(
            unit=form.cleaned_data["unit"], quarter=form.cleaned_data["quarter"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:review_list")
    if added:
        messages.info(
            request,
            _("%(n)d top-grade customers added to the review.") % {"n": added},
        )
    return redirect(review)


def _detail(request, review, *, bound: tuple[int, ReviewItemForm] | None = None, status=200):
    number = request.GET.get("page") or request.POST.get("page")
    page = paginate(request, selectors.review_items(review=review), PAGE_SIZE, number=number)
    rows = []
    for item in page.object_list:
        if bound and bound[0] == item.pk:
            form = bound[1]
        else:
            form = ReviewItemForm(
                prefix=f"item{item.pk}",
                initial={"checks": item.checks, "findings": item.findings},
            )
        rows.append({"item": item, "form": form})
    progress = selectors.review_progress(review=review)
    context = {
        "review": review,
        "page_obj": page,
        "rows": rows,
        "progress": progress,
        "checklist": reviews.CHECKLIST,
        "can_record": True,  # every supervisor+ who sees the review (role_required above)
        "page_number": page.number,
    }
    return render(request, "reports/review_detail.html", context, status=status)


@role_required(Role.SUPERVISOR)
def review_detail(request, pk: int):
    return _detail(request, _review_for(request, pk))


@role_required(Role.SUPERVISOR)
@require_POST
def review_item(request, pk: int, item_id: int):
    """Record the checklist and findings of one customer."""
    review = _review_for(request, pk)
    item = get_object_or_404(BigCustomerReviewItem, pk=item_id, review=review)
    form = ReviewItemForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            reviews.review_item_record(
                item=item,
                actor=request.user,
                checks=form.cleaned_data["checks"],
                findings=form.cleaned_data["findings"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Review of %(customer)s recorded.") % {"customer": item.customer.name}
            )
            page = request.POST.get("page", "")
            query = f"?page={page}" if page.isdigit() else ""
            return redirect(f"{review.get_absolute_url()}{query}#item-{item.pk}")
    return _detail(request, review, bound=(item.pk, form), status=400)
