"""/visits/due/: what each staff member still owes their customers, and "log a call"."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.listing import paginate

from .. import selectors, services
from ..models import Kind
from ..plans import selectors as plan_selectors
from ..queries import due_row_for
from .common import redirect_back, wants_json


@role_required(Role.STAFF)
def due(request):
    """Customers with visits due this month or calls due this week, most urgent
    first: staff their own; a supervisor's opens on the whole unit."""
    user = request.user
    person, people = selectors.due_person(user=user, wanted=request.GET.get("person", ""))
    today = timezone.localdate()
    rows, up_to_date = selectors.due_list(user=user, person=person, day=today)
    unit_view = selectors.due_unit_view(user)
    if person is None:
        query_string = ""
    elif person == user:
        query_string = f"person={selectors.DUE_OWN}" if unit_view else ""
    else:
        query_string = f"person={person.pk}"
    context = {
        "page_obj": paginate(request, rows, 50),
        "person": person,
        "people": people,
        "unit_view": unit_view,
        "own_value": selectors.DUE_OWN if unit_view else "",
        "today": today,
        "overdue_count": sum(1 for r in rows if r.status.overdue),
        "due_count": len(rows),
        "up_to_date": up_to_date,
        "query_string": query_string,
        # Planned contacts missed this month and last (the nightly planner marks them).
        "missed": plan_selectors.missed_planned(
            user=user,
            person=person,
            since=(today.replace(day=1) - timedelta(days=1)).replace(day=1),
        )[:50],
    }
    return render(request, "visits/due.html", context)


@require_POST
@role_required(Role.STAFF)
def log_call(request, customer_id: int):
    """Record a phone call now, without leaving the page (fetch), or POST and redirect."""
    customer = selectors.customer_for(user=request.user, pk=customer_id)
    try:
        token = uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        token = None
    visit, created = services.visit_log(
        customer=customer, user=request.user, kind=Kind.CALL, form_token=token
    )
    message = (
        _("Call to %(customer)s logged at %(time)s.")
        if created
        else _("This call to %(customer)s was already logged at %(time)s.")
    ) % {"customer": customer.name, "time": timezone.localtime(visit.occurred_at).strftime("%H:%M")}
    if wants_json(request):
        row = due_row_for(customer, timezone.localdate())
        html = ""
        if row is not None and row.status.due:
            html = render_to_string(
                "visits/partials/_due_row.html",
                {
                    "row": row,
                    "next": request.POST.get("next", ""),
                    "show_person": request.POST.get("show_person") == "1",
                },
                request=request,
            )
        return JsonResponse({"ok": True, "created": created, "message": message, "html": html})
    messages.success(request, message)
    return redirect_back(request, "visits:due")
