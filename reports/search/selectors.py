"""Reads of the search box and the waybill page.

Each kind of record is read through its own scoped QuerySet (`visible_to`),
in one query per group with what a row shows joined in, so a page costs the
same number of queries whatever the rows.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet, Value
from django.db.models.functions import Left
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.claims.models import Claim
from complaints.models import Complaint
from crm_site.accounts.models import display_name
from crm_site.core import batch
from crm_site.core.columns import ColumnOf
from customers.selectors import customer_and_unit_names, customer_matches
from customers.waybills.models import Waybill
from customers.waybills.numbers import is_waybill, normalise
from visits.models import DailyReport, DailyReportEntry, UrgentReport

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
    customers: list[dict] = field(default_factory=list)  # pk, code, name
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


def _labels(model, field: str) -> dict:
    """A choice field's stored values and their (translated) labels."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _claim_status(state: str, paid_amount) -> str:
    """The claim's state, with the amount paid once there is one."""
    return state if paid_amount is None else f"{state} ¥{paid_amount}"


def _waybill(number: str) -> ColumnOf:
    """The id of the waybill `number` (numbers are unique), read once as a
    subquery: the records are then matched on their link table's waybill id,
    without joining the waybills themselves."""
    return ColumnOf(Waybill, Value(number), field="id", key="number")


def _mention_reads(user, number: str) -> dict[str, QuerySet | batch.Counted | batch.Compiled]:
    """The scoped reads of the records naming the waybill `number`, as `.values()`
    querysets (crm_site.core.batch): what a Mention shows, no more. The names of
    units and customers are subqueries of the selected columns and the waybill
    a subquery of the filter, so that each read joins only what it filters on:
    planning the joins cost the database far more than running these reads."""
    waybill = _waybill(number)
    return {
        "complaints": Complaint.objects.visible_to(user)
        .filter(waybills=waybill)
        .order_by("-received_at", "-pk")
        .annotate(excerpt=Left("content", 80))
        .values(
            "pk",
            "number",
            "excerpt",
            "received_at",
            "status",
            **customer_and_unit_names(),
        )[:GROUP_LIMIT],
        "claims": Claim.objects.visible_to(user)
        .filter(waybills=waybill)
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "complaint__number",
            "seq",
            "kind",
            "created_at",
            "state",
            "paid_amount",
            **customer_and_unit_names(customer="complaint__customer"),
        )[:GROUP_LIMIT],
        # The entries found first, then what a row shows joined to those alone:
        # in one query the planner weighs the orders of eight joined tables,
        # which took it far longer than running the query.
        "entries": DailyReportEntry.objects.filter(
            pk__in=DailyReportEntry.objects.visible_to(user)
            .filter(waybills=waybill)
            .order_by("-occurred_at", "-pk")
            .values("pk")[:GROUP_LIMIT]
        )
        .order_by("-occurred_at", "-pk")
        .values(
            "pk",
            "occurred_at",
            "kind",
            "report_id",
            "report__status",
            "report__user__full_name",
            "report__user__first_name",
            "report__user__last_name",
            "report__user__username",
            **customer_and_unit_names(unit="report__unit"),
        ),
        "urgent": UrgentReport.objects.visible_to(user)
        .filter(waybills=waybill)
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "created_at",
            "title",
            "status",
            **customer_and_unit_names(),
        )[:GROUP_LIMIT],
    }


def _mentions_from(rows: dict) -> list[Mention]:
    """The Mentions of the rows `_mention_reads` read, newest first."""
    complaint_statuses = _labels(Complaint, "status")
    entry_kinds = _labels(DailyReportEntry, "kind")
    report_statuses = _labels(DailyReport, "status")
    urgent_statuses = _labels(UrgentReport, "status")
    complaint_label, entry_label, urgent_label = (
        _("Complaint"),
        _("Daily report entry"),
        _("Urgent report"),
    )
    mentions = [
        Mention(
            kind="complaint",
            kind_label=complaint_label,
            at=c["received_at"],
            title=f"{c['number']} · {c['excerpt']}",
            url=reverse("complaints:detail", args=[c["pk"]]),
            customer=c["customer__name"],
            status=complaint_statuses.get(c["status"], c["status"]),
            unit=c["unit__name"],
        )
        for c in rows["complaints"]
    ]
    claim_kinds = _labels(Claim, "kind")
    claim_states = _labels(Claim, "state")
    claim_label = _("Claim")
    mentions += [
        Mention(
            kind="claim",
            kind_label=claim_label,
            at=c["created_at"],
            title="{}-L{} · {}".format(  # Claim.number
                c["complaint__number"], c["seq"], claim_kinds.get(c["kind"], c["kind"])
            ),
            url=reverse("complaints:claim_detail", args=[c["pk"]]),
            customer=c["complaint__customer__name"],
            status=_claim_status(claim_states.get(c["state"], c["state"]), c["paid_amount"]),
            unit=c["unit__name"],
        )
        for c in rows["claims"]
    ]
    mentions += [
        Mention(
            kind="entry",
            kind_label=entry_label,
            at=e["occurred_at"],
            title="{} · {}".format(
                display_name(
                    e["report__user__full_name"],
                    e["report__user__first_name"],
                    e["report__user__last_name"],
                    e["report__user__username"],
                ),
                entry_kinds.get(e["kind"], e["kind"]),
            ),
            url=f"{reverse('visits:report_detail', args=[e['report_id']])}#entry-{e['pk']}",
            customer=e["customer__name"],
            status=report_statuses.get(e["report__status"], e["report__status"]),
            unit=e["report__unit__name"],
        )
        for e in rows["entries"]
    ]
    mentions += [
        Mention(
            kind="urgent",
            kind_label=urgent_label,
            at=r["created_at"],
            title=r["title"],
            url=reverse("visits:urgent_detail", args=[r["pk"]]),
            customer=r["customer__name"] or "",
            status=urgent_statuses.get(r["status"], r["status"]),
            unit=r["unit__name"],
        )
        for r in rows["urgent"]
    ]
    return sorted(mentions, key=lambda m: m.at, reverse=True)


def waybill_mentions(*, user, number: str) -> list[Mention]:
    """Everything in the user's scope that names the waybill `number`
    (normalised), newest first: complaints, their claims, daily-report
    entries, urgent reports; read in one round trip."""
    return _mentions_from(batch.rows_many(_mention_reads(user, number)))


def search(*, user, q: str, also: Iterable[batch.Pending] = ()) -> SearchResult:
    """What the search box finds for `q`, scoped: the records naming it as a
    waybill number, the complaint it numbers, the customers it names or codes.
    `jump` is set when the answer is one complaint asked for by its number.
    The reads of `also` (the navigation's counts) go with the waybill's and
    the customers' in one round trip."""
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
    # The waybill's records, the customers and `also`, read in one round trip.
    reads: dict[str, QuerySet | batch.Counted | batch.Compiled] = {}
    if is_waybill(q):
        result.waybill = normalise(q)
        reads |= _mention_reads(user, result.waybill)
    if len(q) >= 2:
        reads["customers"] = customer_matches(user=user, q=q, limit=CUSTOMER_LIMIT)
    rows, *_also = batch.resolve([batch.Pending(reads, lambda found: found), *also], plan_once=True)
    if result.waybill:
        result.mentions = _mentions_from(rows)
    result.customers = rows.get("customers", [])
    return result
