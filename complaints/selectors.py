"""Reads of complaints: the register, one complaint, the home panel and the
customer card. Every read starts from `Complaint.objects.visible_to(user)`; the
figures page counts with complaints/services/figures.py (complaints/stats.py)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet, Window
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from crm_site.accounts.models import Role, display_name
from crm_site.accounts.scope import is_staff_role
from crm_site.core import batch, dates
from crm_site.core.listing import paged
from crm_site.core.templatetags.crm_status import status_tone
from customers.selectors import customer_and_unit_names

from .models import (
    OPEN_STATUSES,
    Channel,
    Complaint,
    ComplaintCategory,
    DeadlinePolicy,
    RegulatoryLimit,
    Severity,
    Status,
)

# The numbers complaint_next_number gives out.
COMPLAINT_NUMBER = re.compile(r"TS-?(\d{4})-?(\d{6,})")


def complaint_list(*, user, filters=None) -> QuerySet:
    """The register: the complaints the user may see, under `filters` (a
    complaints.filters.ComplaintFilter, which also sorts), newest first unless
    sorted, with what a row (and the export) shows."""
    complaints = Complaint.objects.visible_to(user).select_related(
        "customer", "category", "unit", "handler", "received_by"
    )
    if filters is None:
        return complaints.order_by("-received_at", "-pk")
    return filters.apply(complaints)


def complaint_by_number(*, user, number: str) -> Complaint | None:
    """The complaint of a full number (TS-2026-000026, in any case, the dashes
    optional) if the user may see it and it was not merged into another (the
    register shows a merged one's row, marked); None for anything else."""
    match = COMPLAINT_NUMBER.fullmatch(number.strip().upper())
    if match is None:
        return None
    return (
        Complaint.objects.visible_to(user)
        .filter(number=f"TS-{match[1]}-{match[2]}", merged_into__isnull=True)
        .first()
    )


# What a register row shows, read as plain values (no model instances), with
# the customer's and the unit's names (register_values).
REGISTER_COLUMNS = (
    "pk",
    "number",
    "repeat_of_id",
    "merged_into_id",
    "status",
    "severity",
    "channel",
    "received_at",
    "deadline",
    "paused_since",
    "category__name",
    "category__name_en",
    "handler__full_name",
    "handler__first_name",
    "handler__last_name",
    "handler__username",
)


def register_values(complaints: QuerySet) -> QuerySet:
    """The register's rows of `complaints` as `.values()` (REGISTER_COLUMNS and
    the customer's and unit's names), what register_rows takes."""
    return complaints.values(*REGISTER_COLUMNS, **customer_and_unit_names())


_URL_PK = 918273645  # stands for a row's pk in register_rows' address


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A register row with every value it shows ready for the page (dates in
    the current time zone, labels translated; dates as the reader reads them,
    12月7日 周一 14:30, with the full date and time beside them for a tooltip)."""

    pk: int
    url: str
    number: str
    repeat: bool
    merged: bool
    customer: str
    unit: str
    channel: str
    category: str
    severity: str
    severity_label: str
    status_label: str
    status_tone: str
    overdue: bool
    received: str
    received_iso: str
    deadline: str
    deadline_iso: str
    handler: str


def register_rows(values: Iterable[dict], *, now=None) -> list[RegisterRow]:
    """The register rows of `values` (rows of register_values)."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    english = (get_language() or "").startswith("en")
    channels = {value: str(label) for value, label in Channel.choices}
    severities = {value: str(label) for value, label in Severity.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    # The detail address of one complaint, the others' by putting their pk in its place.
    sample = reverse("complaints:detail", args=[_URL_PK])
    rows = []
    for v in values:
        deadline = v["deadline"].astimezone(zone)
        received = v["received_at"].astimezone(zone)
        status = v["status"]
        rows.append(
            RegisterRow(
                pk=v["pk"],
                url=sample.replace(str(_URL_PK), str(v["pk"])),
                number=v["number"],
                repeat=v["repeat_of_id"] is not None,
                merged=v["merged_into_id"] is not None,
                customer=v["customer__name"],
                unit=v["unit__name"],
                channel=channels.get(v["channel"], v["channel"]),
                category=(english and v["category__name_en"]) or v["category__name"],
                severity=v["severity"],
                severity_label=severities.get(v["severity"], v["severity"]),
                status_label=statuses.get(status, status),
                status_tone=status_tone(status),
                overdue=(
                    status in OPEN_STATUSES and v["paused_since"] is None and v["deadline"] < now
                ),
                received=dates.moment_label(received),
                received_iso=f"{received:%Y-%m-%d %H:%M}",
                deadline=dates.moment_label(deadline),
                deadline_iso=f"{deadline:%Y-%m-%d %H:%M}",
                handler=(
                    display_name(
                        v["handler__full_name"],
                        v["handler__first_name"],
                        v["handler__last_name"],
                        v["handler__username"],
                    )
                    if v["handler__username"] is not None
                    else ""
                ),
            )
        )
    return rows


def complaint_register_page(
    *, user, filters, number, per_page: int, also: Iterable[batch.Pending] = (), now=None
) -> Page:
    """A page of the register (complaint_list) as RegisterRows: the page's rows,
    the count, the filter's choices (categories, units, outlets) and the reads
    of `also` (the navigation's counts) in one round trip."""
    complaints = complaint_list(user=user, filters=filters)
    return paged(
        register_values(complaints),
        per_page,
        number=number,
        count_source=complaints,
        rows=lambda values: register_rows(values, now=now),
        also=[filters.choices_pending(), *also],
    )


def complaint_detail(*, user, pk: int) -> Complaint:
    """The complaint if the user may see it, else 404 (existence is not revealed)."""
    queryset = Complaint.objects.visible_to(user).select_related(
        "customer",
        "unit",
        "category",
        "handler",
        "received_by",
        "merged_into",
        "responsible_outlet",
        "origin_outlet",
        "destination_outlet",
    )
    return get_object_or_404(queryset, pk=pk)


def complaint_clocks(*, complaint: Complaint) -> dict:
    """What the page shows of the complaint's two clocks: the pauses of the
    internal one (the open one first, if any) and the regulatory limit's text."""
    pauses = list(complaint.pauses.select_related("started_by", "ended_by").order_by("-started_at"))
    kind = (
        RegulatoryLimit.Kind.POSTAL_12305
        if complaint.channel == Channel.POSTAL_12305
        else RegulatoryLimit.Kind.DIRECT
    )
    return {
        "pauses": pauses,
        "current_pause": pauses[0] if pauses and pauses[0].ended_at is None else None,
        "regulatory_limit": RegulatoryLimit.objects.filter(kind=kind).first(),
    }


def complaint_events(*, complaint: Complaint) -> QuerySet:
    return complaint.events.select_related("actor")


def complaint_home_figures(*, user, now, rows: int) -> dict:
    """The home panel's open complaints (staff: those they logged or handle;
    supervisors and up: their units'): counts and the `rows` nearest deadlines.
    A staff member's stay theirs after the supervisor resolves them, until the
    written notice and the return visit they still owe are recorded."""
    mine = Complaint.objects.visible_to(user).open()
    if is_staff_role(user):
        owed = Q(status__in=(Status.RESOLVED, Status.NOTIFIED), handler=user)
        mine = Complaint.objects.visible_to(user).filter(Q(status__in=OPEN_STATUSES) | owed)
        mine = mine.mine(user)
    counts = {
        "open": mine.count(),
        "overdue": mine.overdue(now).count(),
    }
    if user.is_at_least(Role.MANAGER):
        counts["awaiting_approval"] = mine.filter(status=Status.AWAITING_APPROVAL).count()
    nearest = list(mine.select_related("customer", "handler").order_by("deadline", "pk")[:rows])
    return {"counts": counts, "complaints": nearest}


# What the card shows of a complaint; the rest is on its own page.
CARD_FIELDS = (
    "id",
    "number",
    "customer_id",
    "received_at",
    "category_id",
    "deadline",
    "status",
    "paused_since",
)


def complaint_card_rows(*, user, customer, rows: int) -> QuerySet:
    """The customer's complaints the user may see, the newest `rows`, as
    `.values()` with their category's names and, on every row, how many there
    are in all and how many are open (complaint_card_figures reads them)."""
    return (
        Complaint.objects.visible_to(user)
        .filter(customer=customer)
        .values(*CARD_FIELDS, "category__name", "category__name_en")
        .annotate(
            total=Window(Count("pk")),
            open_count=Window(Count("pk", filter=Q(status__in=OPEN_STATUSES))),
        )[:rows]
    )


# The customer card's complaints: the newest ten.
CARD_ROWS = 10


@batch.prepared_for_user
def complaint_card_read(user, customer_id):
    """complaint_card_rows of the customer card (CARD_ROWS rows), its SQL
    compiled once per scope (crm_site.core.batch.prepared_for_user)."""
    return complaint_card_rows(user=user, customer=customer_id, rows=CARD_ROWS)


def complaint_card_figures_from(values: list[dict]) -> dict:
    """complaint_card_figures from complaint_card_rows' rows: the complaints (with
    their category), how many in all, how many open."""
    complaints = []
    for row in values:
        complaint = batch.instance(Complaint, row)
        category = ComplaintCategory(
            pk=row["category_id"], name=row["category__name"], name_en=row["category__name_en"]
        )
        complaint.category = category
        complaints.append(complaint)
    return {
        "complaints": complaints,
        "total": values[0]["total"] if values else 0,
        "open": values[0]["open_count"] if values else 0,
    }


def complaint_card_figures(*, user, customer, rows: int) -> dict:
    """The customer's complaints the user may see: the newest `rows`, how many in
    all, and how many are open (counted with the rows, in one query)."""
    return complaint_card_figures_from(
        list(complaint_card_rows(user=user, customer=customer, rows=rows))
    )


def complaint_figures_base(*, user, filters) -> QuerySet:
    """The complaints the figures page counts: those the user may see, under
    `filters` (a complaints.filters.ComplaintStatsFilter: its unit; the period is
    applied by the figures)."""
    return filters.apply(Complaint.objects.visible_to(user))


@batch.prepared
def green_channel_rows(grade: str) -> QuerySet:
    """The deadline policies for a grade and any category, as rows (severity,
    working days): what the green channel promises (SQL compiled once per
    process: crm_site.core.batch)."""
    return (
        DeadlinePolicy.objects.filter(customer_grade=grade, category__isnull=True)
        .values("severity", "working_days")
        .order_by("severity")
    )


def green_channel_promises_from(rows: list[dict]) -> list[dict]:
    """The green channel's promises from green_channel_rows' rows, labelled."""
    labels = dict(Severity.choices)
    return [
        {
            "severity": row["severity"],
            "label": labels.get(row["severity"], row["severity"]),
            "days": row["working_days"],
        }
        for row in rows
    ]


def green_channel_promises(*, grade: str) -> list[dict]:
    """The working days a grade's complaints are promised, per severity (the
    deadline policies for that grade and any category): the green channel."""
    return green_channel_promises_from(batch.rows_many({"r": green_channel_rows(grade)})["r"])


def complaint_waybill_facts(*, user, complaint: Complaint) -> dict:
    """What the complaint page shows of its waybills: the numbers, the complaint
    it repeats and those repeating it or merged into it (the ones the user may
    see)."""
    visible = Complaint.objects.visible_to(user).only("pk", "number", "received_at")
    return {
        "waybills": list(complaint.waybills.all()),
        "repeat_of": visible.filter(pk=complaint.repeat_of_id).first()
        if complaint.repeat_of_id
        else None,
        "repeats": list(visible.filter(repeat_of=complaint).order_by("-received_at")[:10]),
        "merged": list(visible.filter(merged_into=complaint).order_by("-received_at")[:10]),
    }


def complaint_merge_candidates(*, user, complaint: Complaint) -> QuerySet:
    """The complaints the user may see that name one of this one's waybills and
    are not merged themselves: what it can be merged with."""
    return (
        Complaint.objects.visible_to(user)
        .filter(waybills__in=complaint.waybills.all(), merged_into__isnull=True)
        .exclude(pk=complaint.pk)
        .select_related("customer")
        .distinct()
        .order_by("-received_at", "-pk")
    )
