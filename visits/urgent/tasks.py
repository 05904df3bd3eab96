"""Celery entry points of urgent reports (beat schedule in crm_site/settings.py)."""

from celery import shared_task
from django.db import OperationalError

from . import routing


# Each run is a claim, so a retry or a redelivered message does nothing twice.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def urgent_report_route(report_id: int) -> bool:
    return routing.urgent_report_route(report_id=report_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def urgent_reports_route_pending() -> int:
    return routing.urgent_reports_route_pending()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def urgent_reports_escalate() -> int:
    return routing.urgent_reports_escalate()
