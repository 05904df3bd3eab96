"""Customer development pages (客户开发管理表) and the care-date list (客户关怀)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import call_or_add_errors, refuse_or_add_errors
from crm_site.core.listing import paginate, query_string, sorted_list_context
from customers.models import Prospect, ProspectEvent
from customers.prospects import selectors
from customers.prospects import services as services
from customers.prospects.filters import CareFilter, ProspectFilter
from customers.prospects.forms import ConvertForm, DropForm, ProspectForm, StepForm
from customers.services import care as care_services

PAGE_SIZE = 25
SORT_KEYS = ("name", "step", "rate", "appointment", "updated")


def _prospect_for(request, pk: int) -> Prospect:
    """The prospect if the user may see it, else 404 (its existence is not revealed)."""
    return selectors.prospect_detail(user=request.user, pk=pk)


@role_required(Role.STAFF)
def development_list(request):
    """The development pipeline: the user's prospects, filtered, sorted, paginated."""
    filterset = ProspectFilter(request.GET or None, request=request)
    prospects = selectors.prospect_list(user=request.user, filters=filterset)
    context = sorted_list_context(
        request, filterset, prospects, per_page=PAGE_SIZE, sort_keys=SORT_KEYS
    )
    return render(request, "customers/development_list.html", context)


@role_required(Role.STAFF)
def development_create(request):
    form = ProspectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("form_token")
        saved = call_or_add_errors(
            form, services.prospect_create, actor=request.user, fields=data, form_token=token
        )
        if saved:
            prospect, created = saved
            if created:
                messages.success(request, _("Prospect %(name)s recorded.") % {"name": prospect})
            return redirect(prospect)
    return render(request, "customers/development_form.html", {"form": form})


def _render_detail(request, prospect, *, step_form=None, drop_form=None):
    events = list(prospect.events.select_related("actor"))
    context = {
        "prospect": prospect,
        "events": events,
        "step_form": step_form or StepForm(prospect=prospect),
        "drop_form": drop_form or DropForm(),
        "step_kind": ProspectEvent.Kind.STEP,
    }
    return render(request, "customers/development_detail.html", context)


@role_required(Role.STAFF)
def development_detail(request, pk: int):
    return _render_detail(request, _prospect_for(request, pk))


@require_POST
@role_required(Role.STAFF)
def development_step(request, pk: int):
    prospect = _prospect_for(request, pk)
    form = StepForm(request.POST, prospect=prospect)
    if form.is_valid():
        try:
            _event, created = services.prospect_record_step(
                prospect=prospect, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            if refused := refuse_or_add_errors(request, form, exc, back_to=prospect):
                return refused
        else:
            if created:
                messages.success(request, _("Step recorded."))
            return redirect(prospect)
    return _render_detail(request, prospect, step_form=form)


@require_POST
@role_required(Role.STAFF)
def development_drop(request, pk: int):
    prospect = _prospect_for(request, pk)
    form = DropForm(request.POST)
    if form.is_valid():
        try:
            services.prospect_drop(
                prospect=prospect, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The development of %(name)s stopped.") % {"name": prospect}
            )
        return redirect(prospect)
    return _render_detail(request, prospect, drop_form=form)


@role_required(Role.STAFF)
def development_convert(request, pk: int):
    """The prospect becomes an active customer: evaluation, report, card."""
    prospect = _prospect_for(request, pk)
    if not prospect.is_open:
        messages.info(
            request,
            _("This prospect is already closed (%(status)s).")
            % {"status": prospect.get_status_display()},
        )
        return redirect(prospect)
    form = ConvertForm(request.POST or None, user=request.user, prospect=prospect)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.prospect_convert(
                prospect=prospect,
                actor=request.user,
                evaluation=form.evaluation(),
                report=form.report(),
                customer=form.cleaned_data.get("customer")
                if form.cleaned_data["card"] == form.EXISTING
                else None,
                card=form.card_fields(),
            )
        except ValidationError as exc:
            if refused := refuse_or_add_errors(request, form, exc, back_to=prospect):
                return refused
        else:
            messages.success(
                request,
                _("%(prospect)s is now an active customer: %(customer)s.")
                % {"prospect": prospect.name, "customer": customer},
            )
            return redirect(prospect)
    return render(
        request, "customers/development_convert.html", {"form": form, "prospect": prospect}
    )


@role_required(Role.STAFF)
def care_list(request):
    """Upcoming birthdays and anniversaries of the contacts of the user's
    customers, and the major festivals whose greetings are coming."""
    filterset = CareFilter(request.GET or None, user=request.user)
    today = timezone.localdate()
    contacts = selectors.care_contacts(user=request.user, filters=filterset, today=today)
    page = paginate(request, contacts, PAGE_SIZE)
    context = {
        "form": filterset.form,
        "page_obj": page,
        "rows": care_services.care_rows(page.object_list, today),
        "festivals": care_services.festivals_ahead(today=today, days=filterset.window()),
        "days": filterset.window(),
        "query_string": query_string(request),
        "today": today,
    }
    return render(request, "customers/care_list.html", context)
