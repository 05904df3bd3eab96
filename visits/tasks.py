"""Celery entry points for visits (beat schedule in crm_site/settings.py)."""

from datetime import date

from django.utils import timezone

from crm_site.core.jobs import db_task

from . import reminders
from .plans import tasks as plan_tasks  # noqa: F401
from .urgent import routing as urgent_routing
from .urgent import tasks as urgent_tasks  # noqa: F401  (autodiscovery finds visits.tasks only)


def _day(day_iso: str | None) -> date:
    return date.fromisoformat(day_iso) if day_iso else timezone.localdate()


@db_task(max_retries=5)
def remind_missing_daily_reports(day_iso: str | None = None) -> int:
    sent = reminders.remind_missing_reports(day=_day(day_iso))
    if day_iso is None:
        # The beat's run also makes up the last working day, had its fires been missed.
        sent += reminders.remind_missing_reports_catch_up(day=_day(None))
    return sent


@db_task(max_retries=5)
def remind_overdue_contacts(day_iso: str | None = None) -> int:
    return reminders.remind_overdue_contacts(day=_day(day_iso))


# On the default queue (not "urgent"): the alarm must fire even when the
# urgent queue's worker is what holds routing up.
@db_task(max_retries=3)
def urgent_reports_routing_alarm() -> int:
    return urgent_routing.urgent_reports_routing_alarm()
