"""Background work on urgent reports: routing to a manager, and escalation.

Both run in Celery (visits/tasks.py), never in the request, and both are
idempotent by a claim:

- Routing claims the report with a conditional UPDATE (status pending →
  routed, with the assignee) and writes the event and the notification in the
  same transaction. A second run, a retry or a redelivered message finds the
  report no longer pending and does nothing; a worker killed before the commit
  leaves it pending (nothing half done), and the redelivered message or the
  sweeper routes it. Either the assignment and its notification both exist, or
  neither does.
- Escalation claims `escalated_at` the same way, so it happens once.
- A report still pending routing past URGENT_ROUTING_ALARM_SECONDS alerts the
  unit's managers once (a claim on `routing_alarmed_at`); any of them may then
  take it over (services.urgent_report_take_over).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, Role, User
from crm_site.accounts.selectors import unit_people
from crm_site.core.deadlines import Escalation
from crm_site.core.services import notify_each
from crm_site.core.workflow import TransitionRefused, transition
from visits.models import UrgentReport, UrgentReportEvent
from visits.urgent import rules as urgent_rules

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500

# The urgent report workflow (visits.urgent.rules.WORKFLOW) on its tables;
# the services of visits/urgent/services.py apply it too.
WORKFLOW = urgent_rules.WORKFLOW.bind(
    model=UrgentReport, events=UrgentReportEvent, subject="report"
)

# Not acknowledged by the deadline to acknowledge: escalated once.
ESCALATION = Escalation(due_field="ack_deadline", stamp_field="escalated_at")


# Still pending routing URGENT_ROUTING_ALARM_SECONDS after it was raised: the
# unit's managers are alerted once. Its deadline is the raising time, compared
# with now less that limit (routing_alarm_limit()).
ROUTING_ALARM = Escalation(due_field="created_at", stamp_field="routing_alarmed_at")


def _unacknowledged():
    return UrgentReport.objects.unacknowledged()


def _pending():
    return UrgentReport.objects.filter(status=UrgentReport.Status.PENDING)


def _with_open_counts(users):
    open_ = Q(urgent_reports_assigned__status__in=UrgentReport.OPEN_STATUSES)
    return users.annotate(open_count=Count("urgent_reports_assigned", filter=open_))


def unit_managers(unit_id: int):
    """Active users who manage the unit (Membership kind manager)."""
    return unit_people(unit_id, Membership.Kind.MANAGER)


def all_managers():
    """Active users with the manager role: the fallback when a unit has none."""
    return User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct()


def least_loaded_manager(users) -> User | None:
    """The user among `users` with the fewest open urgent reports (ties: lowest id)."""
    pairs = _with_open_counts(users).values_list("pk", "open_count")
    chosen = urgent_rules.least_loaded(pairs)
    return User.objects.get(pk=chosen) if chosen else None


def choose_assignee(unit_id: int) -> tuple[User | None, bool]:
    """(manager, fell_back): the unit's least-loaded manager, or any manager's."""
    manager = least_loaded_manager(unit_managers(unit_id))
    if manager is not None:
        return manager, False
    return least_loaded_manager(all_managers()), True


def _deadline_text(report: UrgentReport) -> str:
    if report.ack_deadline is None:
        return "-"
    return date_format(timezone.localtime(report.ack_deadline), "Y-m-d H:i")


def urgent_report_route(*, report_id: int, now: datetime | None = None) -> bool:
    """Assign a pending report to a manager and notify them. True if this call did it."""
    report = _pending().filter(pk=report_id).first()
    if report is None:
        return False
    assignee, fell_back = choose_assignee(report.unit_id)
    if assignee is None:
        logger.warning("urgent report %s: no active manager to route it to", report_id)
        return False
    now = now or timezone.now()
    with transaction.atomic():
        try:
            transition(
                report,
                "route",
                actor=None,
                workflow=WORKFLOW,
                event={
                    "comment": assignee.get_full_name(),
                    "data": {"assignee": assignee.pk, "fallback": fell_back},
                    "at": now,
                },
                assignee=assignee,
                routed_at=now,
                updated_at=now,
            )
        except TransitionRefused:
            return False
        logger.info("urgent report %s claimed for manager %s", report_id, assignee.pk)
        notify_assigned(report, assignee, dedupe_key=f"urgent:{report.pk}:routed")
    logger.info("urgent report %s routed to manager %s", report_id, assignee.pk)
    return True


def notify_assigned(report: UrgentReport, assignee: User, *, dedupe_key: str) -> None:
    notify_each(
        [assignee],
        kind="urgent_assigned",
        text=lambda: (
            _("Urgent report for you: %(title)s") % {"title": report.title},
            _(
                "%(unit)s · %(category)s · raised by %(raiser)s. "
                "Please acknowledge it by %(deadline)s."
            )
            % {
                "unit": report.unit.name,
                "category": report.get_category_display(),
                "raiser": report.raised_by.get_full_name(),
                "deadline": _deadline_text(report),
            },
        ),
        url=report.get_absolute_url(),
        dedupe_key=dedupe_key,
        email=True,
    )


def urgent_reports_route_pending() -> int:
    """The sweeper: route every report still pending (broker down at submit,
    worker killed). Safe alongside the routing task: the claim decides."""
    ids = list(_pending().order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(urgent_report_route(report_id=pk) for pk in ids)


def escalation_recipients(report: UrgentReport) -> list[User]:
    """Every manager of the unit, the assignee, and the next fallback manager
    (the least-loaded manager outside that group), without repeats."""
    people = {user.pk: user for user in unit_managers(report.unit_id)}
    if report.assignee is not None and report.assignee.is_active:
        people.setdefault(report.assignee_id, report.assignee)
    fallback = least_loaded_manager(all_managers().exclude(pk__in=list(people)))
    if fallback is not None:
        people[fallback.pk] = fallback
    return sorted(people.values(), key=lambda user: user.pk)


def urgent_report_escalate(*, report_id: int, now: datetime | None = None) -> bool:
    """Escalate a report not acknowledged by its deadline. Once per report."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = ESCALATION.overdue(_unacknowledged(), now)
        if not ESCALATION.claim(overdue, report_id, now, updated_at=now):
            return False
        report = UrgentReport.objects.select_related("unit", "assignee", "raised_by").get(
            pk=report_id
        )
        recipients = escalation_recipients(report)
        notify_each(
            recipients,
            kind="urgent_escalated",
            text=lambda: (
                _("Urgent report not acknowledged in time: %(title)s") % {"title": report.title},
                _(
                    "%(unit)s · assigned to %(assignee)s · acknowledge by %(deadline)s. "
                    "Please make sure it is taken in hand."
                )
                % {
                    "unit": report.unit.name,
                    "assignee": report.assignee.get_full_name()
                    if report.assignee
                    else _("nobody yet"),
                    "deadline": _deadline_text(report),
                },
            ),
            url=report.get_absolute_url(),
            dedupe_key=f"urgent:{report.pk}:escalated",
            email=True,
        )
        UrgentReportEvent.objects.create(
            report=report,
            kind=UrgentReportEvent.Kind.ESCALATED,
            comment=", ".join(person.get_full_name() for person in recipients),
            data={"notified": [person.pk for person in recipients]},
            at=now,
        )
    return True


