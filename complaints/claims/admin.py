"""Claims in /admin/: each unit's approval threshold (edited here), and the
claims themselves read-only (they change only through their services)."""

from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import Claim, ClaimEvent, ClaimPolicy


@admin.register(ClaimPolicy)
class ClaimPolicyAdmin(core_admin.ModelAdmin):
    list_display = ["unit", "manager_threshold"]
    list_editable = ["manager_threshold"]
    list_select_related = ["unit"]


class ClaimEventInline(core_admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "kind", "from_state", "to_state", "comment"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["__str__", "unit", "kind", "state", "amount_claimed", "paid_amount"]
    list_filter = ["state", "kind", "unit"]
    search_fields = ["complaint__number", "complaint__customer__name"]
    list_select_related = ["complaint", "unit"]
    inlines = [ClaimEventInline]
