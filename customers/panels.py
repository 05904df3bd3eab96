"""What the customer book adds to other pages (registered in CustomersConfig.ready()).

- home panel: `care_home_panel(request)` — care dates of the coming week
  among the contacts of the user's customers (客户关怀).
- customer card sections: `development_card_section(request, customer)` —
  the development that won the customer; `cargo_card_section` — its cargo
  profile (货物与运输需求).
"""

from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core import registry

from . import care, cargo
from .models import Customer
from .services.care import care_rows, contacts_with_care_dates

PANEL_ROWS = 5


@registry.home_panel("customers/partials/_care_home_panel.html", width=6, at_least=Role.STAFF)
def care_home_panel(request):
    user = request.user
    today = timezone.localdate()
    contacts = contacts_with_care_dates(
        Customer.objects.visible_to(user).active(), start=today, days=care.REMIND_DAYS_AHEAD
    ).select_related("customer")
    rows = care_rows(contacts[: PANEL_ROWS + 1], today)
    return {
        "rows": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "list_url": f"{reverse('customers:care_list')}?days={care.REMIND_DAYS_AHEAD}",
    }


def development_card_section(request, customer):
    """On the card of a won prospect: how it was won (新开发客户报告表), if the user
    may see the prospect. The card's customer says whether there is one at all
    (`has_prospect`): most customers were not won from a prospect."""
    from .models import Prospect

    if not getattr(customer, "has_prospect", True):
        return None
    prospect = (
        Prospect.objects.visible_to(request.user)
        .filter(customer=customer)
        .select_related("owner")
        .first()
    )
    if prospect is None:
        return None
    return {"template": "customers/partials/_card_development.html", "prospect": prospect}


def cargo_card_section(request, customer):
    """The cargo profile (货物与运输需求): what the customer ships, how, with
    which equipment, under which delivery terms, and how much. Read from the
    card's own columns (no query); shown once anything of it is recorded, or
    empty with a link to fill it in."""
    return {
        "template": "customers/partials/_card_cargo.html",
        "profile": cargo.profile(customer),
        "edit_url": reverse("customers:edit", args=[customer.pk]) + "#cargo",
    }
