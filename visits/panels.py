"""What visits contributes to other pages (registered in VisitsConfig.ready()).

- home panel: staff_home_panel (today's report, what is due) and
  supervisor_home_panel (reports awaiting review, the unit's compliance).
- navigation badge: review_badge (reports awaiting the supervisor's review).
- customer card section: customer_card_section (visits, entries, cadence).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role, display_name
from crm_site.core import batch, markup, registry
from crm_site.core.links import pk_url
from crm_site.core.services import work_calendar_days, work_calendar_from
from customers.models import Customer, GradingRule

from . import selectors
from .cadence import cadence_status, iso_week_bounds, month_bounds
from .models import DailyReport, DailyReportEntry, Kind, Visit
from .queries import (
    calendar_bounds,
    calendar_for,
    contact_counts_for,
    due_rows,
    span,
)

CARD_LIMIT = 10
# The card's date and time of a contact (the template's "Y-m-d H:i").
CARD_TIME = "%Y-%m-%d %H:%M"
HOME_DUE_LIMIT = 5


@registry.home_panel("visits/partials/_home_staff.html", width=12, roles=(Role.STAFF,))
def staff_home_panel(request):
    user = request.user
    today = timezone.localdate()
    customers = (
        Customer.objects.filter(visiting_person=user)
        .active()
        .only("pk", "code", "name", "grade", "unit_id", "visiting_person_id")
    )
    rows, up_to_date = due_rows(customers, today)
    report = DailyReport.objects.filter(user=user, date=today).with_counts().first()
    returned = selectors.daily_reports_returned(user=user)
    return {
        "returned": returned[:HOME_DUE_LIMIT],
        "returned_count": returned.count(),
        "returned_url": f"{reverse('visits:report_list')}?status={DailyReport.Status.RETURNED}",
        "report": report,
        "today": today,
        "is_working_day": calendar_for(today).is_working_day(today),
        "due_rows": rows[:HOME_DUE_LIMIT],
        "due_count": len(rows),
        "overdue_count": sum(1 for r in rows if r.status.overdue),
        "up_to_date": up_to_date,
    }


@registry.home_panel("visits/partials/_home_supervisor.html", width=12, at_least=Role.SUPERVISOR)
def supervisor_home_panel(request):
    user = request.user
    today = timezone.localdate()
    waiting = selectors.daily_reports_awaiting_review(user=user)
    flagged = DailyReportEntry.objects.filter(report__in=waiting).flagged().count()
    total = selectors.home_compliance_total(user=user, day=today)
    return {
        "waiting_count": waiting.count(),
        "flagged_count": flagged,
        "total": total,
        "month": today,
    }


def review_badge(request):
    user = request.user
    if not user.is_at_least(Role.SUPERVISOR):
        return None
    return {
        "url": reverse("visits:review"),
        "label": _("Reports awaiting review"),
        "icon": "clipboard-check",
        # Counted with the other badges in one query (context_processors.navigation).
        "count": selectors.awaiting_review_read(user),
        "tone": "warning",
    }


_USER = ("username", "full_name", "first_name", "last_name")
# What the card reads of a contact and of a report entry (the entry's other
# long texts stay in the report), with the name of who made it.
CARD_VISIT_FIELDS = ("id", "customer_id", "user_id", "kind", "occurred_at", "source", "note")
CARD_ENTRY_FIELDS = (
    "id",
    "report_id",
    "customer_id",
    "kind",
    "occurred_at",
    "opinions",
    "effect",
    "needs_escalation",
)


def _name(row: dict, prefix: str) -> str:
    return display_name(
        *(row[f"{prefix}__{name}"] for name in ("full_name", "first_name", "last_name", "username"))
    )


def _card_rows(visit_rows, entry_rows, *, user, survey_url: str) -> tuple[list, list]:
    """The card's visits and entries, from their rows, with what the card shows
    of each worked out once here rather than by template filters per row: local
    time, kind, person, the visit's "service survey" link and the entry's link
    (only its author and supervisors open the report)."""
    kinds = {value: str(label) for value, label in Kind.choices}
    may_open_all = user.is_at_least(Role.SUPERVISOR)
    report_url = pk_url("visits:report_detail")
    visits, entries = [], []
    for row in visit_rows:
        visit = batch.instance(Visit, row)
        visit.when = timezone.localtime(visit.occurred_at).strftime(CARD_TIME)
        visit.kind_label = kinds.get(visit.kind, visit.kind)
        visit.person = _name(row, "user")
        visit.survey_url = f"{survey_url}?visit={visit.pk}" if survey_url else ""
        visits.append(visit)
    for row in entry_rows:
        entry = batch.instance(DailyReportEntry, row)
        entry.when = timezone.localtime(entry.occurred_at).strftime(CARD_TIME)
        entry.kind_label = kinds.get(entry.kind, entry.kind)
        entry.person = _name(row, "report__user")
        opens = may_open_all or row["report__user_id"] == user.pk
        entry.url = f"{report_url(entry.report_id)}#entry-{entry.pk}" if opens else ""
        # The template's truncatechars:140, once here.
        entry.opinions_short = markup.truncated(entry.opinions, 140) if entry.opinions else ""
        entry.effect_short = markup.truncated(entry.effect, 140) if entry.effect else ""
        entries.append(entry)
    return visits, entries


# The card's lists are long and alike row after row: their rows are written
# here, once per row, rather than by the template's loop (the same HTML).
_ROW_GAP = "\n          "


def _visit_rows_html(visits, *, can_log: bool) -> SafeString:
    """The <li> of each contact in the card's "Recent contacts" list."""
    logged_directly = markup.text(_("logged directly"))
    survey_label = markup.text(_("Service survey"))
    parts = []
    for visit in visits:
        line = (
            f'<li class="py-1 border-bottom"><span class="text-body-secondary">'
            f"{markup.text(visit.when)}</span> · {markup.text(visit.kind_label)} · {markup.text(visit.person)}"
        )
        if visit.source == "direct":
            line += f' <span class="badge text-bg-light border">{logged_directly}</span>'
        if visit.note:
            line += f" · {markup.text(visit.note)}"
        if can_log:
            line += f' · <a class="d-print-none" href="{markup.text(visit.survey_url)}">{survey_label}</a>'
        parts.append(f"{_ROW_GAP}{line}</li>{_ROW_GAP}")
    return markup.rows(parts)


