from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm_site.core import admin as core_admin

from .forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from .models import Membership, Region, ServiceUnit, User


class MembershipInline(core_admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "full_name", "email", "role_display", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "memberships__unit"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (  # type: ignore[operator]
        (_("Profile"), {"fields": ("full_name", "phone", "language")}),
    )
    inlines = [MembershipInline]

    @admin.display(description=_("role"))
    def role_display(self, obj):
        return obj.role_label

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(ServiceUnit)
class ServiceUnitAdmin(core_admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Region)
class RegionAdmin(core_admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    filter_horizontal = ["salespeople"]
