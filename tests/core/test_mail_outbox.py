"""Notification e-mail goes through the outbox: a task sends it, retried, and a
sweeper sends whatever is still pending, so a broker or mail-server outage
delays an e-mail but never loses it, and nothing is sent twice."""

import signal
import smtplib
import socketserver
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from crm_site.core import mail_outbox, tasks
from crm_site.core.jobs import send_now
from crm_site.core.models import Notification
from crm_site.core.services import notify
from tests.support.services import stop_process, use_broker, wait_until
from tests.visits import test_urgent_faults as faults
from tests.visits.test_urgent_faults import log_of, spare_port

# A private redis-server and Celery workers on it (tests/visits/test_urgent_faults.py).
own_redis, workers = faults.own_redis, faults.workers

PENDING, SENT, FAILED = "pending", "sent", "failed"
LATER = timedelta(minutes=2)  # past the sweeper's grace period


@pytest.fixture
def reachable(staff_a):
    staff_a.email = "staff_a@example.com"
    staff_a.save()
    return staff_a


def notify_by_email(person, title="请提交日报"):
    with transaction.atomic():
        return notify(recipient=person, kind="test", title=title, url="/", email=True)


def sweep_later() -> int:
    return mail_outbox.notification_emails_sweep(now=timezone.now() + LATER)


class UnreachableBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address for good and takes the rest."""

    def send_messages(self, messages):
        for message in messages:
            if "nobody@" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        mail.outbox.extend(messages)
        return len(messages)


@pytest.mark.django_db
def test_a_notifications_email_lands_in_the_outbox_through_the_task(
    reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = notify_by_email(reachable)
        assert n.email_status == PENDING and not mail.outbox
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["staff_a@example.com"]]
    assert mail.outbox[0].subject == "请提交日报"
    assert mail.outbox[0].body.endswith("/")
    n.refresh_from_db()
    assert n.email_status == SENT and n.emailed_at is not None and n.email_claimed_at is None
    # A retry or the sweeper arriving afterwards sends nothing more.
    assert tasks.notification_email_send.apply(args=[n.pk]).get() is False
    assert sweep_later() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_notification_without_email_is_never_pending(staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_app = notify(recipient=staff_a, kind="test", title="仅站内", email=True)
    assert in_app.email_status == "" and sweep_later() == 0 and not mail.outbox


@pytest.mark.real_broker
@pytest.mark.django_db
def test_with_the_broker_down_at_notify_time_the_sweeper_sends_the_email_later(
    reachable, django_capture_on_commit_callbacks
):
    with use_broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        n = notify_by_email(reachable)  # does not raise: the send is swallowed and logged
    assert not mail.outbox
    n.refresh_from_db()
    assert n.email_status == PENDING and n.emailed_at is None
    # Not yet: the task normally sends it within the grace period.
    assert mail_outbox.notification_emails_sweep() == 0
    assert sweep_later() == 1
    assert [m.to for m in mail.outbox] == [["staff_a@example.com"]]
    assert sweep_later() == 0 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_the_mail_server_down_the_request_still_succeeds_and_the_email_waits(
    reachable, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_mail_outbox.UnreachableBackend"
    with django_capture_on_commit_callbacks(execute=True):
        n = notify_by_email(reachable)
    n.refresh_from_db()
    assert (n.email_status, n.emailed_at, n.email_claimed_at) == (PENDING, None, None)
    assert sweep_later() == 0  # still down: stays pending

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep_later() == 1
    n.refresh_from_db()
    assert n.email_status == SENT and len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_another_worker_is_sending_is_not_sent_again_until_its_claim_expires(
    reachable,
):
    n = notify_by_email(reachable)  # on_commit never fires here: as if the broker had been down
    claimed = timezone.now()
    Notification.objects.filter(pk=n.pk).update(email_claimed_at=claimed)
    assert tasks.notification_email_send.apply(args=[n.pk]).get() is False
    assert sweep_later() == 0 and not mail.outbox

    # That worker died mid-send: once the lease is over, the sweeper sends it.
    lease = timedelta(seconds=Notification.EMAIL_CLAIM_SECONDS + 1)
    Notification.objects.filter(pk=n.pk).update(email_claimed_at=claimed - lease)
    assert sweep_later() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_address_refused_for_good_is_marked_failed_and_does_not_hold_up_the_rest(
    reachable, staff_a2, settings
):
    settings.EMAIL_BACKEND = "tests.core.test_mail_outbox.RefusingBackend"
    staff_a2.email = "nobody@example.com"
    staff_a2.save()
    refused = notify_by_email(staff_a2, title="先")
    delivered = notify_by_email(reachable, title="后")
    assert sweep_later() == 1
    refused.refresh_from_db()
    delivered.refresh_from_db()
    assert (refused.email_status, delivered.email_status) == (FAILED, SENT)
    assert [m.to for m in mail.outbox] == [["staff_a@example.com"]]
    assert sweep_later() == 0


def test_the_sweeper_is_on_the_beat_schedule_every_minute(settings):
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["crm_site.core.tasks.notification_emails_sweep"] == 60.0


class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take messages; `messages` holds what arrived."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        self.messages = []
        super().__init__(("127.0.0.1", port), SMTPSinkHandler)


class SMTPSinkHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 sink ready")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command == "DATA":
                self.reply("354 go ahead")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.messages.append(data)
                self.reply("250 queued")
            elif command.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def smtp_port():
    """A local port where no mail server listens (yet)."""
    return spare_port()


@pytest.fixture
def smtp_sink(smtp_port):
    """Starts a mail server on `smtp_port` when called; stopped at the end."""
    started = []

    def start():
        sink = SMTPSink(smtp_port)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.shutdown()
        sink.server_close()


@pytest.mark.slow
@pytest.mark.services
@pytest.mark.real_broker
def test_a_real_worker_keeps_the_email_pending_while_smtp_is_down_and_sends_it_once_after(
    own_redis, workers, reachable, smtp_port, smtp_sink
):
    own_redis.start()
    worker = workers(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="5",
    )
    with use_broker(own_redis.url):
        n = notify_by_email(reachable)
        wait_until(lambda: "ConnectionRefusedError" in log_of(worker), timeout=30)
        n.refresh_from_db()
        assert (n.email_status, n.emailed_at) == (PENDING, None)

        sink = smtp_sink()
        # What beat sends every minute, once the notification is old enough.
        Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - LATER)
        assert send_now(tasks.notification_emails_sweep)
        wait_until(lambda: Notification.objects.filter(pk=n.pk, email_status=SENT).exists())
        # The sweeper and the retry still scheduled in the worker both finish;
        # whichever came second found the e-mail sent.
        wait_until(lambda: log_of(worker).count("succeeded") >= 2, timeout=60)
    stop_process(worker, sig=signal.SIGKILL)
    assert len(sink.messages) == 1
    assert b"staff_a@example.com" in sink.messages[0]
