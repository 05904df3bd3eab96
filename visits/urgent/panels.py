"""What urgent reports add to other pages (registered in VisitsConfig.ready()).

- home panel: home_panel — a manager's queue (open, overdue, mine) and a
  supervisor's unit's open urgent reports.
- navigation badge: nav_badge — the open count, for managers (their units' and
  what is assigned to them) and supervisors (their unit's).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role
from crm_site.core import registry
from visits.models import UrgentReport
from visits.urgent.selectors import counts_for, open_read, overdue_read, queue_order, with_sla

PANEL_ROWS = 5


def nav_badge(request):
    user = request.user
    if not user.has_role(Role.MANAGER, Role.SUPERVISOR):
        return None
    # Counted with the other badges in one query (context_processors.navigation);
    # any overdue report turns the badge red.
    return {
        "url": reverse("visits:urgent_list"),
        "label": _("Open urgent reports"),
        "icon": "exclamation-triangle",
        "count": open_read(user),
        "alert": overdue_read(user, timezone.now()),
        "tone": "warning",
    }


@registry.home_panel(
    "visits/partials/_home_urgent.html", width=6, roles=(Role.MANAGER, Role.SUPERVISOR)
)
def home_panel(request):
    user = request.user
    now = timezone.now()
    visible = UrgentReport.objects.visible_to(user)
    counts = counts_for(visible, now)
    is_manager = user.has_role(Role.MANAGER)
    if is_manager:
        counts["mine"] = visible.open().filter(assignee=user).count()
    rows = list(
        queue_order(visible.open()).select_related("unit", "assignee", "customer")[:PANEL_ROWS]
    )
    list_url = reverse("visits:urgent_list")
    return {
        "is_manager": is_manager,
        "counts": counts,
        "reports": with_sla(rows, now),
        "list_url": list_url,
        "mine_url": f"{list_url}?mine=on",
        "new_url": reverse("visits:urgent_create"),
    }
