"""Reads for urgent reports: the queue's order and filters, the figures the
monthly summary uses, and the form pre-filled from a daily-report entry."""

from datetime import date, datetime

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role
from visits.models import DailyReportEntry, UrgentReport
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


def filter_queue(queryset, *, user, data: dict):
    """Apply the queue's filters (cleaned data of UrgentFilterForm)."""
    status = data.get("status") or "open"
    if status == "open":
        queryset = queryset.open()
    elif status != "all":
        queryset = queryset.filter(status=status)
    if data.get("category"):
        queryset = queryset.filter(category=data["category"])
    if data.get("unit"):
        queryset = queryset.filter(unit=data["unit"])
    if data.get("mine"):
        # A manager's own queue is what is assigned to them; a supervisor's is
        # what they raised.
        if user.is_at_least(Role.MANAGER):
            queryset = queryset.filter(assignee=user)
        else:
            queryset = queryset.filter(raised_by=user)
    return queryset


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
        "title": title[:200],
        "details": "\n".join(parts),
    }
