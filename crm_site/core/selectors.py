"""Reads of the core pages: the user's notifications, exports and the audit log."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditLog, ExportJob, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's notifications, newest first; only the unread ones if asked."""
    notifications = Notification.objects.visible_to(user)
    return notifications.unread() if unread_only else notifications


def audit_log_list(*, user, filters=None) -> QuerySet:
    """The audit entries the user may see (admins), under `filters` (a
    crm_site.core.filters.AuditLogFilter), newest first."""
    entries = AuditLog.objects.visible_to(user)
    return filters.apply(entries) if filters is not None else entries


def notification_for(*, user, pk: int) -> Notification | None:
    """One of the user's notifications, or None."""
    return Notification.objects.visible_to(user).filter(pk=pk).first()


def export_job_for(*, user, pk: int) -> ExportJob:
    """One of the user's background exports (404 for anyone else's)."""
    return get_object_or_404(ExportJob.objects.visible_to(user), pk=pk)
