"""Reads of visits: the daily reports (list, one report, the review queue), what
is due, and the intelligence register. Every read starts from the models'
`visible_to(user)` (what each role may see); the views only parse and render.

Compliance and the set-based cadence arithmetic stay in visits/queries.py.
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.shortcuts import get_object_or_404

from crm_site.accounts.models import Role, User
from crm_site.accounts.scope import (
    active_role,
    is_admin_role,
    member_unit_ids,
    people_for,
    units_for,
)
from crm_site.core import batch
from customers.models import Customer

from . import compliance
from .models import (
    DailyReport,
    DailyReportEntry,
    DailyReportEvent,
    EntryCompetitor,
    EntryDraft,
    EntryFlag,
    Visit,
)
from .queries import DueRow, current_cadences, day_start, due_rows
from .resubmission import changes

# --- people and units ------------------------------------------------------------


def unit_list(*, user) -> QuerySet:
    """Units whose figures the user may see."""
    return units_for(user, "view")


def staff_people(*, user) -> QuerySet:
    """Staff members whose reports and due lists a supervisor and up may pick from."""
    return people_for(user, "people", role=Role.STAFF)


# --- daily reports ---------------------------------------------------------------


def daily_report_list(*, user, filters=None) -> QuerySet:
    """Own reports; supervisors and up: their units' reports; newest day first,
    under `filters` (a visits.filters.DailyReportFilter) when given."""
    reports = (
        DailyReport.objects.visible_to(user)
        .select_related("user", "reviewed_by")
        .with_counts()
        .order_by("-date", "user__full_name", "pk")
    )
    return filters.apply(reports) if filters is not None else reports


def daily_report_today(*, user, day: date) -> DailyReport | None:
    """The user's own report of `day`, if opened."""
    return DailyReport.objects.filter(user=user, date=day).first()


def daily_report_detail(*, user, pk: int) -> DailyReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    reports = DailyReport.objects.visible_to(user).select_related("user", "unit", "reviewed_by")
    return get_object_or_404(reports, pk=pk)


def daily_report_entries(
    *, report: DailyReport, flagged_first: bool, with_urgent: bool = False
) -> QuerySet:
    """The report's entries; a reviewer reads the flagged ones first."""
    entries = report.entries.select_related("customer", "visit").prefetch_related(
        "competitors", "waybills", _open_flags()
    )
    if with_urgent:
        entries = entries.prefetch_related("urgent_reports")
    if flagged_first:
        entries = entries.order_by("-needs_escalation", "occurred_at", "pk")
    return entries


def daily_report_entry_count(*, report: DailyReport) -> int:
    """How many entries the report holds (the phone's "N filled" in the action bar)."""
    return report.entries.count()


def daily_report_events(*, report: DailyReport) -> QuerySet:
    return report.events.select_related("actor")


def daily_report_unreported_contacts(*, report: DailyReport) -> QuerySet:
    """Contacts the owner logged directly that day and has not written up yet."""
    start = day_start(report.date)
    return (
        Visit.objects.filter(
            user=report.user,
            source=Visit.Source.DIRECT,
            entry__isnull=True,
            occurred_at__gte=start,
            occurred_at__lt=start + timedelta(days=1),
        )
        .select_related("customer")
        .order_by("occurred_at")
    )


def daily_report_entry(*, report: DailyReport, pk: int, with_customer: bool = False):
    """One entry of the report, else 404."""
    entries = report.entries.select_related("customer") if with_customer else report.entries
    return get_object_or_404(entries, pk=pk)


def entry_draft(*, report: DailyReport, entry=None) -> EntryDraft | None:
    """The draft kept for a new entry of the report (entry None) or for `entry`."""
    return EntryDraft.objects.filter(report=report, entry=entry).first()


def entry_customer(*, user, pk: int) -> Customer | None:
    """The customer a new entry is for (?customer=<id>), if the user may see it."""
    return Customer.objects.visible_to(user).filter(pk=pk).first()


def customer_for(*, user, pk: int) -> Customer:
    """A customer in the user's scope (404 outside it): a call logged from the due list."""
    return get_object_or_404(Customer.objects.visible_to(user), pk=pk)


def person_names(*, ids) -> dict[int, str]:
    """Display names of the given users, by id (a table grouped by person)."""
    return {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=ids)}


def entry_draft_exists(*, report: DailyReport) -> bool:
    """Whether a new entry's draft is kept for the report."""
    return EntryDraft.objects.filter(report=report, entry=None).exists()


