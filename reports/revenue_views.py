"""Turnover against target (差距分析) with the individual analysis (个别分析):
supervisors and up, for the units they lead or manage (staff 403)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from customers.revenue import selectors
from customers.revenue.forms import GapForm


@role_required(Role.SUPERVISOR)
def revenue_gap(request):
    """One unit's year to date: actual against target by month, person and grade."""
    form = GapForm(request.GET or None, user=request.user)
    units = form.fields["unit"].queryset
    unit, month = None, None
    if form.is_bound and form.is_valid():
        unit, month = form.cleaned_data["unit"], form.cleaned_data["month"]
    unit = unit or units.order_by("name").first()
    month = (
        month
        or selectors.latest_turnover_month(user=request.user)
        or months.first_of(timezone.localdate())
    )
    analysis = selectors.gap_analysis(user=request.user, unit=unit, month=month) if unit else None
    newcomers = selectors.new_customers(user=request.user, unit=unit, month=month) if unit else None
    chart = None
    if analysis is not None:
        chart = {
            "months": [line.label for _m, line in analysis.by_month],
            "actual": [float(line.actual) for _m, line in analysis.by_month],
            "target": [
                None if line.target is None else float(line.target)
                for _m, line in analysis.by_month
            ],
            "labels": {"actual": _("Actual"), "target": _("Target")},
        }
    return render(
        request,
        "reports/revenue_gap.html",
        {"form": form, "analysis": analysis, "chart": chart, "newcomers": newcomers},
    )
