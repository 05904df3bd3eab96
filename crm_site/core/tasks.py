from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def worker_heartbeat(name: str = "worker") -> int:
    return services.heartbeat_record(name=name)
