"""Large exports as background jobs (README "Performance").

An export view validates its filters and counts its rows first: up to
CRM_EXPORT_SYNC_LIMIT it answers with the file at once; above, it records an
ExportJob holding the validated filters (JSON-safe) and sends a task, so the
request never holds a web worker for minutes. The job calls the same writer
with the same filters and the same user, so scope and rows are exactly what
the page would have given; no request is built.

Each kind of export registers a function (crm_site.core.registry, in its app's
AppConfig.ready()):
`write(*, user, params, stream, progress=None, request=None) -> (rows, filename)`,
where `params` is what the view stored in ExportJob.params, `progress(rows_done)`
may be called as rows are written, and `request` (the view's, never a job's)
only adds the client's address to the audit log.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone

from . import registry
from .jobs import send_on_commit
from .models import ExportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
STALE_AFTER_SECONDS = 600


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def json_safe(value):
    """A filter form's cleaned value as ExportJob.params can hold it (a row by its pk)."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def query_dict(params: dict) -> QueryDict:
    """Raw page parameters ({name: [values]}) as a form's data."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def counted(iterable, progress, every: int = PROGRESS_EVERY):
    """Yield from `iterable`, calling progress(n) every `every` items."""
    n = 0
    for n, item in enumerate(iterable, start=1):
        yield item
        if n % every == 0:
            progress(n)


@transaction.atomic
def export_job_start(*, user, kind: str, params: dict, total: int) -> ExportJob:
    """Record a job for the exporter `kind` with its validated, JSON-safe `params`."""
    if kind not in registry.exporter_kinds():
        raise ValueError(f"unknown export kind {kind!r}")
    job = ExportJob.objects.create(user=user, kind=kind, params=params, total=total)
    from . import tasks

    send_on_commit(tasks.export_run, str(job.pk))
    return job


def export_job_run(*, job_id: str) -> bool:
    """Write the file of a pending job; False if another run has it or it is done."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.PENDING).update(
        state=ExportJob.State.RUNNING, started_at=now, progress_at=now, done=0
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    path = export_dir() / f"{job.pk}.xlsx"

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=rows, progress_at=timezone.now())

    try:
        writer = registry.exporter(job.kind)
        with open(path, "wb") as stream:
            rows, filename = writer(
                user=job.user, params=job.params, stream=stream, progress=progress
            )
    except Exception as exc:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        path.unlink(missing_ok=True)
        return False
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE,
        done=rows,
        total=rows,
        file=path.name,
        filename=filename,
        finished_at=timezone.now(),
    )
    _notify_done(job)
    return True


def _notify_done(job: ExportJob) -> None:
    from django.utils.translation import gettext as _

    from .services import in_language_of, notify

    with in_language_of(job.user):
        notify(
            recipient=job.user,
            kind="export.done",
            title=_("Your export is ready to download"),
            url=job.get_absolute_url(),
            dedupe_key=f"export:{job.pk}",
        )


def export_jobs_sweep() -> int:
    """Send pending jobs the broker never delivered; restart jobs whose worker died."""
    now = timezone.now()
    stale = now - timedelta(seconds=STALE_AFTER_SECONDS)
    ExportJob.objects.filter(state=ExportJob.State.RUNNING, progress_at__lt=stale).update(
        state=ExportJob.State.PENDING
    )
    from . import tasks
    from .jobs import send_now

    pending = ExportJob.objects.filter(
        state=ExportJob.State.PENDING, created_at__lt=now - timedelta(seconds=30)
    ).values_list("pk", flat=True)
    sent = 0
    for pk in pending:
        sent += send_now(tasks.export_run, str(pk))
    return sent


def export_files_purge(*, days: int = 7) -> int:
    """Delete export files (and their jobs) older than `days`."""
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
    count = 0
    for job in old:
        if job.file:
            (export_dir() / job.file).unlink(missing_ok=True)
        count += 1
    old.delete()
    return count
