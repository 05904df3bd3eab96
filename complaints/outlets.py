"""Complaints and outlets (网点): the outlet page's complaints and claims
sections, the outlet pickers of the complaint forms, and the rule that a complaint names
only outlets of its own unit."""

from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.core.inputs import CleanInputForm
from customers.models import Outlet
from customers.outlets.fields import OutletChoiceField
from customers.outlets.selectors import outlet_choices

from .models import OPEN_STATUSES, Complaint

OUTLET_FIELDS = ("responsible_outlet", "origin_outlet", "destination_outlet")
SECTION_ROWS = 10


def outlet_figures(*, user, outlet: Outlet, now=None) -> dict:
    """The complaints charged to `outlet` that the user may see: this month's,
    the open and the overdue ones (one query), and the newest few."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    complaints = Complaint.objects.visible_to(user).filter(responsible_outlet=outlet)
    open_q = Q(status__in=OPEN_STATUSES)
    counts = complaints.aggregate(
        total=Count("pk"),
        month=Count("pk", filter=Q(received_at__gte=month_start)),
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(deadline__lt=now)),
    )
    newest = list(
        complaints.select_related("category", "customer")
        .only(
            "number",
            "received_at",
            "status",
            "deadline",
            "customer__name",
            "category__name",
            "category__name_en",
        )
        .order_by("-received_at", "-pk")[:SECTION_ROWS]
    )
    return {"counts": counts, "complaints": newest}


def outlet_section(request, outlet):
    """The outlet page's complaints: figures for the head, the newest few."""
    from .panels import _card_rows

    now = timezone.now()
    figures = outlet_figures(user=request.user, outlet=outlet, now=now)
    _card_rows(figures["complaints"], now)
    counts = figures["counts"]
    list_url = f"{reverse('complaints:list')}?responsible_outlet={outlet.pk}"
    return {
        "template": "complaints/partials/_outlet_complaints.html",
        "complaints": figures["complaints"],
        "counts": counts,
        "list_url": list_url,
        "figures": [
            (_("Complaints this month"), counts["month"], "", ""),
            (_("Open complaints"), counts["open"], f"{list_url}&status=open", "warning"),
            (_("Overdue complaints"), counts["overdue"], f"{list_url}&overdue=on", "danger"),
        ],
    }


def outlet_claims_section(request, outlet):
    """The outlet page's claims (理赔) on the complaints charged to it: how many,
    how many are open, the total paid, the newest few."""
    from .claims.selectors import outlet_claims

    claims = outlet_claims(user=request.user, outlet=outlet, rows=SECTION_ROWS)
    list_url = f"{reverse('complaints:claims')}?outlet={outlet.pk}"
    return {
        "template": "complaints/claims/_outlet_claims.html",
        "claims": claims,
        "list_url": list_url,
        "figures": [
            (_("Open claims"), claims["open"], list_url, "warning"),
            (_("Claims paid"), f"¥{claims['paid_total']}", list_url, ""),
        ],
    }


class ComplaintOutletsMixin(CleanInputForm):
    """The three outlet pickers of a complaint form: the active outlets the user
    may pick (of the complaint's unit when it is known), and the ones already
    named. Which unit is checked again by `check_outlets` in the service."""

    responsible_outlet = OutletChoiceField(
        label=gettext_lazy("Responsible outlet"),
        queryset=Outlet.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not known yet"),
    )
    origin_outlet = OutletChoiceField(
        label=gettext_lazy("Origin outlet"),
        queryset=Outlet.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not known"),
    )
    destination_outlet = OutletChoiceField(
        label=gettext_lazy("Destination outlet"),
        queryset=Outlet.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not known"),
    )

    def set_outlet_choices(self, *, user, unit_id=None, complaint=None) -> None:
        for name in OUTLET_FIELDS:
            keep = getattr(complaint, name) if complaint is not None else None
            field = cast(OutletChoiceField, self.fields[name])
            field.queryset = outlet_choices(user=user, unit_id=unit_id, keep=keep)
            if complaint is not None and not self.is_bound:
                self.initial.setdefault(name, getattr(complaint, f"{name}_id"))


def check_outlets(*, unit_id: int, outlets: dict, current: Complaint | None = None) -> None:
    """Each outlet named belongs to the complaint's unit and is active (one
    already on the complaint may stay although deactivated since)."""
    errors = {}
    for name, outlet in outlets.items():
        if outlet is None:
            continue
        if outlet.unit_id != unit_id:
            errors[name] = _("Pick an outlet of the complaint's service unit.")
        elif not outlet.is_active and (
            current is None or getattr(current, f"{name}_id") != outlet.pk
        ):
            errors[name] = _("This outlet is no longer active. Pick an active one.")
    if errors:
        raise ValidationError(errors)
