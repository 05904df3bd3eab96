"""The cost-ratio warning in /admin/ (one row, edited there); market estimates
and marketing costs read-only (they change through their services)."""

from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import MarketEstimate, MarketingCost, MarketingPolicy


@admin.register(MarketingPolicy)
class MarketingPolicyAdmin(core_admin.ModelAdmin):
    list_display = ["__str__", "warning_points"]
    list_display_links = ["__str__"]
    list_editable = ["warning_points"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not MarketingPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MarketEstimate)
class MarketEstimateAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["region", "year", "market_size", "competitor_turnover", "set_by"]
    list_filter = ["year"]
    list_select_related = ["region", "set_by"]


@admin.register(MarketingCost)
class MarketingCostAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = [
        "unit",
        "month",
        "staff_cost",
        "advertising",
        "promotion",
        "research",
        "sales_admin",
    ]
    list_filter = ["unit"]
    list_select_related = ["unit"]