def daily_reports_awaiting_review(*, user):
    """Submitted reports of the user's units awaiting review, other than their own."""
    return DailyReport.objects.visible_to(user).awaiting_review().exclude(user=user)


@batch.prepared_for_user
def awaiting_review_read(user):
    """daily_reports_awaiting_review as the top bar counts it, compiled once
    per scope (crm_site.core.batch)."""
    return daily_reports_awaiting_review(user=user).order_by().values("pk")


def daily_reports_returned(*, user) -> QuerySet:
    """The user's own reports returned for correction and not yet resubmitted, oldest first."""
    return (
        DailyReport.objects.visible_to(user)
        .filter(user=user, status=DailyReport.Status.RETURNED)
        .order_by("date", "pk")
    )


def home_compliance_total(*, user, day: date):
    """Visit compliance of `day`'s month over the active customers of the user's
    own units (None without one): an admin's whole-company figure is on the
    compliance page, not computed on every visit to the home page."""
    own_units = member_unit_ids(user)
    if not own_units:
        return None
    customers = Customer.objects.visible_to(user).active().filter(unit_id__in=own_units)
    need = compliance.requirements(day, today=day)
    return compliance.totals(compliance.compliance_rows(customers=customers, need=need))


def compliance_figures(*, user, month: date, today: date, unit=None):
    """The compliance page's figures for `month` over the active customers the
    user sees (of `unit` if given): the (person, grade) rows, the customers behind
    their cadence (by person, grade and code) and the cadences in force."""
    customers = Customer.objects.visible_to(user).active()
    if unit is not None:
        customers = customers.filter(unit=unit)
    cadences = current_cadences()
    need = compliance.requirements(month, today=today, cadences=cadences)
    rows = compliance.compliance_rows(customers=customers, need=need)
    behind = (
        compliance.behind(compliance.customer_figures(customers, need))
        .select_related("visiting_person")
        .order_by("visiting_person__username", "grade", "code")
    )
    return rows, behind, cadences


def daily_report_review_queue(*, user) -> QuerySet:
    """Submitted reports of the user's units awaiting review (not their own),
    those with flagged entries first, each with its entries (flagged first),
    their open "needs changes" marks, and its earlier returns (latest first)."""
    entries = (
        DailyReportEntry.objects.select_related("customer")
        .prefetch_related("urgent_reports", "competitors", "waybills", _open_flags())
        .order_by("-needs_escalation", "occurred_at", "pk")
    )
    return (
        daily_reports_awaiting_review(user=user)
        .with_counts()
        .select_related("user", "unit")
        .prefetch_related(Prefetch("entries", queryset=entries), _returns())
        .order_by("-flagged_count", "date", "submitted_at", "pk")
    )


def daily_report_next_for_review(*, user, after: DailyReport) -> DailyReport | None:
    """The report the queue shows first once `after` is no longer in it."""
    return daily_report_review_queue(user=user).exclude(pk=after.pk).prefetch_related(None).first()


def _open_flags() -> Prefetch:
    flags = EntryFlag.objects.open().select_related("by")
    return Prefetch("flags", queryset=flags, to_attr="open_flags")


def _returns() -> Prefetch:
    returns = DailyReportEvent.objects.filter(kind=DailyReportEvent.Kind.RETURNED)
    return Prefetch(
        "events", queryset=returns.select_related("actor").order_by("-at", "-pk"), to_attr="returns"
    )


