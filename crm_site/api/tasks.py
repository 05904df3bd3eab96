"""Webhook deliveries (crm_site/api/webhooks.py): thin, idempotent by claim."""

from crm_site.core.jobs import db_task

from . import webhooks


@db_task(max_retries=8)
def webhook_deliver(delivery_id: str) -> bool:
    return webhooks.deliver(delivery_id)


@db_task(max_retries=3)
def webhook_deliveries_sweep() -> int:
    return webhooks.deliveries_sweep()
