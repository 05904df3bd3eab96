from django.contrib import admin

from crm_site.core import admin as core_admin

from .models import (
    CareReminder,
    Contact,
    Customer,
    CustomerChange,
    CustomerImport,
    GradeChange,
    GradingRule,
    LogisticsService,
    Prospect,
    RegradeRun,
)


@admin.register(LogisticsService)
class LogisticsServiceAdmin(core_admin.ModelAdmin):
    list_display = ["name", "category", "code", "order"]
    list_filter = ["category"]


class ContactInline(core_admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(core_admin.ModelAdmin):
    """Read-mostly: edits belong in the app, where the rules and history are kept."""

    list_display = ["code", "name", "grade", "grade_pinned", "unit", "region", "visiting_person"]
    list_filter = ["grade", "status", "unit"]
    search_fields = ["code", "name"]
    list_select_related = ["unit", "region", "visiting_person"]
    raw_id_fields = [
        "sales_owner",
        "visiting_person",
        "hotline_owner",
        "created_by",
        "grade_pinned_by",
    ]
    readonly_fields = ["grade", "grade_points", "grade_breakdown", "grade_rule", "graded_at"]
    inlines = [ContactInline]


@admin.register(GradingRule)
class GradingRuleAdmin(core_admin.ModelAdmin):
    list_display = ["version", "note", "created_at", "created_by"]
    readonly_fields = ["version", "definition", "note", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False  # new versions come from the grading page, which regrades

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegradeRun)
class RegradeRunAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["pk", "rule", "state", "customers_checked", "customers_moved", "created_at"]
    list_filter = ["state"]


@admin.register(GradeChange)
class GradeChangeAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["customer", "old_grade", "new_grade", "source", "rule", "at"]
    list_filter = ["source"]
    list_select_related = ["customer", "rule"]


@admin.register(CustomerChange)
class CustomerChangeAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["customer", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["customer", "actor"]


@admin.register(CustomerImport)
class CustomerImportAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["original_name", "created_by", "created_at", "state"]
    list_filter = ["state"]


# Customer development and care reminders: read only, the pages keep
# the rules and the history.
@admin.register(Prospect)
class ProspectAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["name", "unit", "owner", "step", "success_rate", "status", "updated_at"]
    list_filter = ["status", "step", "unit"]
    search_fields = ["name"]
    list_select_related = ["unit", "owner"]


@admin.register(CareReminder)
class CareReminderAdmin(core_admin.ReadOnlyModelAdmin):
    list_display = ["contact", "occasion", "recipient", "created_at"]
    list_select_related = ["contact", "recipient"]


# Sub-domains with admin pages of their own.
from .revenue.market import admin as _market_admin  # noqa: E402, F401
