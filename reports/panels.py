"""What the monthly summaries add to the role home (registered in ReportsConfig.ready()).

Supervisors: this month's summary of each of their units, and last month's
while it awaits their submission. Managers (and admins): submitted summaries
awaiting review.
"""

from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.accounts.scope import units_for
from crm_site.core import months

from .models import MonthlyPatrolSummary

PANEL_ROWS = 5


def home_panel(request):
    user = request.user
    if user.has_role(Role.SUPERVISOR):
        return _supervisor_panel(user)
    if user.has_role(Role.MANAGER, Role.ADMIN):
        return _reviewer_panel(user)
    return None


def _supervisor_panel(user):
    this_month = months.first_of(timezone.localdate())
    last_month = months.shift(this_month, -1)
    units = list(units_for(user, "review").order_by("code"))
    if not units:
        return None
    stored = {
        (s.unit_id, s.month): s
        for s in MonthlyPatrolSummary.objects.filter(
            unit_id__in=[u.pk for u in units], month__in=[this_month, last_month]
        )
    }
    rows = [
        {
            "unit": unit,
            "current": stored.get((unit.pk, this_month)),
            "last": stored.get((unit.pk, last_month)),
        }
        for unit in units
    ]
    return {
        "template": "reports/partials/_home_supervisor.html",
        "width": 6,
        "rows": rows,
        "this_month": this_month,
        "last_month": last_month,
        "awaiting_submission": sum(
            1 for r in rows if r["last"] and r["last"].status == MonthlyPatrolSummary.Status.DRAFT
        ),
    }


def _reviewer_panel(user):
    waiting = MonthlyPatrolSummary.objects.visible_to(user).awaiting_review()
    rows = list(
        waiting.select_related("unit", "submitted_by").order_by("month", "unit__code")[:PANEL_ROWS]
    )
    count = len(rows) if len(rows) < PANEL_ROWS else waiting.count()
    return {
        "template": "reports/partials/_home_reviewer.html",
        "width": 6,
        "rows": rows,
        "count": count,
    }
