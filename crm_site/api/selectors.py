"""Reads the API adds to the apps' own selectors: a waybill's records in
scope, its tracking trail, and the keys and deliveries of the key pages."""

from django.db.models import QuerySet

from complaints.models import Complaint
from customers.models import Customer, Outlet, Waybill
from customers.waybills import numbers
from customers.waybills.selectors import tracking
from visits.models import DailyReportEntry, UrgentReport

from .models import ApiKey


def waybill_records(*, user, number: str) -> dict | None:
    """Everything in `user`'s scope that names the waybill, or None when nothing
    does (the caller answers 404: a number outside the scope is not revealed)."""
    number = numbers.normalise(number)
    waybill = Waybill.objects.filter(number=number).first()
    if waybill is None:
        return None
    complaints = list(
        Complaint.objects.visible_to(user).filter(waybills=waybill).select_related("category")
    )
    entries = list(DailyReportEntry.objects.visible_to(user).filter(waybills=waybill))
    urgent = list(UrgentReport.objects.visible_to(user).filter(waybills=waybill))
    if not (complaints or entries or urgent) and not _sees_every_waybill(user):
        return None
    return {
        "waybill": waybill,
        "number": waybill.number,
        "complaints": complaints,
        "entries": entries,
        "urgent_reports": urgent,
        **tracking(waybill=waybill),
    }


def _sees_every_waybill(user) -> bool:
    from crm_site.accounts.models import Role
    from crm_site.accounts.scope import is_at_least

    return is_at_least(user, Role.ADMIN)


def may_track(*, user, number: str) -> bool:
    """Whether `user` may record tracking events for the number: admins (the
    transport system's key) for any number, others for waybills in their scope."""
    return _sees_every_waybill(user) or waybill_records(user=user, number=number) is not None


def customer_code_in_scope(*, user, pk: int) -> str | None:
    """The code of the customer `pk` if `user` may see it (the pages' customer
    fields take a code; the API takes an id)."""
    return Customer.objects.visible_to(user).filter(pk=pk).values_list("code", flat=True).first()


def outlet_list(*, user, active_only: bool = False) -> QuerySet:
    """The outlets `user` may see (Outlet's own scope), by code."""
    outlets = Outlet.objects.visible_to(user)
    return outlets.active() if active_only else outlets


def schema_only(model) -> QuerySet:
    """An empty queryset that only tells the OpenAPI schema a view's model (the
    types of its path parameters); the views read through the selectors."""
    return model._default_manager.none()


def api_keys_for(*, user) -> QuerySet:
    """The keys `user` may see (their own; an admin every key), newest first."""
    return ApiKey.objects.visible_to(user).select_related("user").order_by("-created")
