from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import MonthlyPatrolSummary, RollupRequest, SummaryEvent


class SummaryEventInline(core_admin.TabularInline):
    model = SummaryEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "data", "at"]


@admin.register(MonthlyPatrolSummary)
class MonthlyPatrolSummaryAdmin(core_admin.ModelAdmin):
    """Read-only: summaries are built by the rollup and signed on their pages."""

    list_display = ["unit", "month", "status", "built_at", "stale", "compliance_percent"]
    list_filter = ["status", "stale", "unit"]
    date_hierarchy = "month"
    inlines = [SummaryEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupRequest)
class RollupRequestAdmin(core_admin.ModelAdmin):
    list_display = ["unit", "month", "requested_by", "requested_at", "sent_at", "done_at"]
    list_filter = ["unit"]
    readonly_fields = [
        "unit",
        "month",
        "requested_by",
        "requested_at",
        "sent_at",
        "done_at",
        "summary",
    ]
