"""Readiness of an instance (/readyz/): each part checked on its own.

database   reachable, and no migration left unapplied
broker     a connection to the Celery broker opens
beat       beat's heartbeat (the "beat" WorkerHeartbeat row, written on its
           ticks by crm_site.core.beat) is under BEAT_STALE_SECONDS old; while
           the database is unreachable that row cannot be read, and beat's lock
           in Redis (renewed on the same ticks) tells instead, so the outage is
           named once, as the database's
worker     at least one Celery worker answers a ping

In eager mode (development with CELERY_EAGER=1, and the tests) jobs run in the
request: there is no broker, worker or beat to wait for, and those parts say so.

A stale beat notifies the admins once per outage (the dedupe key is the last
heartbeat's time), not on every check.
"""

import logging
from dataclasses import asdict, dataclass

from django.db import DatabaseError, close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.selectors import active_admins
from crm_site.celery import app

from .beat import lock_renewed_seconds_ago
from .models import WorkerHeartbeat
from .services import heartbeat_record, notify_each

logger = logging.getLogger(__name__)

BEAT = "beat"
BEAT_STALE_SECONDS = 120
# Beat writes its heartbeat at most this often (it ticks more often).
BEAT_HEARTBEAT_SECONDS = 10
BROKER_TIMEOUT_SECONDS = 2
PING_TIMEOUT_SECONDS = 1.0


@dataclass
class Part:
    ok: bool
    detail: str


# Once the database was seen migrated, this process's code and schema agree
# until it is restarted (a deploy restarts it): the migration graph is not
# loaded on every check.
_migrated = False


def check_database() -> Part:
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _migrated:
            executor = MigrationExecutor(connection)
            unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if unapplied:
                return Part(False, f"{len(unapplied)} migrations not applied")
            _migrated = True
    except DatabaseError:
        logger.warning("readiness: database unreachable", exc_info=True)
        return Part(False, "unreachable")
    return Part(True, "reachable and migrated")


def check_broker() -> Part:
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # any transport's error: the part fails, never the check
        logger.warning("readiness: broker unreachable", exc_info=True)
        return Part(False, "unreachable")
    return Part(True, "reachable")


def check_worker() -> Part:
    try:
        replies = app.control.ping(timeout=PING_TIMEOUT_SECONDS, limit=1)
    except Exception:
        logger.warning("readiness: worker ping failed", exc_info=True)
        return Part(False, "ping failed")
    if not replies:
        return Part(False, "no worker answered a ping")
    return Part(True, "answering")


def check_beat(*, now=None) -> Part:
    now = now or timezone.now()
    try:
        seen_at = (
            WorkerHeartbeat.objects.filter(name=BEAT).values_list("seen_at", flat=True).first()
        )
    except DatabaseError:
        return _beat_by_its_lock()
    if seen_at is None:
        beat_stale_alert(seen_at=None)
        return Part(False, "no heartbeat yet")
    age = (now - seen_at).total_seconds()
    if age > BEAT_STALE_SECONDS:
        beat_stale_alert(seen_at=seen_at)
        return Part(False, f"last heartbeat {int(age)} seconds ago")
    return Part(True, f"last heartbeat {int(age)} seconds ago")


def _beat_by_its_lock() -> Part:
    renewed = lock_renewed_seconds_ago()
    if renewed is None:
        return Part(False, "unknown: database unreachable")
    # The lock expires LOCK_SECONDS after its last renewal, inside
    # BEAT_STALE_SECONDS: a lock still held is a beat that ticked recently.
    return Part(True, f"lock renewed {int(renewed)} seconds ago (heartbeat row unreadable)")


def readiness() -> tuple[bool, dict]:
    """(ready, the JSON body): every part with ok and a detail, and the failing parts."""
    parts = {"database": check_database()}
    if app.conf.task_always_eager:
        eager = Part(True, "eager mode: jobs run in the request")
        parts |= {"broker": eager, "beat": eager, "worker": eager}
    else:
        parts |= {"broker": check_broker(), "beat": check_beat(), "worker": check_worker()}
    failing = [name for name, part in parts.items() if not part.ok]
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {name: asdict(part) for name, part in parts.items()},
    }
    return not failing, body


def beat_stale_alert(*, seen_at) -> int:
    """Tell every admin that beat stopped, once per outage; returns how many were told."""
    key = f"beat-stale:{seen_at.isoformat() if seen_at else 'never'}"
    told = 0
    try:
        sent = notify_each(
            active_admins(),
            kind="beat_stale",
            text=lambda: (
                _("Scheduled jobs are not running"),
                _(
                    "celery beat has not recorded a heartbeat for over two minutes: "
                    "reminders, escalations, sweeps and monthly summaries are not being "
                    "scheduled. Check the beat process (exactly one must run)."
                ),
            ),
            dedupe_key=key,
            email=True,
        )
        told = sum(1 for notification in sent if notification)
    except DatabaseError:
        logger.warning("readiness: could not notify the admins of a stale beat", exc_info=True)
    if told:
        logger.error("beat is stale (last heartbeat %s): %s admins notified", seen_at, told)
    return told


_last_beat_heartbeat = 0.0


def beat_heartbeat(monotonic_now: float) -> None:
    """Called by beat on its ticks: record that beat is alive (a database
    outage is logged, never stops beat)."""
    global _last_beat_heartbeat
    if monotonic_now - _last_beat_heartbeat < BEAT_HEARTBEAT_SECONDS:
        return
    try:
        close_old_connections()
        heartbeat_record(name=BEAT)
        _last_beat_heartbeat = monotonic_now
    except DatabaseError as exc:
        logger.warning("beat heartbeat not recorded: %s", exc)
