from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPause,
    DeadlinePolicy,
    RegulatoryLimit,
)


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(core_admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["name", "name_en", "order", "is_active"]
    search_fields = ["code", "name", "name_en"]

    def has_delete_permission(self, request, obj=None):
        # Complaints keep their category: retire a category by unticking "active".
        if obj is not None and obj.complaints.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(core_admin.ModelAdmin):
    """Severity x category x customer grade; a blank category or grade means
    any, and the most specific policy that matches a complaint wins."""

    list_display = ["severity", "category", "customer_grade", "working_days"]
    list_editable = ["working_days"]
    list_filter = ["severity", "customer_grade", "category"]
    list_select_related = ["category"]


@admin.register(RegulatoryLimit)
class RegulatoryLimitAdmin(core_admin.ModelAdmin):
    """The regulator's limits, with the text each comes from on the edit page."""

    list_display = ["kind", "calendar_days", "source"]
    fields = ["kind", "calendar_days", "source", "source_text"]

    def has_delete_permission(self, request, obj=None):
        return False


class ComplaintEventInline(core_admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "kind", "from_state", "to_state", "comment"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None):
        return False


class ComplaintPauseInline(core_admin.TabularInline):
    model = ComplaintPause
    extra = 0
    can_delete = False
    fields = ["started_at", "started_by", "ended_at", "ended_by", "reason", "note"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(core_admin.ReadOnlyModelAdmin):
    """Read-only: complaints change only through their services (the app's pages)."""

    list_display = ["number", "customer", "unit", "category", "severity", "status", "deadline"]
    list_filter = ["status", "severity", "channel", "category", "unit"]
    search_fields = ["number", "customer__name", "customer__code", "complainant"]
    date_hierarchy = "received_at"
    list_select_related = ["customer", "unit", "category"]
    inlines = [ComplaintEventInline, ComplaintPauseInline]
