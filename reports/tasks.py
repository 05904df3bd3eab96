"""Celery entry points for monthly summaries (beat schedule in crm_site/settings.py).

One task per unit and month (`rollup_unit_month`, for requests and the daily
reconcile) or per group of units (`rollup_units_month`, the monthly fan-out).
Every task is idempotent: a build upserts its units' month in one transaction,
so a redelivered or repeated task gives the same rows and figures.
"""

from datetime import date

from celery import group
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit
from crm_site.core import months
from crm_site.core.jobs import db_task

from . import services


def _day(day_iso: str | None) -> date:
    return date.fromisoformat(day_iso) if day_iso else timezone.localdate()


def _active_unit_ids() -> list[int]:
    return list(ServiceUnit.objects.filter(is_active=True).values_list("pk", flat=True))


@db_task(max_retries=8)
def rollup_unit_month(unit_id: int, month_iso: str, request_id: int | None = None) -> int | None:
    """Build one unit's month (for a recorded request: unless already done)."""
    if request_id is not None:
        result = services.rollup_request_run(request_id=request_id)
    else:
        result = services.summary_build(unit_id=unit_id, month=date.fromisoformat(month_iso))
    return result.summary.pk if result else None


@db_task(max_retries=8)
def rollup_units_month(unit_ids: list[int], month_iso: str) -> list[int]:
    """Build several units' month at once (set-based over all of them, one transaction)."""
    results = services.summaries_build(unit_ids=unit_ids, month=date.fromisoformat(month_iso))
    return [result.summary.pk for result in results]


# Units per build task of the monthly fan-out: the figures of a group of units
# cost a few set-based queries whatever the group's size, and several groups
# keep every worker process busy.
FANOUT_UNITS = 25


@db_task(max_retries=5)
def rollup_month(month_iso: str) -> int:
    """Fan out: the month's active units in groups of FANOUT_UNITS, one build task
    per group, sent as a Celery group."""
    unit_ids = _active_unit_ids()
    chunks = [unit_ids[i : i + FANOUT_UNITS] for i in range(0, len(unit_ids), FANOUT_UNITS)]
    group(rollup_units_month.s(chunk, month_iso) for chunk in chunks).apply_async()
    return len(unit_ids)


@db_task(max_retries=5)
def rollup_closed_month(today_iso: str | None = None) -> int:
    """Beat, 01:00 on the 1st: the month that has just closed, for every unit."""
    closed = months.shift(months.first_of(_day(today_iso)), -1)
    return rollup_month(closed.isoformat())


@db_task(max_retries=8)
def rollup_unit_reconcile(unit_id: int, today_iso: str | None = None) -> dict:
    return services.unit_reconcile(unit_id=unit_id, today=_day(today_iso))


@db_task(max_retries=5)
def rollup_reconcile(today_iso: str | None = None) -> int:
    """Beat, daily 02:00: per unit, missing closed months and the month in progress."""
    unit_ids = _active_unit_ids()
    day = _day(today_iso).isoformat()
    group(rollup_unit_reconcile.s(unit_id, day) for unit_id in unit_ids).apply_async()
    return len(unit_ids)


@db_task(max_retries=5)
def rollup_requests_sweep() -> int:
    """Every 5 minutes: requested builds still pending (broker was down, worker died)."""
    return services.rollup_requests_sweep()
