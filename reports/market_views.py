"""Market shares and cost ratios (市场占有率, 营销费用率): supervisors and up
read them for their units (staff 403); managers and admins enter the market
estimates and the monthly marketing costs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from crm_site.core.listing import paginate
from customers.revenue import selectors as revenue_selectors
from customers.revenue.market import selectors, services
from customers.revenue.market.forms import MarketEstimateForm, MarketFilterForm, MarketingCostForm
from customers.revenue.market.models import COST_LABELS


def _head_labels():
    return list(COST_LABELS.items())


@role_required(Role.SUPERVISOR)
def market_page(request):
    """Market shares of the regions in scope, and one unit's cost ratios."""
    user = request.user
    form = MarketFilterForm(
        request.GET or None,
        years=selectors.share_years(user=user),
        units=selectors.ratio_units(user=user),
    )
    year, unit, month = None, None, None
    if form.is_bound and form.is_valid():
        year, unit, month = (form.cleaned_data[k] for k in ("year", "unit", "month"))
    unit = unit or form.fields["unit"].queryset.order_by("name").first()
    month = (
        month
        or selectors.latest_cost_month(user=user, unit=unit)
        or revenue_selectors.latest_turnover_month(user=user)
        or months.first_of(timezone.localdate())
    )
    ratios = selectors.cost_ratios(user=user, unit=unit, month=month) if unit else []
    return render(
        request,
        "reports/market.html",
        {
            "form": form,
            "shares": selectors.market_shares(user=user, year=year or None),
            "unit": unit,
            "month": month,
            "ratios": ratios,
            "has_costs": any(line.costs for line in ratios),
            "heads": _head_labels(),
            "points": selectors.warning_points(),
            "can_enter": user.is_at_least(Role.MANAGER),
        },
    )


@role_required(Role.MANAGER)
def estimate_entry(request):
    """Managers set a region's market size and leading competitor per year."""
    form = MarketEstimateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.market_estimate_set(actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error("region", str(exc))
        else:
            messages.success(request, _("Market estimate saved."))
            return redirect("reports:market_estimates")
    rows = selectors.estimate_list(user=request.user)
    return render(
        request,
        "reports/market_estimates.html",
        {"form": form, "page": paginate(request, rows, per_page=50)},
    )


@role_required(Role.MANAGER)
def cost_entry(request):
    """Managers enter a unit's marketing costs of a month under the five heads."""
    form = MarketingCostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.marketing_cost_set(actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        else:
            messages.success(request, _("Marketing costs saved."))
            return redirect("reports:market_costs")
    rows = selectors.cost_list(user=request.user)
    return render(
        request,
        "reports/market_costs.html",
        {"form": form, "page": paginate(request, rows, per_page=50), "heads": _head_labels()},
    )
