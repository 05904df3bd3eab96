"""Reads for urgent reports: the queue (its order, counts and filter choices), one
report, the figures the monthly summary uses, and the form pre-filled from a
daily-report entry. The queue's filters are visits/urgent/filters.py."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role, ServiceUnit
from crm_site.accounts.scope import active_role, units_for
from crm_site.core import batch
from visits.models import DailyReport, DailyReportEntry, UrgentReport
from visits.queries import span
from visits.urgent import rules as urgent_rules

Status = UrgentReport.Status


def queue_order(queryset):
    """Awaiting acknowledgement first, then in hand, then resolved; within
    each, the earliest deadline to acknowledge first."""
    stage = Case(
        When(status__in=UrgentReport.UNACKNOWLEDGED, then=Value(0)),
        When(status=Status.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(stage=stage).order_by("stage", "ack_deadline", "pk")


def urgent_queue(*, user, filters=None):
    """The reports the user may see, under `filters` (a visits.urgent.filters.UrgentFilter;
    the open ones without it), in queue order, with what a row shows."""
    reports = UrgentReport.objects.visible_to(user)
    reports = filters.apply(reports) if filters is not None else reports.open()
    return queue_order(reports).select_related("unit", "assignee", "raised_by", "customer")


def urgent_queue_counts(*, user, now: datetime | None = None) -> dict:
    """The queue's open and overdue counts over everything the user may see."""
    return counts_for(UrgentReport.objects.visible_to(user), now)


def urgent_filter_units(*, user):
    """The units the queue can be filtered by: an admin's active units; the
    user's own units, and for a manager also those of reports routed to them
    from other units (fallback)."""
    units = units_for(user, "view")
    if active_role(user) == Role.ADMIN:
        return units
    visible = UrgentReport.objects.visible_to(user)
    return ServiceUnit.objects.filter(
        Q(pk__in=units.values("pk")) | Q(pk__in=visible.values("unit_id"))
    ).distinct()


def routing_late(report: UrgentReport, now: datetime) -> bool:
    """Still waiting to be routed URGENT_ROUTING_ALARM_SECONDS after it was raised."""
    return urgent_rules.routing_overdue(
        status=report.status,
        raised_at=report.created_at,
        now=now,
        limit=timedelta(seconds=settings.URGENT_ROUTING_ALARM_SECONDS),
    )


def urgent_detail(*, user, pk: int) -> UrgentReport:
    """The report if the user may see it, else 404 (its existence is not revealed)."""
    reports = UrgentReport.objects.visible_to(user).select_related(
        "unit", "raised_by", "assignee", "customer", "source_entry__report__user"
    )
    return get_object_or_404(reports, pk=pk)


def urgent_source_entry(*, user, pk: int) -> DailyReportEntry:
    """A daily-report entry an urgent report is raised from, if the user may see it, else 404."""
    entries = DailyReportEntry.objects.visible_to(user).select_related(
        "customer", "report__user", "report__unit"
    )
    return get_object_or_404(entries, pk=pk)


def urgent_entry_url(*, user, report: UrgentReport) -> str | None:
    """The link to the report's source entry, when the user may open its daily report."""
    entry = report.source_entry
    if entry is not None and DailyReport.objects.visible_to(user).filter(pk=entry.report_id):
        return entry.get_absolute_url()
    return None


def urgent_events(*, report: UrgentReport):
    return report.events.select_related("actor")


def urgent_figures(*, unit_id: int, start: date, end: date) -> dict:
    """Urgent reports of a unit for the days start..end (both included, local
    dates, Asia/Shanghai), in one query:

    - raised: created_at within the days;
    - resolved: resolved_at within the days (whenever raised);
    - open_at_end: raised before the end of `end` and not resolved by then
      (for the month in progress: still open now);
    - escalated: escalated_at within the days;
    - by_category: raised, per category code.
    """
    first, after = span(start, end)
    in_days = Q(created_at__gte=first, created_at__lt=after)
    rows = UrgentReport.objects.filter(unit_id=unit_id, created_at__lt=after)
    figures = rows.aggregate(
        raised=Count("pk", filter=in_days),
        resolved=Count("pk", filter=Q(resolved_at__gte=first, resolved_at__lt=after)),
        open_at_end=Count("pk", filter=Q(resolved_at__isnull=True) | Q(resolved_at__gte=after)),
        escalated=Count("pk", filter=Q(escalated_at__gte=first, escalated_at__lt=after)),
    )
    by_category = dict(
        rows.filter(in_days)
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    figures["by_category"] = {
        code: by_category.get(code, 0) for code in UrgentReport.Category.values
    }
    return figures


def with_sla(reports, now):
    """Attach each report's SLA badge (urgent_rules.sla) as `report.sla`."""
    for report in reports:
        report.sla = urgent_rules.sla(
            status=report.status,
            ack_deadline=report.ack_deadline,
            acknowledged_at=report.acknowledged_at,
            escalated_at=report.escalated_at,
            now=now,
        )
    return reports


def counts_for(queryset, now: datetime | None = None) -> dict:
    """Open and overdue (not acknowledged by the deadline) counts, one query."""
    overdue = overdue_filter(now or timezone.now())
    return queryset.open().aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue))


def overdue_filter(now: datetime) -> Q:
    """Not acknowledged by the deadline."""
    return Q(status__in=UrgentReport.UNACKNOWLEDGED, ack_deadline__lte=now)


def _open_ids(user) -> QuerySet:
    return UrgentReport.objects.visible_to(user).open().order_by().values("pk")


@batch.prepared_for_user
def open_read(user):
    """The open urgent reports the user may see (what the top bar counts),
    compiled once per scope (crm_site.core.batch)."""
    return _open_ids(user)


@batch.prepared_for_user
def overdue_read(user, now):
    """Those of open_read not acknowledged by their deadline at `now`."""
    return _open_ids(user).filter(overdue_filter(now))


def prefill_from_entry(entry: DailyReportEntry) -> dict:
    """Initial values of the raising form from a flagged daily-report entry:
    its customer and unit, a title from the flag reason, and details made of
    the entry's fields (in the current language)."""
    reason = entry.escalation_reason.strip()
    first_line = reason.splitlines()[0] if reason else entry.customer.name
    title = _("%(customer)s: %(matter)s") % {"customer": entry.customer.name, "matter": first_line}
    when = timezone.localtime(entry.occurred_at)
    parts = [
        _("%(kind)s by %(person)s on %(when)s")
        % {
            "kind": entry.get_kind_display(),
            "person": entry.report.user.get_full_name(),
            "when": when.strftime("%Y-%m-%d %H:%M"),
        }
    ]
    if reason:
        parts.append(
            _("%(label)s: %(text)s") % {"label": _("Reason for escalation"), "text": reason}
        )
    labelled = [
        (_("Customer opinions, suggestions and wishes"), entry.opinions),
        (_("Market conditions, competitor moves, other companies' sales policies"), entry.market),
        (_("Effect of the visit"), entry.effect),
        (_("Handling of the main matters and the result"), entry.handling),
        (_("Other matters to report"), entry.other),
    ]
    parts += [
        _("%(label)s: %(text)s") % {"label": label, "text": text.strip()}
        for label, text in labelled
        if text.strip()
    ]
    return {
        "unit": entry.report.unit_id,
        "customer": entry.customer,
        "source_entry": entry.pk,
        "waybills": "\n".join(w.number for w in entry.waybills.all()),
        "title": title[:200],
        "details": "\n".join(parts),
    }
