from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def worker_heartbeat(name: str = "worker") -> int:
    return services.heartbeat_record(name=name)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def export_run(job_id: str) -> bool:
    from .exports import export_job_run

    return export_job_run(job_id=job_id)


@shared_task
def export_jobs_sweep() -> int:
    from .exports import export_jobs_sweep as sweep

    return sweep()


@shared_task
def export_files_purge() -> int:
    from .exports import export_files_purge as purge

    return purge()
