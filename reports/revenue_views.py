"""Turnover against target (差距分析) with the individual analysis (个别分析):
supervisors and up, for the units they lead or manage (staff 403). The
big-customer revenue reports: staff and up, each on the turnover they may see
(staff the customers they visit), for their own units (another unit 404)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from crm_site.core.listing import paginate
from crm_site.core.services import audit
from crm_site.core.xlsx import XLSX_CONTENT_TYPE
from customers.revenue import selectors as turnover
from customers.revenue.forms import GapForm

from . import big_customers, big_customers_xlsx, selectors
from .forms import BigCustomerReportForm

BIG_CUSTOMER_ROWS_PER_PAGE = 100


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
        or turnover.latest_turnover_month(user=request.user)
        or months.first_of(timezone.localdate())
    )
    analysis = turnover.gap_analysis(user=request.user, unit=unit, month=month) if unit else None
    newcomers = analysis.newcomers if analysis else None
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


# --- big-customer revenue reports (大客户月、季、年收入报表) ----------------------------


def _big_customer_report(request):
    """The form, the units offered and the report under them (None while the form is
    wrong or the user has no unit). A unit outside the user's units is a 404."""
    form = BigCustomerReportForm(request.GET or None)
    units = selectors.big_customer_units(user=request.user)
    if form.is_bound and not form.is_valid():
        return form, units, None
    data = form.cleaned_data if form.is_bound else {"kind": "month"}
    unit = get_object_or_404(units, pk=data["unit"]) if data.get("unit") else units.first()
    if unit is None:
        return form, units, None
    period = data.get("parsed") or big_customers.period_of(
        data["kind"],
        turnover.latest_turnover_month(user=request.user) or timezone.localdate(),
    )
    report = selectors.big_customer_report(user=request.user, unit=unit, period=period)
    return form, units, report


def _report_query(report) -> str:
    return urlencode(
        {"kind": report.period.kind, "period": report.period.label, "unit": report.unit.pk}
    )


@role_required(Role.STAFF)
def big_customer_report(request):
    """A unit's big customers by visiting person with their turnover in the month,
    quarter or year; the quarterly report also lists who came in and who fell out."""
    form, units, report = _big_customer_report(request)
    # The page shows the rows a page at a time; the totals (and the .xlsx) are
    # over every row.
    page = (
        paginate(request, big_customers.report_rows(report), BIG_CUSTOMER_ROWS_PER_PAGE)
        if report
        else None
    )
    context = {
        "form": form,
        "units": units,
        "report": report,
        "page_obj": page,
        "page_groups": big_customers.page_groups(page.object_list) if page else [],
        "kinds": big_customers.KINDS,
        "query_string": _report_query(report) if report else "",
        "prepared_by": request.user.get_full_name() or request.user.get_username(),
        # The quarter's service review (大客户专员: 每季度审核) is supervisors' and up.
        "can_review": request.user.is_at_least(Role.SUPERVISOR),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "reports/big_customer_report.html", context, status=status)


@role_required(Role.STAFF)
def big_customer_export(request):
    """The same report as .xlsx, laid out like the paper report."""
    _form, _units, report = _big_customer_report(request)
    if report is None:
        messages.error(request, _("Correct the report's choices before exporting."))
        return redirect(f"{reverse('reports:big_customers')}?{request.GET.urlencode()}")
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    prepared_by = request.user.get_full_name() or request.user.get_username()
    big_customers_xlsx.write_xlsx(report, response, prepared_by=prepared_by)
    name = f"big-customers-{report.unit.code}-{report.period.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit(
        actor=request.user,
        action="reports.big_customer_export",
        summary=f"{report.unit.code} {report.period.label}",
        data={"kind": report.period.kind, "customers": report.totals.customers},
        request=request,
    )
    return response
