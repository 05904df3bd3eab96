"""The customer book pages: list, card, create/edit, contacts, pin, reassign."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import batch, nav, registry
from crm_site.core.forms import add_service_errors, call_or_add_errors, form_errors_to_messages
from crm_site.core.listing import COUNT_CAP, capped_page

from .. import display, selectors, services
from ..fields import customer_city, customer_label
from ..forms import ContactForm, CustomerForm, PinGradeForm, ReassignForm
from ..models import Customer

AUTOCOMPLETE_LIMIT = 20
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def _query_string(request, *drop: str) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


def _sort_links(request, current: str) -> dict:
    base = _query_string(request, "sort", "page")
    links = {}
    for key in selectors.SORTS:
        target = f"-{key}" if current == key else key
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        query = f"{base}&sort={target}" if base else f"sort={target}"
        links[key] = {"url": f"?{query}", "direction": direction}
    return links


def customer_list(request):
    """The scoped, filtered, sorted, paginated list; a fixed number of queries per page."""
    rule, people, regions = selectors.customer_list_choices(user=request.user)
    filterset = selectors.customer_filter(
        user=request.user, data=request.GET, rule=rule, people=people, regions=regions
    )
    sort = selectors.customer_sort(request.GET.get("sort"))
    customers = selectors.customer_list(
        user=request.user, filters=filterset.cleaned_filters(), sort=sort, rule=rule
    )
    try:
        per_page = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE
    styles = display.grade_styles(rule)

    def rows(values) -> list:
        shown = display.list_rows(values)
        display.decorate(shown, styles)
        return shown

    page = capped_page(
        request,
        selectors.customer_page_rows(customers, sort=sort, rule=rule),
        per_page,
        count_source=customers,
        count_column=selectors.PAGE_COUNT_COLUMN,
        rows=rows,
        # The navigation's counts are read with the page.
        also=[navigation] if (navigation := nav.navigation_reads(request)) else [],
    )
    can_reassign = request.user.is_at_least(Role.SUPERVISOR)
    context = {
        "filter": filterset,
        "page_obj": page,
        "capped": getattr(page.paginator, "capped", False),
        "count_cap": COUNT_CAP,
        "sort": sort,
        "sort_links": _sort_links(request, sort),
        "query_string": _query_string(request, "page"),
        "filter_query": _query_string(request, "page", "sort", "per_page"),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "is_filtered": bool(_query_string(request, "page", "sort", "per_page")),
        "can_reassign": can_reassign,
        "people": people,
        "can_create": request.user.is_at_least(Role.STAFF),
        "can_import": request.user.is_at_least(Role.SUPERVISOR),
    }
    return render(request, "customers/customer_list.html", context)


def card_sections(request, customer, *waiting: batch.Pending) -> tuple[list[dict], list]:
    """Sections the apps add to the card (crm_site.core.registry), and the
    contexts of `waiting`: the reads of the batched sections and of `waiting`
    run in one round trip (crm_site.core.batch)."""
    built: list = []  # a section's dict, or the index of its pending reads
    pending = list(waiting)
    for path in registry.customer_card_sections.paths():
        provider = import_string(path)
        if hasattr(provider, "pending"):
            reads = provider.pending(request, customer)
            if reads is not None:
                built.append(len(pending))
                pending.append(reads)
            continue
        built.append(provider(request, customer))
    # The same statement on every card but for its values: planned once.
    resolved = batch.resolve(pending, plan_once=True)
    sections = [resolved[part] if isinstance(part, int) else part for part in built]
    return [section for section in sections if section], resolved[: len(waiting)]


def _customer_for(request, pk: int, *related: str) -> Customer:
    return selectors.customer_for(user=request.user, pk=pk, related=related)


@role_required(Role.STAFF)
def customer_detail(request, pk: int):
    customer, card = selectors.customer_card_pending(user=request.user, pk=pk)
    # The navigation's counts are read with the card's reads.
    navigation = nav.navigation_reads(request)
    sections, (context, *_navigation) = card_sections(
        request, customer, card, *([navigation] if navigation else [])
    )
    context["sections"] = sections
    context["can_pin"] = request.user.is_at_least(Role.SUPERVISOR)
    return render(request, "customers/customer_detail.html", context)


@role_required(Role.STAFF)
def customer_history(request, pk: int, kind: str):
    """The whole change or grade history of a customer (the card shows the latest)."""
    if kind not in selectors.HISTORIES:
        raise Http404
    context = selectors.customer_history(
        user=request.user, pk=pk, kind=kind, page=request.GET.get("page")
    )
    return render(request, "customers/customer_history.html", context)


def _save_customer(request, form, customer=None):
    """Run the service; a refusal becomes a form error. Returns the customer or None."""
    kwargs = {
        "actor": request.user,
        "fields": form.service_fields(),
        "services": form.cleaned_data.get("services", []),
        "override_reason": form.cleaned_data.get("override_reason", ""),
    }
    try:
        if customer is None:
            return services.customer_create(form_token=form.cleaned_data["form_token"], **kwargs)
        # The form has already written its values onto its instance; the service
        # compares against the stored card, so it gets a fresh copy.
        stored = selectors.customer_stored(pk=customer.pk)
        return services.customer_update(customer=stored, version=form.loaded_version(), **kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@role_required(Role.STAFF)
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and (token := form.posted_token()):
        # A resent form: its code is now the first card's, so it would not
        # validate; go to the card the first one created.
        first = selectors.customer_created_by_form(user=request.user, token=token)
        if first is not None:
            return redirect(first)
    if request.method == "POST" and form.is_valid():
        customer = _save_customer(request, form)
        if customer is not None:
            messages.success(
                request,
                _("Customer %(name)s created, grade %(grade)s.")
                % {"name": customer.name, "grade": customer.grade},
            )
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@role_required(Role.STAFF)
def customer_edit(request, pk: int):
    customer = _customer_for(request, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_customer(request, form, customer)
        if saved is not None:
            messages.success(request, _("Customer %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    if form.errors:
        # The instance was changed by form validation; show the stored card's name.
        customer.refresh_from_db(fields=["name"])
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


def _back_to_contacts(customer):
    return redirect(reverse("customers:detail", args=[customer.pk]) + "#contacts")


def _contact_form(request, customer, contact=None):
    """The contact form page: a new contact (`contact` None) or an edit."""
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        if contact is None:
            services.contact_create(
                customer=customer,
                actor=request.user,
                fields=form.service_fields(),
                form_token=form.cleaned_data["form_token"],
            )
            messages.success(request, _("Contact added."))
            return _back_to_contacts(customer)
        stored = customer.contacts.get(pk=contact.pk)  # the form has changed `contact`
        saved = call_or_add_errors(
            form,
            services.contact_update,
            contact=stored,
            actor=request.user,
            fields=form.service_fields(),
            version=form.loaded_version(),
        )
        if saved is not None:
            messages.success(request, _("Contact saved."))
            return _back_to_contacts(customer)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@role_required(Role.STAFF)
def contact_create(request, pk: int):
    return _contact_form(request, _customer_for(request, pk))


@role_required(Role.STAFF)
def contact_edit(request, pk: int, contact_id: int):
    customer = _customer_for(request, pk)
    return _contact_form(request, customer, get_object_or_404(customer.contacts, pk=contact_id))


@require_POST
@role_required(Role.STAFF)
def contact_delete(request, pk: int, contact_id: int):
    customer = _customer_for(request, pk)
    contact = get_object_or_404(customer.contacts, pk=contact_id)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("Contact %(name)s removed.") % {"name": contact.name})
    return _back_to_contacts(customer)


@role_required(Role.SUPERVISOR)
def pin_grade(request, pk: int):
    customer = _customer_for(request, pk)
    rule = selectors.current_rule().as_rule()
    form = PinGradeForm(request.POST or None, rule=rule, initial={"grade": customer.grade})
    if request.method == "POST" and form.is_valid():
        pinned = call_or_add_errors(
            form,
            services.customer_pin_grade,
            customer=customer,
            actor=request.user,
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
        if pinned:
            messages.success(
                request,
                _("Grade pinned at %(grade)s. Rule changes will leave it alone.")
                % {"grade": customer.grade},
            )
            return redirect(customer)
    return render(request, "customers/pin_form.html", {"form": form, "customer": customer})


@require_POST
@role_required(Role.SUPERVISOR)
def unpin_grade(request, pk: int):
    customer = _customer_for(request, pk)
    services.customer_unpin_grade(customer=customer, actor=request.user)
    messages.success(
        request,
        _("Pin removed: the grading rule gives grade %(grade)s.") % {"grade": customer.grade},
    )
    return redirect(customer)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@require_POST
@role_required(Role.SUPERVISOR)
def customers_reassign(request):
    """Bulk reassignment of visiting persons from the list (supervisor: within the unit)."""
    back = _safe_next(request, reverse("customers:list"))
    form = ReassignForm(request.POST, user=request.user)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(back)
    try:
        moved = services.customers_reassign(
            actor=request.user,
            customer_ids=form.cleaned_data["customers"],
            visiting_person=form.cleaned_data["visiting_person"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("%(count)s customers now visited by %(person)s.")
        % {"count": len(moved), "person": form.cleaned_data["visiting_person"]},
    )
    return redirect(back)


@require_GET
def autocomplete(request):
    """Customers in the user's scope matching `q` (code prefix or name), as JSON,
    with what the picker's list shows: city, grade and main contact."""
    q = request.GET.get("q", "").strip()[:100]
    results = []
    if q:
        customers = selectors.customer_autocomplete(
            user=request.user, q=q, limit=AUTOCOMPLETE_LIMIT
        )
        styles = display.grade_styles(selectors.current_rule().as_rule()) if customers else {}
        results = [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "grade": c.grade,
                "grade_label": _("Grade: %(grade)s")
                % {"grade": styles.get(c.grade, {}).get("name", c.grade)}
                if c.grade
                else "",
                "city": customer_city(c),
                "contact": c.primary_contact or "",
                "label": customer_label(c),
            }
            for c in customers
        ]
    return JsonResponse({"results": results})
