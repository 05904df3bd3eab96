"""Celery entry points for the customer book: thin, idempotent, ids only."""

from django.utils import timezone

from crm_site.core.jobs import db_task

from . import services


@db_task(max_retries=8)
def regrade_run_execute(run_id: int) -> bool:
    """Regrade every customer under the run's rule (claimed: a second delivery is a no-op)."""
    return services.regrade_run_execute(run_id=run_id)


@db_task(max_retries=5)
def regrade_runs_sweep() -> int:
    """Send regrade runs left pending (broker down at save time) or stalled (worker killed)."""
    return services.regrade_runs_sweep()


@db_task(max_retries=5)
def regrade_quarterly() -> bool:
    """The quarterly regrade under the current rule; once per quarter however often it fires."""
    return services.regrade_quarterly_start(today=timezone.localdate()) is not None


@db_task(max_retries=8)
def customer_import_check(import_id: str) -> bool:
    """Check every row of an uploaded file for the preview."""
    return services.customer_import_check(import_id=import_id)


@db_task(max_retries=8)
def customer_import_apply(import_id: str) -> bool:
    """Apply a previewed file, all rows or none (claimed: a second delivery is a no-op)."""
    return services.customer_import_apply(import_id=import_id)


@db_task(max_retries=5)
def customer_imports_sweep() -> int:
    """Send import checks and applications whose message was lost."""
    return services.customer_imports_sweep()


@db_task(max_retries=5)
def customer_imports_purge() -> int:
    """Delete uploaded import files that were never applied."""
    return services.customer_imports_purge()


@db_task(max_retries=5)
def care_reminders_send(day_iso: str | None = None) -> int:
    """Remind visiting persons of their contacts' care dates a week ahead (once each)."""
    from datetime import date

    from .services.care import care_reminders_send as send

    return send(today=date.fromisoformat(day_iso) if day_iso else timezone.localdate())


@db_task(max_retries=5)
def festival_reminders_send(day_iso: str | None = None) -> int:
    """Remind visiting persons of the major festivals' greetings a week ahead (once each)."""
    from datetime import date

    from .services.care import festival_reminders_send as send

    return send(today=date.fromisoformat(day_iso) if day_iso else timezone.localdate())


@db_task(max_retries=5)
def revenue_falls_warn() -> int:
    """Watch items for customers whose turnover fell two months running (once per month)."""
    from .revenue.warnings import revenue_falls_warn as warn

    return warn()
