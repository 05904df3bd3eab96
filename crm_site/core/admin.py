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
    change_list_template = "admin/core/workcalendarday/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "load-year/",
                self.admin_site.admin_view(self.load_year),
                name="core_workcalendarday_load_year",
            ),
            *super().get_urls(),
        ]

    def load_year(self, request):
        """One button: the year's official holidays and 调休 from chinese-calendar."""
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        from .services import work_calendar_load_year

        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        try:
            year = int(request.POST.get("year", ""))
            written = work_calendar_load_year(year=year, actor=request.user)
        except (ValueError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request, _("%(n)s days of %(year)s loaded.") % {"n": written, "year": year}
            )
        return redirect("admin:core_workcalendarday_changelist")

    def changelist_view(self, request, extra_context=None):
        from django.utils import timezone

        year = timezone.localdate().year
        extra_context = (extra_context or {}) | {"load_years": [year, year + 1]}
        return super().changelist_view(request, extra_context)


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
