"""What visits contributes to other pages (registered in VisitsConfig.ready()).

- home panel: staff_home_panel (today's report, what is due) and
  supervisor_home_panel (reports awaiting review, the unit's compliance).
- navigation badge: review_badge (reports awaiting the supervisor's review).
- customer card section: customer_card_section (visits, entries, cadence).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role
from customers.models import Customer

from . import selectors
from .cadence import cadence_status
from .models import DailyReport, DailyReportEntry, Visit
from .queries import calendar_for, current_cadences, due_rows, with_contact_counts

CARD_LIMIT = 10
HOME_DUE_LIMIT = 5


def staff_home_panel(request):
    user = request.user
    if not user.has_role(Role.STAFF):
        return None
    today = timezone.localdate()
    customers = (
        Customer.objects.filter(visiting_person=user)
        .active()
        .only("pk", "code", "name", "grade", "unit_id", "visiting_person_id")
    )
    rows, up_to_date = due_rows(customers, today)
    report = DailyReport.objects.filter(user=user, date=today).with_counts().first()
    return {
        "template": "visits/partials/_home_staff.html",
        "width": 12,
        "report": report,
        "today": today,
        "is_working_day": calendar_for(today).is_working_day(today),
        "due_rows": rows[:HOME_DUE_LIMIT],
        "due_count": len(rows),
        "overdue_count": sum(1 for r in rows if r.status.overdue),
        "up_to_date": up_to_date,
    }


def supervisor_home_panel(request):
    user = request.user
    if not user.is_at_least(Role.SUPERVISOR):
        return None
    today = timezone.localdate()
    waiting = selectors.daily_reports_awaiting_review(user=user)
    flagged = DailyReportEntry.objects.filter(report__in=waiting).flagged().count()
    total = selectors.home_compliance_total(user=user, day=today)
    return {
        "template": "visits/partials/_home_supervisor.html",
        "width": 12,
        "waiting_count": waiting.count(),
        "flagged_count": flagged,
        "total": total,
        "month": today,
    }


def review_badge(request):
    user = request.user
    if not user.is_at_least(Role.SUPERVISOR):
        return None
    return {
        "url": reverse("visits:review"),
        "label": _("Reports awaiting review"),
        "icon": "clipboard-check",
        # Counted with the other badges in one query (context_processors.navigation).
        "count": selectors.daily_reports_awaiting_review(user=user),
        "tone": "warning",
    }


def customer_card_section(request, customer):
    """The customer's visits and report entries, newest first, and its cadence status."""
    today = timezone.localdate()
    visits = list(
        Visit.objects.filter(customer=customer)
        .select_related("user")
        .order_by("-occurred_at", "-pk")[:CARD_LIMIT]
    )
    entries = list(
        DailyReportEntry.objects.filter(customer=customer)
        .select_related("report__user")
        .order_by("-occurred_at", "-pk")[:CARD_LIMIT]
    )
    cadence = current_cadences().get(customer.grade)
    status = None
    if cadence is not None:
        counted = with_contact_counts(Customer.objects.filter(pk=customer.pk), today).first()
        status = cadence_status(
            cadence,
            today,
            visits_done=counted.visits_this_month,
            calls_done=counted.calls_this_week,
            calendar=calendar_for(today),
        )
    return {
        "template": "visits/partials/_customer_card_visits.html",
        "customer": customer,
        "visits": visits,
        "entries": entries,
        "cadence": cadence,
        "status": status,
        "can_log": request.user.is_at_least(Role.STAFF),
        "can_open_reports": request.user.is_at_least(Role.SUPERVISOR),
    }
