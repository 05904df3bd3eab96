from django.contrib import admin

from crm_site.core import admin as core_admin

from .claims import admin as claims_admin  # noqa: F401  (the claims' admin pages)
from .models import Complaint, ComplaintCategory, ComplaintEvent, DeadlinePolicy


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
    list_display = ["severity", "working_days"]
    list_editable = ["working_days"]


class ComplaintEventInline(core_admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "kind", "from_state", "to_state", "comment"]
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
    inlines = [ComplaintEventInline]
