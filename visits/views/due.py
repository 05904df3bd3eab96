"""/visits/due/: what each staff member still owes their customers, and "log a call"."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from customers.models import Customer

from .. import services
from ..models import Kind
from ..queries import due_row_for, due_rows
from .common import redirect_back, staff_people_for, wants_json


def _person_for(request):
    """Whose list: one's own; supervisors and up may pick a staff member of their units."""
    people = staff_people_for(request.user) if request.user.is_at_least(Role.SUPERVISOR) else None
    wanted = request.GET.get("person", "")
    if people is not None and wanted.isdigit():
        chosen = people.filter(pk=int(wanted)).first()
        if chosen is not None:
            return chosen, people
    return request.user, people


@role_required(Role.STAFF)
def due(request):
    """My customers with visits due this month or calls due this week, most urgent first."""
    person, people = _person_for(request)
    today = timezone.localdate()
    customers = (
        Customer.objects.visible_to(request.user)
        .active()
        .filter(visiting_person=person)
        .only("pk", "code", "name", "grade", "unit_id", "visiting_person_id")
    )
    rows, up_to_date = due_rows(customers, today)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "person": person,
        "people": people,
        "today": today,
        "overdue_count": sum(1 for r in rows if r.status.overdue),
        "due_count": len(rows),
        "up_to_date": up_to_date,
        "query_string": f"person={person.pk}" if person != request.user else "",
    }
    return render(request, "visits/due.html", context)


@require_POST
@role_required(Role.STAFF)
def log_call(request, customer_id: int):
    """Record a phone call now, without leaving the page (fetch), or POST and redirect."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
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
                {"row": row, "next": request.POST.get("next", "")},
                request=request,
            )
        return JsonResponse({"ok": True, "created": created, "message": message, "html": html})
    messages.success(request, message)
    return redirect_back(request, "visits:due")
