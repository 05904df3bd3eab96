"""E-mail of notifications, through the outbox.

`notify(..., email=True)` marks the notification's e-mail pending in the same
transaction as the notification, and sends the `notification_email_send` task
after commit (crm_site/core/tasks.py). The pending row is the outbox: if the
broker is down at that moment, or the mail server is, nothing is lost.

- Sending claims the row with a conditional UPDATE (`email_claimed_at`), so two
  workers, or a retry and the sweeper, never send one notification together.
  A worker that cannot reach the mail server releases the claim and raises:
  the task retries with a growing delay.
- The sweeper (beat, every minute) sends every e-mail still pending a minute
  after its notification was created, and every claim older than the lease (a
  worker killed mid-send). A worker killed after the server took the message
  but before the row was marked sent is the one case that sends twice: SMTP
  gives no way to ask whether a message arrived.
- A recipient the server refuses for good (a 5xx answer) is marked failed and
  logged, so one bad address does not block the rest.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification
from .services import in_language_of

logger = logging.getLogger(__name__)

SWEEP_AFTER_SECONDS = 60
SWEEP_BATCH = 200


def _refused_for_good(exc: OSError) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    return False


def _deliver(notification: Notification) -> None:
    link = f"\n\n{settings.CRM_BASE_URL}{notification.url}" if notification.url else ""
    # Title and body were translated when the notification was made; anything
    # rendered here follows the recipient's language too. The Date: header is in
    # local time (EMAIL_USE_LOCALTIME).
    with in_language_of(notification.recipient):
        send_mail(
            notification.title,
            f"{notification.body}{link}",
            None,
            [notification.recipient.email],
        )


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification if its e-mail is still pending; True if this call sent it.

    Raises the SMTP or connection error (an OSError) when the mail server cannot
    take the message now, after releasing the claim, so that a retry or the
    sweeper sends it later.
    """
    claimed_at = timezone.now()
    claimed = (
        Notification.objects.email_claimable(claimed_at)
        .filter(pk=notification_id)
        .update(email_claimed_at=claimed_at)
    )
    if not claimed:
        return False
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:  # deleted with its recipient meanwhile
        return False
    mine = Notification.objects.filter(pk=notification_id, email_claimed_at=claimed_at)
    if not notification.recipient.email:
        logger.warning("notification %s: the recipient has no e-mail address", notification_id)
        mine.update(email_status=Notification.EmailStatus.FAILED, email_claimed_at=None)
        return False
    try:
        _deliver(notification)
    except OSError as exc:
        if _refused_for_good(exc):
            logger.warning("notification %s: e-mail refused: %s", notification_id, exc)
            mine.update(email_status=Notification.EmailStatus.FAILED, email_claimed_at=None)
            return False
        mine.update(email_claimed_at=None)
        logger.warning("notification %s: e-mail not sent yet: %r", notification_id, exc)
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT,
        emailed_at=timezone.now(),
        email_claimed_at=None,
    )
    return True


def notification_emails_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: send every e-mail still pending; returns how many it sent.

    Stops at the first error that is not about one message (the server is
    unreachable or refuses us: the rest would fail alike); a message the
    server rejects is skipped and stays pending for the next sweep.
    """
    now = now or timezone.now()
    ids = list(
        Notification.objects.email_claimable(now)
        .filter(created_at__lte=now - timedelta(seconds=SWEEP_AFTER_SECONDS))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = 0
    for pk in ids:
        try:
            sent += notification_email_send(notification_id=pk)
        except (smtplib.SMTPDataError, smtplib.SMTPRecipientsRefused):
            continue
        except OSError:
            break
    return sent
