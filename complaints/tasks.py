from crm_site.core.jobs import db_task

from . import services


@db_task(max_retries=5)
def complaint_deadlines_sweep() -> dict:
    """Reminders 24 hours before the deadline, escalation at it; each once."""
    return services.complaint_deadlines_sweep()
