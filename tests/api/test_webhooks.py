"""Signed webhooks against a local receiver: the signature verifies, a failing
receiver gets retries with growing delays, a delivery survives a worker killed
mid-delivery, and no URL may point at this site or a loopback/metadata address.

The receiver listens on 127.0.0.1, which the URL rule refuses; these tests (and
only they) allow it by CRM_WEBHOOK_ALLOWED_ADDRESSES.
"""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm_site.api import tasks, webhooks
from crm_site.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests import factories as f
from tests.support import services as support

SECRET = "s3cret-for-tests"


def verify(secret: str, header: str, body: bytes, tolerance: int | None = None) -> bool:
    """The receiver's check, as the README shows it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


class Receiver:
    """A local HTTP receiver: records each POST, answers `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.CRM_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    r = Receiver()
    yield r
    r.close()


def _endpoint(url, events=(WebhookEvent.COMPLAINT_CREATED,)):
    return WebhookEndpoint.objects.create(name="TMS", url=url, secret=SECRET, events=list(events))


@pytest.mark.django_db
def test_a_logged_complaint_is_posted_signed_to_the_receiver(
    receiver, staff_a, unit_a, django_capture_on_commit_callbacks
):
    _endpoint(receiver.url)
    customer = f.make_customer(unit_a, visiting_person=staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = f.make_complaint(customer, by=staff_a)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert verify(SECRET, request["headers"]["x-crm-signature"], request["body"])
    assert not verify("wrong", request["headers"]["x-crm-signature"], request["body"])
    payload = json.loads(request["body"])
    assert payload["event"] == "complaint.created"
    assert payload["data"]["number"] == complaint.number
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status, delivery.attempts) == ("delivered", 200, 1)


@pytest.mark.django_db
def test_an_event_no_endpoint_wants_makes_no_delivery(receiver, staff_a, unit_a):
    _endpoint(receiver.url, events=[WebhookEvent.SUMMARY_REVIEWED])
    f.make_complaint(f.make_customer(unit_a, visiting_person=staff_a), by=staff_a)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failing_receiver_gets_retries_with_growing_delays_then_gives_up(receiver):
    receiver.status = 503
    endpoint = _endpoint(receiver.url)
    webhooks.emit(WebhookEvent.COMPLAINT_CREATED, {"id": 1})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    now = delivery.created_at
    delays = []
    while True:
        delivery.refresh_from_db()
        if delivery.state != WebhookDelivery.State.PENDING:
            break
        now = max(now, delivery.next_attempt_at)
        webhooks.deliver(delivery.pk, now=now)
        delivery.refresh_from_db()
        if delivery.state == WebhookDelivery.State.PENDING:
            delays.append(delivery.next_attempt_at - now)
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays == sorted(delays)
    assert delivery.state == WebhookDelivery.State.FAILED
    assert now - delivery.created_at >= timedelta(hours=24)
    assert delivery.attempts == len(receiver.requests) == delivery.attempt_log.count()
    assert delivery.last_status == 503


@pytest.mark.django_db
def test_a_retry_that_succeeds_is_delivered_and_not_sent_again(receiver):
    receiver.status = 500
    endpoint = _endpoint(receiver.url)
    webhooks.emit(WebhookEvent.COMPLAINT_CREATED, {"id": 1})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.deliver(delivery.pk)
    receiver.status = 200
    delivery.refresh_from_db()
    assert not webhooks.deliver(delivery.pk)  # not due yet
    assert webhooks.deliver(delivery.pk, now=delivery.next_attempt_at)
    assert not webhooks.deliver(delivery.pk, now=delivery.next_attempt_at + timedelta(hours=1))
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_a_replay_sends_the_event_again_as_a_new_delivery(receiver, admin_user):
    from crm_site.api import services

    endpoint = _endpoint(receiver.url)
    webhooks.emit(WebhookEvent.COMPLAINT_CREATED, {"id": 7})
    first = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.deliver(first.pk)
    copy = services.webhook_replay(actor=admin_user, delivery=first)
    webhooks.deliver(copy.pk)
    assert [json.loads(r["body"])["data"] for r in receiver.requests] == [{"id": 7}, {"id": 7}]
    assert copy.replay_of == first


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://[fe80::1]/hook",
    ],
)
def test_webhook_urls_never_point_at_this_site_or_a_loopback_or_metadata_address(url, settings):
    settings.CRM_WEBHOOK_ALLOWED_ADDRESSES = []
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_a_public_address_is_accepted(settings):
    settings.CRM_WEBHOOK_ALLOWED_ADDRESSES = []
    webhooks.check_url("https://203.0.113.10/hook")


@pytest.mark.django_db
def test_the_admin_form_refuses_a_loopback_endpoint(settings):
    from crm_site.api.admin import WebhookEndpointForm

    settings.CRM_WEBHOOK_ALLOWED_ADDRESSES = []
    form = WebhookEndpointForm(
        {"name": "x", "url": "http://127.0.0.1/", "secret": "s", "events": ["complaint.created"]}
    )
    assert not form.is_valid()
    assert "url" in form.errors


@pytest.mark.slow
@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_never_lost_when_the_worker_is_killed_mid_delivery(
    receiver, postgres_required, redis_required, tmp_path
):
    """A worker claims the delivery and is killed before it posts: once the
    claim's lease runs out the sweeper's query holds it again, and another
    worker delivers it, once."""
    import signal

    endpoint = _endpoint(receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="complaint.created", payload={"id": "x", "data": {"id": 1}}
    )
    env = {"CRM_WEBHOOK_ALLOWED_ADDRESSES": "127.0.0.1"}
    queue = f"webhook-kill-test-{delivery.pk}"
    doomed = support.start_worker(
        tmp_path / "doomed.log",
        extra_env=env,
        pauses={"crm_site.api.webhooks._post": {"before": 120}},
        queues=[queue],
    )
    try:
        tasks.webhook_deliver.apply_async(args=[str(delivery.pk)], queue=queue)
        try:
            support.wait_until(
                lambda: b"test-pause" in (tmp_path / "doomed.log").read_bytes(), timeout=60
            )
        except AssertionError:
            print((tmp_path / "doomed.log").read_text(errors="replace")[-3000:])
            raise
    finally:
        support.stop_process(doomed, sig=signal.SIGKILL)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SENDING
    assert receiver.requests == []
    assert not WebhookDelivery.objects.due(timezone.now()).filter(pk=delivery.pk).exists()
    # Time passes beyond the claim's lease (as if the sweeper ran minutes later).
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=WebhookDelivery.CLAIM_SECONDS + 1)
    )
    assert WebhookDelivery.objects.due(timezone.now()).filter(pk=delivery.pk).exists()
    rescuer = support.start_worker(tmp_path / "rescuer.log", extra_env=env, queues=[queue])
    try:
        tasks.webhook_deliver.apply_async(args=[str(delivery.pk)], queue=queue)
        support.wait_until(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, state="delivered").exists(),
            timeout=60,
        )
    finally:
        support.stop_process(rescuer)
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_urgent_reports_routed_and_complaints_resolved_are_events_too(
    receiver, staff_a, unit_a, supervisor_a, manager_a
):
    from complaints.services import complaint_resolve

    _endpoint(receiver.url, events=[WebhookEvent.URGENT_ROUTED, WebhookEvent.COMPLAINT_RESOLVED])
    report = f.make_urgent_report(unit_a, raised_by=supervisor_a, route=True)
    complaint = f.make_complaint(
        f.make_customer(unit_a, visiting_person=staff_a), by=staff_a, status="proposed"
    )
    complaint_resolve(complaint=complaint, actor=supervisor_a)
    events = {d.event: d.payload["data"]["id"] for d in WebhookDelivery.objects.all()}
    assert events == {"urgent_report.routed": report.pk, "complaint.resolved": complaint.pk}