def daily_report_resubmission(*, report: DailyReport, entries) -> dict | None:
    """For a report resubmitted after a return: the return (its comment, who,
    when) and what changed since (visits.resubmission.Changes); each entry
    gets `changed_fields` and `is_new`. None for a report never returned or
    not awaiting review. `report.returns` (the queue's prefetch) is used when
    present."""
    if report.status != DailyReport.Status.SUBMITTED:
        return None
    returns = getattr(report, "returns", None)
    if returns is None:
        latest = (
            report.events.filter(kind=DailyReportEvent.Kind.RETURNED)
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
    else:
        latest = returns[0] if returns else None
    if latest is None:
        return None
    entries = list(entries)
    found = changes(latest.data.get("entries", {}), entries)
    for entry in entries:
        entry.changed_fields = found.changed.get(entry.pk, [])
        entry.is_new = entry.pk in found.new
    return {"event": latest, "changes": found, "entries": entries}


# --- what is due -------------------------------------------------------------------


# The due list's `person` parameter: the user's own customers, or (supervisors)
# every customer of their unit; a staff member is picked by id.
DUE_OWN = "me"
DUE_UNIT = "unit"


def due_unit_view(user) -> bool:
    """Whether the due list opens on the whole unit: a supervisor's does (they
    answer for the unit, and most have no customers of their own)."""
    return active_role(user) == Role.SUPERVISOR


def due_person(*, user, wanted: str = ""):
    """Whose due list: staff their own. Supervisors and up may pick a staff
    member of their units (`wanted`, a user id) or their own ("me"); a
    supervisor's opens on their unit (person None). Returns (person or None,
    the people to pick from or None)."""
    if not user.is_at_least(Role.SUPERVISOR):
        return user, None
    people = staff_people(user=user)
    if wanted.isdigit():
        chosen = people.filter(pk=int(wanted)).first()
        if chosen is not None:
            return chosen, people
    if wanted == DUE_OWN or not due_unit_view(user):
        return user, people
    return None, people


def due_list(*, user, person, day: date) -> tuple[list[DueRow], int]:
    """The active customers (within the user's scope) with a visit or call still
    due on `day`, most urgent first, and how many are up to date: `person`'s, or
    every one in scope when `person` is None (a supervisor's unit)."""
    customers = Customer.objects.visible_to(user).active()
    if person is not None:
        customers = customers.filter(visiting_person=person)
    customers = customers.select_related("visiting_person").only(
        "pk",
        "code",
        "name",
        "grade",
        "unit_id",
        "visiting_person_id",
        "visiting_person__full_name",
        "visiting_person__first_name",
        "visiting_person__last_name",
        "visiting_person__username",
    )
    return due_rows(customers, day)


# --- the intelligence register -------------------------------------------------------


def intelligence_register(*, user, filters: dict | None = None) -> QuerySet:
    """Entries with market text the user may see, under `filters` (the keys of
    IntelligenceFilter.register_filters: unit_id, region_id, date_from, date_to,
    competitor, q), newest first, with what a row of the register shows.

    Scope is the daily report's: staff their own, supervisors their unit's,
    managers their units', admins all. Every filter has an index: the report's
    (unit, date) and (user, date), the customer's region
    with the entry's (customer, occurred_at), the tag table's (competitor,
    entry), the partial (occurred_at, id) index of entries with market text, and
    a trigram index on that text.
    """
    f = filters or {}
    entries = DailyReportEntry.objects.visible_to(user).exclude(market="")
    reports = DailyReport.objects.all()
    narrowed = False
    if f.get("unit_id"):
        reports = reports.filter(unit_id=f["unit_id"])
        narrowed = True
    if f.get("date_from"):
        reports = reports.filter(date__gte=f["date_from"])
        entries = entries.filter(occurred_at__gte=day_start(f["date_from"]))
        narrowed = True
    if f.get("date_to"):
        reports = reports.filter(date__lte=f["date_to"])
        entries = entries.filter(occurred_at__lt=day_start(f["date_to"] + timedelta(days=1)))
        narrowed = True
    if narrowed:
        entries = entries.filter(report__in=reports.values("pk"))
    if f.get("region_id"):
        entries = entries.filter(customer__region_id=f["region_id"])
    if f.get("competitor") is not None:
        entries = entries.filter(
            Exists(
                EntryCompetitor.objects.filter(
                    entry_id=OuterRef("pk"), competitor_id=f["competitor"].pk
                )
            )
        )
    if f.get("q"):
        entries = _text_filter(entries, f["q"], use_index=not narrowed and is_admin_role(user))
    return (
        entries.order_by("-occurred_at", "-id")
        .select_related("report__user", "report__unit", "customer__region")
        .prefetch_related("competitors")
    )


def _text_filter(entries, q: str, *, use_index: bool):
    """Case-insensitive substring of the market text.

    The trigram index (icontains: UPPER(market) LIKE ...) only pays when the
    text is the sole narrowing filter over everyone's entries: the planner
    cannot tell how many rows a phrase matches and, for a common phrase,
    fetches every match of all years before filtering by scope or month, many
    times the work of strpos over the scoped rows. Otherwise strpos() reads only
    the rows the other filters leave, which no index can be chosen for.
    """
    if use_index:
        return entries.filter(market__icontains=q)
    return entries.alias(text_at=StrIndex(Upper("market"), Value(q.upper()))).filter(text_at__gt=0)
