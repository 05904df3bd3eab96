from celery import shared_task
from django.db import OperationalError

from . import services
from .jobs import db_task


@db_task(max_retries=5)
def worker_heartbeat(name: str = "worker") -> int:
    return services.heartbeat_record(name=name)


@db_task(max_retries=5)
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


# Notification e-mail (crm_site/core/mail_outbox.py): a claim makes every run
# safe to repeat; an unreachable mail server (OSError) is retried with a growing
# delay, and the sweeper sends whatever the retries did not.
@shared_task(
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_email_send(notification_id: int) -> bool:
    from .mail_outbox import notification_email_send as send

    return send(notification_id=notification_id)


@db_task(max_retries=3)
def notification_emails_sweep() -> int:
    from .mail_outbox import notification_emails_sweep as sweep

    return sweep()
