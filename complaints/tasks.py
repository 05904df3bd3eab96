from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def complaint_deadlines_sweep() -> dict:
    """Reminders 24 hours before the deadline, escalation at it; each once."""
    return services.complaint_deadlines_sweep()
