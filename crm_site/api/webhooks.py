"""Signed webhooks: what happened, POSTed to the endpoints admins registered.

- The events are the apps' own history rows (a complaint logged, escalated or
  resolved; an urgent report routed or escalated; a summary submitted or
  reviewed): a receiver here, on their save, writes one WebhookDelivery per
  endpoint in the same transaction, so an event and its deliveries commit
  together and nothing is lost when the broker is down or a worker dies.
- A worker claims a delivery by a conditional UPDATE, POSTs it and records the
  attempt; a failure is retried with exponential backoff (capped at
  MAX_DELAY) for RETRY_HOURS, by the sweeper, which also takes back a claim a
  dead worker left.
- Signature: header `X-CRM-Signature: t=<unix time>,v1=<hex>` where hex is
  HMAC-SHA256 with the endpoint's secret over `<t>.<body>`.
- Only http(s), never this site's own host, nor an address that is loopback,
  link-local (cloud metadata), multicast, reserved or unspecified, checked on
  every resolution at delivery time (CRM_WEBHOOK_ALLOWED_ADDRESSES lifts it for
  named addresses: a test's local receiver).
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

SIGNATURE_HEADER = "X-CRM-Signature"
FIRST_DELAY = 60  # seconds before the first retry; doubled each time
MAX_DELAY = 6 * 3600
METADATA_ADDRESSES = {ipaddress.ip_address("fd00:ec2::254")}


# --- URL rule ------------------------------------------------------------------------


def _own_hosts() -> set[str]:
    hosts = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*",)}
    base = urlsplit(settings.CRM_BASE_URL).hostname
    if base:
        hosts.add(base.lower())
    return hosts


def _forbidden_address(address: str) -> bool:
    if address in settings.CRM_WEBHOOK_ALLOWED_ADDRESSES:
        return False
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip in METADATA_ADDRESSES
    )


def check_url(url: str, *, resolve: bool = True) -> None:
    """ValidationError unless `url` is one we may deliver to."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("A webhook URL must start with http:// or https://."))
    host = parts.hostname.lower()
    if host in _own_hosts() and host not in settings.CRM_WEBHOOK_ALLOWED_ADDRESSES:
        raise ValidationError(_("A webhook cannot point at this site itself."))
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(_("The webhook's host name does not resolve.")) from exc
    if any(_forbidden_address(str(info[4][0])) for info in infos):
        raise ValidationError(
            _("A webhook cannot point at a loopback, link-local or metadata address.")
        )


# --- signing ---------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# --- events -> deliveries ----------------------------------------------------------------


def _complaint_data(complaint) -> dict:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "status": complaint.status,
        "severity": complaint.severity,
        "customer": complaint.customer_id,
        "unit": complaint.unit_id,
        "deadline": complaint.deadline.isoformat() if complaint.deadline else None,
    }


def _urgent_data(report) -> dict:
    return {
        "id": report.pk,
        "status": report.status,
        "category": report.category,
        "unit": report.unit_id,
        "assignee": report.assignee_id,
    }


def _summary_data(summary) -> dict:
    return {
        "id": summary.pk,
        "unit": summary.unit_id,
        "month": summary.month.strftime("%Y-%m"),
        "status": summary.status,
    }


# (model label, event kind) -> (webhook event, parent attribute, payload builder)
EVENT_MAP = {
    ("complaints.ComplaintEvent", "logged"): (
        WebhookEvent.COMPLAINT_CREATED,
        "complaint",
        _complaint_data,
    ),
    ("complaints.ComplaintEvent", "escalated"): (
        WebhookEvent.COMPLAINT_OVERDUE,
        "complaint",
        _complaint_data,
    ),
    ("complaints.ComplaintEvent", "resolved"): (
        WebhookEvent.COMPLAINT_RESOLVED,
        "complaint",
        _complaint_data,
    ),
    ("visits.UrgentReportEvent", "routed"): (
        WebhookEvent.URGENT_ROUTED,
        "report",
        _urgent_data,
    ),
    ("visits.UrgentReportEvent", "escalated"): (
        WebhookEvent.URGENT_ESCALATED,
        "report",
        _urgent_data,
    ),
    ("reports.SummaryEvent", "submitted"): (
        WebhookEvent.SUMMARY_SUBMITTED,
        "summary",
        _summary_data,
    ),
    ("reports.SummaryEvent", "reviewed"): (
        WebhookEvent.SUMMARY_REVIEWED,
        "summary",
        _summary_data,
    ),
}


def emit(event: str, data: dict) -> int:
    """Queue `event` for every active endpoint that wants it (inside the caller's
    transaction); returns how many deliveries were made."""
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(is_active=True) if event in (e.events or [])
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
        delivery.payload = {
            "id": str(delivery.id),
            "event": event,
            "occurred_at": now.isoformat(),
            "data": data,
        }
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        send_soon(delivery.pk)
    return len(deliveries)


def _on_event_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if not created or raw:
        return
    entry = EVENT_MAP.get((sender._meta.label, getattr(instance, "kind", "")))
    if entry is None:
        return
    event, parent, build = entry
    emit(event, build(getattr(instance, parent)))


def connect() -> None:
    from django.apps import apps

    for label in {label for label, _kind in EVENT_MAP}:
        post_save.connect(
            _on_event_saved,
            sender=apps.get_model(label),
            dispatch_uid=f"crm-webhooks-{label}",
        )


def send_soon(delivery_id) -> None:
    from crm_site.core.jobs import send_on_commit

    from . import tasks

    send_on_commit(tasks.webhook_deliver, str(delivery_id))


# --- delivery ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere (this host, a metadata address): refused."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1, 2, 4 ... minutes, at most MAX_DELAY."""
    return timedelta(seconds=min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY))


def _claim(delivery_id, now) -> bool:
    return bool(
        WebhookDelivery.objects.due(now)
        .filter(pk=delivery_id)
        .update(state=WebhookDelivery.State.SENDING, claimed_at=now)
    )


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    try:
        check_url(endpoint.url)
    except ValidationError as exc:
        return None, " ".join(exc.messages)[:300]
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CRM-Webhooks/1",
            "X-CRM-Event": delivery.event,
            "X-CRM-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.CRM_WEBHOOK_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def deliver(delivery_id, *, now=None) -> bool:
    """Try one delivery now if it is due and nobody else holds it; True when
    the receiver took it (2xx)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    started = time.monotonic()
    status, error = _post(delivery.endpoint, delivery)
    elapsed = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    attempts = delivery.attempts + 1
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, status=status, error=error, duration_ms=elapsed
        )
        fields: dict[str, object] = {
            "attempts": attempts,
            "last_status": status,
            "last_error": error,
            "claimed_at": None,
        }
        if ok:
            fields |= {"state": WebhookDelivery.State.DELIVERED, "delivered_at": timezone.now()}
        elif now - delivery.created_at >= timedelta(hours=WebhookDelivery.RETRY_HOURS):
            fields |= {"state": WebhookDelivery.State.FAILED}
        else:
            fields |= {
                "state": WebhookDelivery.State.PENDING,
                "next_attempt_at": now + retry_delay(attempts),
            }
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return ok


def deliveries_sweep(*, now=None, limit: int = 500) -> int:
    """Send every delivery that is due (new ones the broker lost, retries whose
    time came, claims of dead workers); returns how many were sent to workers."""
    from crm_site.core.jobs import send_now

    from . import tasks

    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.due(now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        send_now(tasks.webhook_deliver, str(pk))
    return len(ids)
