"""Sending Celery tasks safely from request code.

Rules: the user's data is committed before anything reaches the
broker, and a broker outage never turns the user's request into an error. The
work a task stands for is recorded in the database (a state column or an
outbox row) by the caller, so a periodic sweeper can send what is still pending.
"""

import logging

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError, Retry
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from crm_site.celery import app

logger = logging.getLogger(__name__)

BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError, TimeoutError)
# What a worker would retry later (db_task's autoretry_for, and the retry itself).
RETRIED_ERRORS = (OperationalError, Retry, MaxRetriesExceededError)


def db_task(*, max_retries: int):
    """A Celery task that is retried, with a growing delay, while the database
    is unreachable; the task's own claim makes every retry safe."""
    return shared_task(
        autoretry_for=(OperationalError,), retry_backoff=True, max_retries=max_retries
    )


def send_now(task, *args, **kwargs) -> bool:
    """Send `task` now; return False (and log) instead of raising if the broker is down."""
    if app.conf.task_always_eager:
        # Without a broker the task, and its retries, run inside the request. A
        # failure a worker would retry later (a locked or lost database) must not
        # become the user's 500: the work is recorded, the sweeper runs it again.
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except RETRIED_ERRORS as exc:
            logger.warning("%s failed in the request, left for the sweeper: %r", task.name, exc)
            return False
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable, %s left for the sweeper: %s", task.name, exc)
        return False
    return True


def send_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))
