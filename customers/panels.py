"""What the customer book adds to other pages (registered in settings).

- CRM_HOME_PANELS: `care_home_panel(request)` — care dates of the coming week
  among the contacts of the user's customers (客户关怀).
"""

from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role

from . import care
from .models import Customer
from .services.care import care_rows, contacts_with_care_dates

PANEL_ROWS = 5


def care_home_panel(request):
    user = request.user
    if not user.is_at_least(Role.STAFF):
        return None
    today = timezone.localdate()
    contacts = contacts_with_care_dates(
        Customer.objects.visible_to(user).active(), start=today, days=care.REMIND_DAYS_AHEAD
    ).select_related("customer")
    rows = care_rows(contacts[: PANEL_ROWS + 1], today)
    return {
        "template": "customers/partials/_care_home_panel.html",
        "width": 6,
        "rows": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "list_url": f"{reverse('customers:care_list')}?days={care.REMIND_DAYS_AHEAD}",
    }