def urgent_reports_escalate(*, now: datetime | None = None) -> int:
    """The beat job: escalate every report past its deadline to acknowledge."""
    now = now or timezone.now()
    ids = ESCALATION.pending_ids(
        _unacknowledged(), now, order=("ack_deadline", "pk"), limit=SWEEP_BATCH
    )
    return sum(urgent_report_escalate(report_id=pk, now=now) for pk in ids)


def routing_alarm_limit() -> timedelta:
    return timedelta(seconds=settings.URGENT_ROUTING_ALARM_SECONDS)


def routing_alarm_recipients(report: UrgentReport) -> list[User]:
    """The unit's managers; when the unit has none, every manager (routing
    would fall back to one of them)."""
    people = list(unit_managers(report.unit_id)) or list(all_managers())
    return sorted(people, key=lambda user: user.pk)


def urgent_report_routing_alarm(*, report_id: int, now: datetime | None = None) -> bool:
    """Alert the unit's managers that a report is stuck in routing. Once per report."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = ROUTING_ALARM.overdue(_pending(), now - routing_alarm_limit())
        if not ROUTING_ALARM.claim(stuck, report_id, now):
            return False
        report = UrgentReport.objects.select_related("unit", "raised_by").get(pk=report_id)
        recipients = routing_alarm_recipients(report)
        notify_each(
            recipients,
            kind="urgent_routing_delayed",
            text=lambda: (
                _("Urgent report not routed yet: %(title)s") % {"title": report.title},
                _(
                    "%(unit)s · raised by %(raiser)s at %(raised)s and still waiting for a "
                    "manager. Open it and take it over if nobody has."
                )
                % {
                    "unit": report.unit.name,
                    "raiser": report.raised_by.get_full_name(),
                    "raised": date_format(timezone.localtime(report.created_at), "H:i"),
                },
            ),
            url=report.get_absolute_url(),
            dedupe_key=f"urgent:{report.pk}:routing_delayed",
            email=True,
        )
        UrgentReportEvent.objects.create(
            report=report,
            kind=UrgentReportEvent.Kind.ROUTING_DELAYED,
            comment=", ".join(person.get_full_name() for person in recipients),
            data={"notified": [person.pk for person in recipients]},
            at=now,
        )
    logger.warning("urgent report %s still pending routing: managers alerted", report_id)
    return True


def urgent_reports_routing_alarm(*, now: datetime | None = None) -> int:
    """The beat job: alert about every report stuck in routing not alerted yet."""
    now = now or timezone.now()
    ids = ROUTING_ALARM.pending_ids(
        _pending(), now - routing_alarm_limit(), order=("created_at", "pk"), limit=SWEEP_BATCH
    )
    return sum(urgent_report_routing_alarm(report_id=pk, now=now) for pk in ids)
