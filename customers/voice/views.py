"""Customer voice pages: service-level surveys and their per-unit
figures, enterprise customer service surveys, the customer watch.

Scope as everywhere: an object outside the user's scope is a 404, a page the
role may never use a 403 (staff on the per-unit figures and the head's opinion).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import add_service_errors, call_or_add_errors
from crm_site.core.listing import paginate, query_string
from crm_site.core.services import audit
from customers.models import Customer
from customers.voice import display as voice_display
from customers.voice import export as voice_export
from customers.voice import permissions as voice_permissions
from customers.voice import selectors as voice_selectors
from customers.voice import services as voice_services
from customers.voice.filters import EnterpriseSurveyFilter, SurveyReportFilter
from customers.voice.forms import (
    CustomerWatchForm,
    EnterpriseSurveyForm,
    HeadOpinionForm,
    ServiceSurveyForm,
)
from customers.voice.models import EnterpriseSurvey

PAGE_SIZE = 25
RECENT_SURVEYS = 10


def _customer_for(request, pk: int) -> Customer:
    return voice_selectors.customer_for(user=request.user, pk=pk)


# --- service-level surveys ---------------------------------------------------------


@role_required(Role.STAFF)
def survey_create(request, pk: int):
    """Record a survey of the customer, optionally on a visit (?visit=<id>)."""
    customer = _customer_for(request, pk)
    visit = None
    visit_id = request.POST.get("visit") or request.GET.get("visit") or ""
    if visit_id.isdigit():
        visit = voice_selectors.customer_visit(customer=customer, pk=int(visit_id))
    form = ServiceSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_or_add_errors(
            form,
            voice_services.service_survey_create,
            customer=customer,
            actor=request.user,
            fields=data,
            form_token=data["form_token"],
            visit=visit,
        )
        if saved:
            survey, created = saved
            if created:
                messages.success(
                    request,
                    _("Survey recorded: average %(average)s of 7.") % {"average": survey.average},
                )
            return redirect(survey)
    context = {"form": form, "customer": customer, "visit": visit}
    return render(request, "customers/voice/survey_form.html", context)


@role_required(Role.STAFF)
def survey_detail(request, pk: int):
    survey = voice_selectors.service_survey_detail(user=request.user, pk=pk)
    context = {"survey": survey, "rows": voice_display.score_rows(survey)}
    return render(request, "customers/voice/survey_detail.html", context)


def _report_filters(request):
    filterset = SurveyReportFilter(
        request.GET or None, units=voice_selectors.unit_list(user=request.user)
    )
    surveys = voice_selectors.service_survey_list(user=request.user, filters=filterset)
    start, end = filterset.period()
    return filterset, surveys, start, end


@role_required(Role.SUPERVISOR)
def survey_report(request):
    """Per-unit figures: average per item and month, the weakest items first."""
    filterset, surveys, start, end = _report_filters(request)
    figures = voice_display.survey_figures(surveys, start, end)
    recent = voice_selectors.service_survey_recent(
        surveys=surveys, start=start, end=end, limit=RECENT_SURVEYS
    )
    context = {
        "form": filterset.form,
        "figures": figures,
        "chart": voice_display.chart_data(figures),
        "recent": recent,
        "query": request.GET.urlencode(),
    }
    return render(request, "customers/voice/survey_report.html", context)


@role_required(Role.SUPERVISOR)
def survey_export(request):
    """The per-unit figures as .xlsx, with the page's filters; audited."""
    filterset, surveys, start, end = _report_filters(request)
    figures = voice_display.survey_figures(surveys, start, end)
    unit = filterset.cleaned().get("unit")
    response = HttpResponse(content_type=voice_export.XLSX_CONTENT_TYPE)
    voice_export.write_survey_figures(figures, response, unit=unit)
    audit(
        actor=request.user,
        action="customers.survey_export",
        summary=f"{figures['count']} surveys",
        data={
            "filters": {k: v for k, v in request.GET.items() if v},
            "surveys": figures["count"],
        },
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="service-surveys-{stamp}.xlsx"'
    return response


# --- enterprise customer service surveys ---------------------------------------------


@role_required(Role.STAFF)
def enterprise_survey_list(request):
    filterset = EnterpriseSurveyFilter(
        request.GET or None, units=voice_selectors.unit_list(user=request.user)
    )
    surveys = voice_selectors.enterprise_survey_list(user=request.user, filters=filterset)
    context = {
        "form": filterset.form,
        "page_obj": paginate(request, surveys, PAGE_SIZE),
        "query_string": query_string(request),
        "is_head": request.user.is_at_least(Role.SUPERVISOR),
    }
    return render(request, "customers/voice/enterprise_list.html", context)


@role_required(Role.STAFF)
def enterprise_survey_create(request):
    initial = {}
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        customer = voice_selectors.customer_or_none(user=request.user, pk=int(customer_id))
        if customer is not None:
            initial["customer"] = customer
    form = EnterpriseSurveyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_or_add_errors(
            form,
            voice_services.enterprise_survey_create,
            customer=data["customer"],
            actor=request.user,
            visitor=data["visitor"],
            fields=data,
            form_token=data["form_token"],
        )
        if saved:
            survey, created = saved
            if created:
                messages.success(request, _("Enterprise service survey recorded."))
            return redirect(survey)
    return render(request, "customers/voice/enterprise_form.html", {"form": form})


def _enterprise_for(request, pk: int) -> EnterpriseSurvey:
    return voice_selectors.enterprise_survey_detail(user=request.user, pk=pk)


@role_required(Role.STAFF)
def enterprise_survey_detail(request, pk: int):
    survey = _enterprise_for(request, pk)
    can_opine = voice_permissions.may_give_head_opinion(request.user, survey)
    form = None
    if can_opine:
        form = HeadOpinionForm(initial={"head_opinion": survey.head_opinion})
    context = {"survey": survey, "opinion_form": form}
    return render(request, "customers/voice/enterprise_detail.html", context)


@require_POST
@role_required(Role.SUPERVISOR)
def enterprise_survey_opinion(request, pk: int):
    survey = _enterprise_for(request, pk)
    form = HeadOpinionForm(request.POST)
    if form.is_valid():
        try:
            voice_services.enterprise_survey_head_opinion(
                survey=survey, actor=request.user, opinion=form.cleaned_data["head_opinion"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The department head's opinion is saved."))
            return redirect(survey)
    context = {"survey": survey, "opinion_form": form}
    return render(request, "customers/voice/enterprise_detail.html", context, status=200)


# --- the customer watch ------------------------------------------------------------------


@role_required(Role.STAFF)
def watch_list(request, pk: int):
    customer = _customer_for(request, pk)
    page = paginate(request, voice_selectors.customer_watches(customer=customer), PAGE_SIZE)
    for watch in page.object_list:
        watch.changes = voice_display.watch_rows(watch, changed_only=True)
    context = {"customer": customer, "page_obj": page, "query_string": ""}
    return render(request, "customers/voice/watch_list.html", context)


@role_required(Role.STAFF)
def watch_create(request, pk: int):
    customer = _customer_for(request, pk)
    form = CustomerWatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_or_add_errors(
            form,
            voice_services.customer_watch_create,
            customer=customer,
            actor=request.user,
            reported_on=data["reported_on"],
            items=form.watch_items(),
            note=data.get("note", ""),
            form_token=data["form_token"],
        )
        if saved:
            watch, created = saved
            if created and watch.is_risky:
                messages.warning(
                    request,
                    _("Watch recorded. The unit's supervisors have been told of the risk signals."),
                )
            elif created:
                messages.success(request, _("Watch recorded."))
            return redirect(watch)
    return render(request, "customers/voice/watch_form.html", {"form": form, "customer": customer})


@role_required(Role.STAFF)
def watch_detail(request, pk: int, watch_id: int):
    customer = _customer_for(request, pk)
    watch = voice_selectors.customer_watch_detail(customer=customer, pk=watch_id)
    rows = voice_display.watch_rows(watch)
    groups: list[dict] = []
    for row in rows:
        if not groups or groups[-1]["group"] != row["group"]:
            groups.append({"group": row["group"], "label": row["group"].label, "rows": []})
        groups[-1]["rows"].append(row)
    context = {"customer": customer, "watch": watch, "groups": groups}
    return render(request, "customers/voice/watch_detail.html", context)
