"""Reads of the outlet register, scoped by `Outlet.objects.visible_to(user)`."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string

from crm_site.accounts.models import Region
from crm_site.accounts.scope import units_for
from crm_site.core import registry
from crm_site.core.models import AuditLog

from .models import Outlet


def outlet_list(*, user, filters=None) -> QuerySet:
    """The outlets the user may see, under `filters` (an OutletFilter, which
    also sorts), with the unit and region each row shows."""
    outlets = Outlet.objects.visible_to(user).select_related("unit", "region")
    return filters.apply(outlets) if filters is not None else outlets.order_by("code")


def outlet_detail(*, user, pk: int) -> Outlet:
    """The outlet if the user may see it, else 404 (its existence is not revealed)."""
    return get_object_or_404(
        Outlet.objects.visible_to(user).select_related("unit", "region"), pk=pk
    )


def outlet_choices(*, user, unit_id: int | None = None, keep: Outlet | None = None) -> QuerySet:
    """Active outlets the user may pick (of `unit_id` only, when given), and
    `keep` (the one already chosen) even if it was deactivated since. Without
    a user (the caller holds a record in scope): the outlets of `unit_id`."""
    outlets = Outlet.objects.visible_to(user) if user is not None else Outlet.objects.all()
    if unit_id is not None:
        outlets = outlets.filter(unit_id=unit_id)
    active = outlets.filter(is_active=True)
    if keep is not None:
        active = outlets.filter(is_active=True) | outlets.filter(pk=keep.pk)
    return active.select_related("unit").order_by("code")


def outlet_sections(request, outlet: Outlet) -> list[dict]:
    """What the apps add to the outlet page (crm_site.core.registry): each a
    dict with its "template", and optionally "figures" for the page's head
    ((label, value, url, tone) tuples)."""
    sections = []
    for path in registry.outlet_page_sections.paths():
        section = import_string(path)(request, outlet)
        if section:
            sections.append(section)
    return sections


def outlet_history(outlet: Outlet) -> QuerySet:
    """The outlet's audit rows (who created, changed, deactivated it), newest first."""
    return AuditLog.objects.filter(
        object_type=Outlet._meta.label_lower, object_id=str(outlet.pk)
    ).order_by("-at", "-pk")


def import_template_choices(*, user) -> dict:
    """What the blank import template lists: the units and regions a row may name."""
    return {
        "units": list(units_for(user, "view")),
        "regions": list(Region.objects.order_by("code")),
    }
