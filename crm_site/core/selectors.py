"""Reads of the core pages: the user's notifications, exports and the audit log."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from . import batch
from .models import AuditLog, ExportJob, Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's notifications, newest first; only the unread ones if asked."""
    notifications = Notification.objects.visible_to(user)
    return notifications.unread() if unread_only else notifications


@batch.prepared_for_user
def unread_notifications_read(user):
    """The user's unread notifications (what the top bar counts), compiled
    once per user (crm_site.core.batch)."""
    return notification_list(user=user, unread_only=True).order_by().values("pk")


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


def awaiting_me(*, user, rows: int) -> list[dict]:
    """Per workflow (crm_site.core.handoff), the objects in the user's scope
    whose move is the user's: how many, and the `rows` last changed, each with
    the step to take. One query per workflow (the total is a window count)."""
    from django.db.models import Count, Window

    from . import registry
    from .handoff import awaiting_filter, move_of

    unit_ids: dict[str, set[int]] = {}
    for membership in user.scope_memberships:
        unit_ids.setdefault(membership.kind, set()).add(membership.unit_id)
    groups = []
    for handoff in registry.handoffs.functions():
        model = handoff.model
        states = [value for value, _label in model._meta.get_field(handoff.state_field).choices]
        found = list(
            model.objects.visible_to(user)
            .filter(awaiting_filter(handoff, user=user, states=states, unit_ids=unit_ids))
            .select_related(*handoff.related)
            .annotate(awaiting_total=Window(Count("pk")))
            .order_by(*handoff.order)[:rows]
        )
        if not found:
            continue
        items = [(obj, move_of(handoff, obj)) for obj in found]
        groups.append({"handoff": handoff, "total": found[0].awaiting_total, "items": items})
    return groups
