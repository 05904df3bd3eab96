"""Reads of the search box and the waybill page.

Each kind of record is read through its own scoped QuerySet (`visible_to`),
in one query per group with what a row shows joined in, so a page costs the
same number of queries whatever the rows.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from complaints.claims.models import Claim
from complaints.models import Complaint
from customers.selectors import customer_autocomplete
from customers.waybills.numbers import is_waybill, normalise
from visits.models import DailyReportEntry, UrgentReport

# Rows per group: the waybill page and the search answer show at most this many.
GROUP_LIMIT = 50
CUSTOMER_LIMIT = 20
QUERY_MAX_CHARS = 100
# A complaint number as complaints.services.complaint_next_number gives it
# (TS-<year>-<six digits>), typed with or without its dashes or leading zeros.
COMPLAINT_NUMBER_RE = re.compile(r"^TS-?(\d{4})-?(\d{1,6})$")


@dataclass(frozen=True)
class Mention:
    """One record that names a waybill, as the waybill page lists it."""

    kind: str  # complaint, claim, entry, urgent
    kind_label: str
    at: datetime
    title: str
    url: str
    customer: str
    status: str
    unit: str


@dataclass
class SearchResult:
    query: str
    waybill: str | None = None
    complaint_number: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    customers: list = field(default_factory=list)
    jump: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.mentions or self.complaints or self.customers)


def complaint_number(text: str) -> str | None:
    """The complaint number `text` spells (TS-2026-000123), or None."""
    match = COMPLAINT_NUMBER_RE.match(normalise(text).replace(" ", ""))
    if not match:
        return None
    return f"TS-{match[1]}-{int(match[2]):06d}"


def _complaint_mentions(user, number: str) -> list[Mention]:
    rows = (
        Complaint.objects.visible_to(user)
        .filter(waybills__number=number)
        .select_related("customer", "unit")
        .order_by("-received_at", "-pk")[:GROUP_LIMIT]
    )
    return [
        Mention(
            kind="complaint",
            kind_label=_("Complaint"),
            at=c.received_at,
            title=f"{c.number} · {c.content[:80]}",
            url=c.get_absolute_url(),
            customer=c.customer.name,
            status=c.get_status_display(),
            unit=c.unit.name,
        )
        for c in rows
    ]


def _claim_status(claim: Claim) -> str:
    """The claim's state, with the amount paid once there is one."""
    state = claim.get_state_display()
    return state if claim.paid_amount is None else f"{state} ¥{claim.paid_amount}"


def _claim_mentions(user, number: str) -> list[Mention]:
    rows = (
        Claim.objects.visible_to(user)
        .filter(waybills__number=number)
        .select_related("complaint__customer", "unit")
        .order_by("-created_at", "-pk")[:GROUP_LIMIT]
    )
    return [
        Mention(
            kind="claim",
            kind_label=_("Claim"),
            at=c.created_at,
            title=f"{c.number} · {c.get_kind_display()}",
            url=c.get_absolute_url(),
            customer=c.complaint.customer.name,
            status=_claim_status(c),
            unit=c.unit.name,
        )
        for c in rows
    ]


def _entry_mentions(user, number: str) -> list[Mention]:
    rows = (
        DailyReportEntry.objects.visible_to(user)
        .filter(waybills__number=number)
        .select_related("customer", "report__user", "report__unit")
        .order_by("-occurred_at", "-pk")[:GROUP_LIMIT]
    )
    return [
        Mention(
            kind="entry",
            kind_label=_("Daily report entry"),
            at=e.occurred_at,
            title=f"{e.report.user.get_full_name()} · {e.get_kind_display()}",
            url=e.get_absolute_url(),
            customer=e.customer.name,
            status=e.report.get_status_display(),
            unit=e.report.unit.name,
        )
        for e in rows
    ]


def _urgent_mentions(user, number: str) -> list[Mention]:
    rows = (
        UrgentReport.objects.visible_to(user)
        .filter(waybills__number=number)
        .select_related("customer", "unit")
        .order_by("-created_at", "-pk")[:GROUP_LIMIT]
    )
    return [
        Mention(
            kind="urgent",
            kind_label=_("Urgent report"),
            at=r.created_at,
            title=r.title,
            url=r.get_absolute_url(),
            customer=r.customer.name if r.customer else "",
            status=r.get_status_display(),
            unit=r.unit.name,
        )
        for r in rows
    ]


def waybill_mentions(*, user, number: str) -> list[Mention]:
    """Everything in the user's scope that names the waybill `number`
    (normalised), newest first: complaints, their claims, daily-report entries,
    urgent reports."""
    mentions = [
        *_complaint_mentions(user, number),
        *_claim_mentions(user, number),
        *_entry_mentions(user, number),
        *_urgent_mentions(user, number),
    ]
    return sorted(mentions, key=lambda m: m.at, reverse=True)


def search(*, user, q: str) -> SearchResult:
    """What the search box finds for `q`, scoped: the records naming it as a
    waybill number, the complaint it numbers, the customers it names or codes.
    `jump` is set when the answer is one complaint asked for by its number."""
    q = (q or "").strip()[:QUERY_MAX_CHARS]
    result = SearchResult(query=q)
    if not q:
        return result
    if number := complaint_number(q):
        result.complaint_number = number
        result.complaints = list(
            Complaint.objects.visible_to(user)
            .filter(number=number)
            .select_related("customer", "unit", "merged_into")
        )
        if len(result.complaints) == 1:
            result.jump = result.complaints[0].get_absolute_url()
            return result
    if is_waybill(q):
        result.waybill = normalise(q)
        result.mentions = waybill_mentions(user=user, number=result.waybill)
    if len(q) >= 2:
        result.customers = customer_autocomplete(user=user, q=q, limit=CUSTOMER_LIMIT)
    return result
