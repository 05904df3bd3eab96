"""Celery entry points of planned contacts (beat schedule in crm_site/settings.py)."""

from crm_site.core.jobs import db_task

from . import services


@db_task(max_retries=3)
def planned_contacts_generate() -> int:
    """The nightly planning run: mark yesterday's leftovers missed, plan ahead."""
    return services.planned_contacts_generate().created
