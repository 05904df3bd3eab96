"""Exactly one celery beat: the scheduler holds a lock, and a second beat
refuses to start while another holds it (two beats would fire every job twice).

With REDIS_URL the lock is a Redis key with an expiry, renewed on every tick
(CELERY_BEAT_MAX_LOOP_INTERVAL apart, well inside the expiry), so a beat that dies
without releasing it frees it after LOCK_SECONDS and beats on several hosts
exclude each other. Without Redis (`make run`) it is an flock on a file in the
broker folder, which the kernel releases with the process.

Beat also records its own heartbeat on its ticks (crm_site.core.health), which
/readyz/ reads: a beat that stopped ticking shows as stale.
"""

import fcntl
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import IO, Any

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "crm:beat-lock"
# Expiry of the Redis lock: several ticks, so one slow tick never loses it.
LOCK_SECONDS = 90

# Renew the expiry if the key is ours, take it again if it expired (Redis was
# restarted); 0 if another beat holds it.
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
    return redis.call('EXPIRE', KEYS[1], ARGV[2])
elseif not holder then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _holder_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class RedisLock:
    def __init__(self, url: str):
        import redis

        self.errors = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.token = f"{_holder_name()} {uuid.uuid4().hex[:8]}"

    def acquire(self) -> bool:
        return bool(self.client.set(LOCK_KEY, self.token, nx=True, ex=LOCK_SECONDS))

    def holder(self) -> str:
        value = self.client.get(LOCK_KEY)
        if isinstance(value, bytes):
            return value.decode()
        return str(value or "?")

    def renew(self) -> bool:
        try:
            return bool(self.client.eval(_RENEW, 1, LOCK_KEY, self.token, LOCK_SECONDS))
        except self.errors as exc:
            # Redis away: nothing can be sent either; the lock is taken again
            # (or found taken) once it is back.
            logger.warning("beat lock: Redis unreachable: %s", exc)
            return True

    def renewed_seconds_ago(self) -> float | None:
        """Seconds since the holder last renewed the lock (on its tick), None when
        nobody holds it."""
        remaining_ms = self.client.pttl(LOCK_KEY)
        if remaining_ms is None or remaining_ms < 0:
            return None
        return max(0.0, LOCK_SECONDS - remaining_ms / 1000)

    def release(self) -> None:
        try:
            self.client.eval(_RELEASE, 1, LOCK_KEY, self.token)
        except self.errors as exc:
            logger.warning("beat lock: not released (it expires by itself): %s", exc)


class FileLock:
    def __init__(self, path: Path):
        self.path = path
        self.file: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+")  # noqa: SIM115 - held for the life of the beat
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.seek(0)
        file.truncate()
        file.write(_holder_name())
        file.flush()
        self.file = file
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def renew(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def lock_renewed_seconds_ago() -> float | None:
    """How long ago the running beat renewed its Redis lock: None without Redis,
    when Redis cannot be reached, or when no beat holds the lock."""
    if not settings.REDIS_URL:
        return None
    lock = RedisLock(settings.REDIS_URL)
    try:
        return lock.renewed_seconds_ago()
    except lock.errors:
        return None


def beat_lock() -> RedisLock | FileLock:
    if settings.REDIS_URL:
        return RedisLock(settings.REDIS_URL)
    return FileLock(Path(settings.CELERY_BROKER_DIR) / "beat.lock")


class LockedScheduler(PersistentScheduler):
    """celery beat's scheduler (the schedule file as usual) behind the lock."""

    def setup_schedule(self) -> None:
        self.lock = beat_lock()
        if not self.lock.acquire():
            raise SystemExit(
                f"celery beat: another beat is running ({self.lock.holder()}); "
                "exactly one may run, so this one does not start."
            )
        logger.info("beat lock taken (%s)", _holder_name())
        super().setup_schedule()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.lock.renew():
            raise SystemExit("celery beat: another beat took the lock; this one stops.")
        from .health import beat_heartbeat

        beat_heartbeat(time.monotonic())
        return super().tick(*args, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()
