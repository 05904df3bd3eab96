from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import (
    Competitor,
    DailyReport,
    DailyReportEntry,
    DailyReportEvent,
    UrgentReport,
    UrgentReportEvent,
    Visit,
)


@admin.register(Visit)
class VisitAdmin(core_admin.ModelAdmin):
    list_display = ["occurred_at", "customer", "kind", "user", "unit", "source"]
    list_filter = ["kind", "source", "unit"]
    search_fields = ["customer__code", "customer__name", "user__username"]
    raw_id_fields = ["customer", "user"]
    date_hierarchy = "occurred_at"


class EntryInline(core_admin.StackedInline):
    model = DailyReportEntry
    extra = 0
    raw_id_fields = ["customer", "visit"]
    readonly_fields = ["form_token"]


class EventInline(core_admin.TabularInline):
    model = DailyReportEvent
    extra = 0
    readonly_fields = ["kind", "actor", "comment", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DailyReport)
class DailyReportAdmin(core_admin.ModelAdmin):
    """Read and correct reports; workflow changes belong in the app (history rows)."""

    list_display = ["date", "user", "unit", "status", "submitted_at", "reviewed_by"]
    list_filter = ["status", "unit"]
    search_fields = ["user__username", "user__full_name"]
    date_hierarchy = "date"
    raw_id_fields = ["user", "reviewed_by"]
    readonly_fields = ["status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment"]
    inlines = [EntryInline, EventInline]


class UrgentEventInline(core_admin.TabularInline):
    model = UrgentReportEvent
    extra = 0
    readonly_fields = ["kind", "actor", "comment", "data", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UrgentReport)
class UrgentReportAdmin(core_admin.ModelAdmin):
    """Read urgent reports; their workflow belongs in the app (timeline rows)."""

    list_display = ["created_at", "title", "unit", "category", "status", "assignee", "ack_deadline"]
    list_filter = ["status", "category", "unit"]
    search_fields = ["title", "raised_by__username", "assignee__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["raised_by", "assignee", "customer", "source_entry"]
    readonly_fields = [
        "status",
        "routed_at",
        "acknowledged_at",
        "escalated_at",
        "resolved_at",
        "resolution",
        "form_token",
    ]
    inlines = [UrgentEventInline]


@admin.register(Competitor)
class CompetitorAdmin(core_admin.ModelAdmin):
    """Competitor tags staff typed on daily-report entries: fix a name here."""

    list_display = ["name", "created_at", "created_by"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "created_by"]
