import logging
from collections.abc import Callable
from datetime import date

from django.conf import settings
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

    With `email`, the e-mail is pending in the same transaction and a task
    sends it after commit; if the broker or the mail server is down, the
    outbox sweeper sends it later (crm_site/core/mail_outbox.py).

    With a `dedupe_key`, a second call for the same recipient and key does
    nothing and returns None: jobs that run twice never notify twice.
    Pass `title`/`body` already translated in the recipient's language
    (see `in_language_of`).
    """
    emailed = bool(email and recipient.email)
    fields = {
        "recipient": recipient,
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "email_status": Notification.EmailStatus.PENDING if emailed else "",
    }
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields, dedupe_key=dedupe_key)
        except IntegrityError:
            return None
    else:
        notification = Notification.objects.create(**fields)
    if emailed:
        transaction.on_commit(lambda: _email_soon(notification.pk))
    return notification


def _email_soon(notification_id: int) -> None:
    from celery.exceptions import Retry

    from .jobs import send_now
    from .tasks import notification_email_send

    try:
        send_now(notification_email_send, notification_id)
    except (OSError, Retry) as exc:
        # Eager mode (no broker) sends in the request, and a mail server that
        # is down must not fail it: the e-mail stays pending for the sweeper.
        logger.warning("notification %s: e-mail left for the sweeper: %r", notification_id, exc)


def in_language_of(user):
    """Context manager: translate in the user's chosen language (default zh-hans)."""
    return translation.override(user.language or settings.LANGUAGE_CODE)


def notify_each(
    recipients,
    *,
    kind: str,
    text: Callable[[], tuple[str, str]],
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = False,
) -> list[Notification | None]:
    """`notify` each recipient in their own language: `text()` runs inside it
    and returns the (title, body) to send."""
    sent = []
    for person in recipients:
        with in_language_of(person):
            title, body = text()
        sent.append(
            notify(
                recipient=person,
                kind=kind,
                title=title,
                body=body,
                url=url,
                dedupe_key=dedupe_key,
                email=email,
            )
        )
    return sent


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
    from crm_site.accounts.lockout import client_address

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
        ip_address=client_address(request) if request is not None else None,
    )


def not_found_probe_key(user_id: int) -> str:
    return f"crm:not-found-probe:{user_id}"


def not_found_probe_count(*, user, request) -> None:
    """Count a signed-in user's 404 on an object address; past
    CRM_NOT_FOUND_PROBE_LIMIT within CRM_NOT_FOUND_PROBE_MINUTES (from the first
    one), audit it and notify every admin, once per window.

    Out-of-scope objects answer 404 by design, so a user walking ids shows up
    only here. The count lives in the cache (Redis outside development): an
    atomic increment, so concurrent requests cannot both cross the limit."""
    from django.core.cache import cache
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from crm_site.accounts.selectors import active_admins

    key = not_found_probe_key(user.pk)
    cache.add(key, 0, timeout=settings.CRM_NOT_FOUND_PROBE_MINUTES * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between the two calls
        return
    if count != settings.CRM_NOT_FOUND_PROBE_LIMIT + 1:
        return
    with transaction.atomic():
        row = audit(
            actor=user,
            action="security.not_found_probe",
            summary=f"{count} x 404 / {settings.CRM_NOT_FOUND_PROBE_MINUTES} min",
            data={
                "not_found": count,
                "minutes": settings.CRM_NOT_FOUND_PROBE_MINUTES,
                "request_id": getattr(request, "id", ""),
            },
            request=request,
        )
        notify_each(
            active_admins(),
            kind="security.not_found_probe",
            text=lambda: (
                _("User %(username)s opened %(count)s missing or hidden objects")
                % {"username": user.get_username(), "count": count},
                _(
                    "More than %(limit)s addresses of objects answered “not found” to "
                    "this user within %(minutes)s minutes: someone may be trying ids. "
                    "See the audit log."
                )
                % {
                    "limit": settings.CRM_NOT_FOUND_PROBE_LIMIT,
                    "minutes": settings.CRM_NOT_FOUND_PROBE_MINUTES,
                },
            ),
            url=reverse("audit_log"),
            dedupe_key=f"not-found-probe:{row.pk}",
            email=True,
        )
