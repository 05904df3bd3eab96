"""Early warning: a customer whose monthly turnover fell by more than a set
share two months running gets a watch item (客户流失 warning), and its visiting
person and the unit's supervisors are told, once per customer and month."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership
from crm_site.accounts.selectors import unit_people
from crm_site.core import months
from crm_site.core.services import notify_each

from ..models import Customer
from ..voice.models import WATCH_CODES, CustomerWatch
from . import rules
from .models import MonthlyTurnover

# Watch items raised here carry a token derived from the customer and the
# month, so a second run (or a resent task) finds the first item.
TOKEN_NAMESPACE = uuid.UUID("5d1f3c2e-7a4b-4c1e-9b7e-2f6a8d0c4e11")


def falling_customers(*, month: date, share: Decimal = rules.FALL_SHARE) -> list[int]:
    """Customers whose turnover in `month` and the month before each fell by more
    than `share` from the month before it: one grouped query."""
    m0, m1, m2 = months.shift(month, -2), months.shift(month, -1), month
    keep = 1 - share
    rows = (
        MonthlyTurnover.objects.filter(month__gte=m0, month__lte=m2)
        .values("customer")
        .annotate(
            a=Sum("amount", filter=Q(month=m0), default=0),
            b=Sum("amount", filter=Q(month=m1), default=0),
            c=Sum("amount", filter=Q(month=m2), default=0),
        )
        .filter(a__gt=0, b__lt=F("a") * keep, c__lt=F("b") * keep)
        .order_by("customer")
    )
    return [row["customer"] for row in rows]


def revenue_falls_warn(*, month: date | None = None, share: Decimal = rules.FALL_SHARE) -> int:
    """Raise a watch item for each falling customer of `month` (default: the newest
    month stored); the number of new items."""
    month = (
        month or MonthlyTurnover.objects.order_by("-month").values_list("month", flat=True).first()
    )
    if month is None:
        return 0
    raised = 0
    customers = Customer.objects.filter(
        pk__in=falling_customers(month=month, share=share)
    ).select_related("visiting_person")
    for customer in customers:
        raised += _raise(customer, month, share)
    return raised


def _note(percent: int, month: date) -> str:
    # Stored text: written in the language the unit's records are kept in.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Turnover fell by more than %(share)s%% two months running, up to %(month)s.") % {
            "share": percent,
            "month": f"{month:%Y-%m}",
        }


@transaction.atomic
def _raise(customer: Customer, month: date, share: Decimal) -> bool:
    token = uuid.uuid5(TOKEN_NAMESPACE, f"turnover-fall:{customer.pk}:{month:%Y-%m}")
    supervisors = list(unit_people(customer.unit_id, Membership.Kind.SUPERVISOR))
    reporter = customer.visiting_person or next(iter(supervisors), None)
    if reporter is None or CustomerWatch.objects.filter(form_token=token).exists():
        return False
    percent = int(share * 100)
    watch = CustomerWatch.objects.create(
        customer=customer,
        unit_id=customer.unit_id,
        reported_on=min(timezone.localdate(), months.last_day(month)),
        reported_by=reporter,
        items={code: {"changed": False, "note": ""} for code in WATCH_CODES},
        note=_note(percent, month),
        form_token=token,
    )
    recipients = {u.pk: u for u in [customer.visiting_person, *supervisors] if u is not None}
    url = reverse("customers:customer_turnover", args=[customer.pk])

    def text():
        return (
            _("Turnover falling at %(customer)s") % {"customer": customer.name},
            _("Turnover fell by more than %(share)s%% two months running, up to %(month)s.")
            % {"share": percent, "month": f"{month:%Y-%m}"},
        )

    notify_each(
        recipients.values(),
        kind="customers.turnover_fall",
        text=text,
        url=url,
        dedupe_key=f"turnover-fall:{watch.pk}",
    )
    return True
