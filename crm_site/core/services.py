import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import Notification, WorkCalendarDay, WorkerHeartbeat
from .workcal import WorkCalendar

logger = logging.getLogger(__name__)


def heartbeat_record(*, name: str) -> int:
    """Record that a worker ran now; returns the number of runs so far."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(seen_at=now, runs=F("runs") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": now, "runs": 1})
    return WorkerHeartbeat.objects.get(name=name).runs


def work_calendar(start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The work calendar with the admins' overrides (optionally only a date range)."""
    days = WorkCalendarDay.objects.all()
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    return WorkCalendar(overrides=dict(days.values_list("date", "is_working")))


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = False,
) -> Notification | None:
    """Create an in-app notification (and e-mail it after commit).

    With a `dedupe_key`, a second call for the same recipient and key does
    nothing and returns None: jobs that run twice never notify twice.
    Pass `title`/`body` already translated in the recipient's language
    (see `in_language_of`).
    """
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    title=title,
                    body=body,
                    url=url,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            return None
    else:
        notification = Notification.objects.create(
            recipient=recipient, kind=kind, title=title, body=body, url=url
        )
    if email and recipient.email:
        transaction.on_commit(lambda: _email_notification(notification.pk))
    return notification


def _email_notification(notification_id: int) -> None:
    # Claim first: a notification is e-mailed at most once.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at=None).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"\n\n{settings.CRM_BASE_URL}{n.url}" if n.url else ""
    try:
        send_mail(n.title, f"{n.body}{link}", None, [n.recipient.email])
    except OSError:
        logger.warning("could not e-mail notification %s", notification_id)
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)


def in_language_of(user):
    """Context manager: translate in the user's chosen language (default zh-hans)."""
    return translation.override(user.language or settings.LANGUAGE_CODE)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's notifications read; returns how many changed."""
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def audit(
    *,
    actor,
    action: str,
    obj=None,
    summary: str = "",
    data: dict | None = None,
    request=None,
    object_type: str = "",
    object_id: str = "",
):
    """Append an audit log entry (exports with filters and row counts, imports,
    rule edits, deletions, role changes...). Never pass personal data in `data`.
    `object_type`/`object_id` name an object without it (one already deleted)."""
    from .models import AuditLog

    known = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=known,
        actor_username=known.get_username() if known else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type[:50],
        object_id=str(obj.pk) if obj is not None else str(object_id)[:50],
        summary=summary[:300],
        data=data or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
