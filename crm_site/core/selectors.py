"""Reads of the core pages: the user's notifications and the audit log."""

from django.db.models import QuerySet

from .models import AuditLog, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's notifications, newest first; only the unread ones if asked."""
    notifications = Notification.objects.visible_to(user)
    return notifications.unread() if unread_only else notifications


def audit_log_list(*, user, filters=None) -> QuerySet:
    """The audit entries the user may see (admins), under `filters` (a
    crm_site.core.filters.AuditLogFilter), newest first."""
    entries = AuditLog.objects.visible_to(user)
    return filters.apply(entries) if filters is not None else entries
