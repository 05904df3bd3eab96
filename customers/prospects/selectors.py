"""Reads of customer development and the care-date list, scoped by the models'
`visible_to(user)`."""

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from customers.models import Customer, Prospect
from customers.services import care as care_services


def prospect_list(*, user, filters=None) -> QuerySet:
    """The prospects the user may see, under `filters` (a
    customers.prospects.filters.ProspectFilter, which also sorts)."""
    prospects = Prospect.objects.visible_to(user).select_related("unit", "owner")
    return filters.apply(prospects) if filters is not None else prospects


def prospect_detail(*, user, pk: int) -> Prospect:
    """The prospect if the user may see it, else 404 (its existence is not revealed)."""
    queryset = Prospect.objects.visible_to(user).select_related(
        "unit", "owner", "customer", "closed_by", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def care_contacts(*, user, filters, today: date) -> QuerySet:
    """Contacts of the user's active customers with a birthday or anniversary in
    the window of `filters` (a customers.prospects.filters.CareFilter) from
    today, soonest first, under its occasion and unit."""
    customers = Customer.objects.visible_to(user).active()
    contacts = care_services.contacts_with_care_dates(customers, start=today, days=filters.window())
    return filters.apply(contacts).select_related("customer__visiting_person")
