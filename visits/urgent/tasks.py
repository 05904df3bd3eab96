"""Celery entry points of urgent reports (beat schedule in crm_site/settings.py)."""

from crm_site.core.jobs import db_task

from . import routing


# Each run is a claim, so a retry or a redelivered message does nothing twice.
@db_task(max_retries=8)
def urgent_report_route(report_id: int) -> bool:
    return routing.urgent_report_route(report_id=report_id)


@db_task(max_retries=3)
def urgent_reports_route_pending() -> int:
    return routing.urgent_reports_route_pending()


@db_task(max_retries=3)
def urgent_reports_escalate() -> int:
    return routing.urgent_reports_escalate()