def _entry_rows_html(entries) -> SafeString:
    """The <li> of each entry in the card's "Daily report entries" list."""
    opinions_label = markup.text(_("Opinions"))
    effect_label = markup.text(_("Effect"))
    escalation = markup.text(_("Needs escalation"))
    parts = []
    for entry in entries:
        when = markup.text(entry.when)
        head = f'<a href="{markup.text(entry.url)}">{when}</a>' if entry.url else when
        head += f" · {markup.text(entry.kind_label)} · {markup.text(entry.person)}"
        if entry.needs_escalation:
            head += (
                ' <span class="badge text-bg-danger"><i class="bi bi-flag-fill"'
                f' aria-hidden="true"></i> {escalation}</span>'
            )
        line = f'<li class="py-2 border-bottom">\n            <div>{head}</div>\n            '
        if entry.opinions:
            line += (
                '<div class="text-break"><span class="text-body-secondary">'
                f"{opinions_label}:</span> {markup.text(entry.opinions_short)}</div>"
            )
        line += "\n            "
        if entry.effect:
            line += (
                '<div class="text-break"><span class="text-body-secondary">'
                f"{effect_label}:</span> {markup.text(entry.effect_short)}</div>"
            )
        parts.append(f"{_ROW_GAP}{line}\n          </li>{_ROW_GAP}")
    return markup.rows(parts)


@batch.prepared
def _card_visits(customer_id):
    """The latest contacts, with who made them (SQL compiled once per process:
    crm_site.core.batch)."""
    return (
        Visit.objects.filter(customer_id=customer_id)
        .values(*CARD_VISIT_FIELDS, *(f"user__{name}" for name in _USER))
        .order_by("-occurred_at", "-pk")[:CARD_LIMIT]
    )


@batch.prepared
def _card_contact_counts(customer_id, since, month_start, month_end, week_start, week_end):
    """The month's visits and the week's calls that count for the cadence, as
    one row, read from the customer's contacts since `since` (the earlier of
    the two starts) only."""
    return (
        Visit.objects.filter(customer_id=customer_id, occurred_at__gte=since)
        .order_by()
        .values("customer_id")
        .annotate(**contact_counts_for((month_start, month_end), (week_start, week_end)))
    )


@batch.prepared
def _card_entries(customer_id):
    return (
        DailyReportEntry.objects.filter(customer_id=customer_id)
        .values(
            *CARD_ENTRY_FIELDS,
            "report__user_id",
            *(f"report__user__{name}" for name in _USER),
        )
        .order_by("-occurred_at", "-pk")[:CARD_LIMIT]
    )


_calendar_days = batch.prepared(work_calendar_days)


def customer_card_reads(request, customer) -> batch.Pending:
    """The customer's visits and report entries, newest first, and its cadence
    status. The card's customer carries the rule in force (`current_rule`);
    the cadence counts only the month's and week's contacts, read beside them."""
    today = timezone.localdate()
    rule = getattr(customer, "current_rule", None) or GradingRule.objects.current()
    cadence = rule.cadence().get(customer.grade)
    month, week = span(*month_bounds(today)), span(*iso_week_bounds(today))
    queries = {
        "visits": _card_visits(customer.pk),
        "entries": _card_entries(customer.pk),
    }
    if cadence is not None:
        since = min(month[0], week[0])
        queries["counts"] = _card_contact_counts(customer.pk, since, *month, *week)
        queries["calendar"] = _calendar_days(*calendar_bounds(today))
    can_log = request.user.is_at_least(Role.STAFF)
    # One address for every visit's "service survey" link (with ?visit=).
    survey_url = reverse("customers:survey_create", args=[customer.pk]) if can_log else ""

    def build(rows: dict) -> dict:
        status = None
        if cadence is not None:
            counts = rows["counts"][0] if rows["counts"] else None
            status = cadence_status(
                cadence,
                today,
                visits_done=counts["visits_this_month"] if counts else 0,
                calls_done=counts["calls_this_week"] if counts else 0,
                calendar=work_calendar_from(rows["calendar"]),
            )
        visits, entries = _card_rows(
            rows["visits"], rows["entries"], user=request.user, survey_url=survey_url
        )
        return {
            "template": "visits/partials/_customer_card_visits.html",
            "customer": customer,
            "visits": visits,
            "entries": entries,
            "visit_rows": _visit_rows_html(visits, can_log=can_log),
            "entry_rows": _entry_rows_html(entries),
            "cadence": cadence,
            "status": status,
            "can_log": can_log,
            "survey_url": survey_url,
            "can_open_reports": request.user.is_at_least(Role.SUPERVISOR),
        }

    return batch.Pending(queries, build)


customer_card_section = registry.batched_card_section(customer_card_reads)
