"""What the customer book adds to the outlet page (registered in
CustomersConfig.ready()): the customers the outlet serves."""

from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Customer

SECTION_ROWS = 10


def customers_section(request, outlet):
    """The customers in the user's scope that the outlet serves (the first few
    by code, and how many)."""
    customers = Customer.objects.visible_to(request.user).filter(serving_outlet=outlet)
    rows = list(customers.select_related("visiting_person").order_by("code")[:SECTION_ROWS])
    total = len(rows) if len(rows) < SECTION_ROWS else customers.count()
    list_url = f"{reverse('customers:list')}?serving_outlet={outlet.pk}"
    return {
        "template": "outlets/partials/_customers_section.html",
        "customers": rows,
        "total": total,
        "list_url": list_url,
        "figures": [(_("Customers served"), total, list_url, "")],
    }
