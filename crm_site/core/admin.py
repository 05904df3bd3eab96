"""Admin registrations of the core models, and the base classes every admin
class of the project uses: their forms keep the input rules of the project's
own forms (crm_site.core.inputs). Admin pages of other packages (axes, otp,
groups) keep Django's plain forms."""

from django.contrib import admin

from .inputs import CleanInputModelForm
from .models import AuditLog, Notification, WorkCalendarDay, WorkerHeartbeat


class ModelAdmin(admin.ModelAdmin):
    form = CleanInputModelForm


class TabularInline(admin.TabularInline):
    form = CleanInputModelForm


class StackedInline(admin.StackedInline):
    form = CleanInputModelForm


class ReadOnlyModelAdmin(ModelAdmin):
    """For records written only by the app's services (history, audit):
    the admin lists and shows them but never adds, edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ModelAdmin):
    list_display = ["name", "seen_at", "runs"]
    readonly_fields = ["name", "seen_at", "runs"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(ModelAdmin):
    list_display = ["date", "is_working", "note"]
    list_filter = ["is_working"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_status"]
    list_filter = ["kind", "email_status"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "action", "actor", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id", "actor__username"]
    date_hierarchy = "at"
