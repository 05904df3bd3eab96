from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm_site.core import admin as core_admin

from .forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from .models import Membership, Region, Role, ServiceUnit, User
from .services import two_factor_enrolment_code_issue


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
    actions = ["issue_two_factor_enrolment_code"]

    @admin.action(description=_("Issue a two-factor enrolment code"))
    def issue_two_factor_enrolment_code(self, request, queryset):
        """An admin sets up a first authenticator only with a code another admin
        gives them (in person or by phone); it is shown here once."""
        for user in queryset:
            if user.pk == request.user.pk:
                messages.error(request, _("Another administrator must issue your enrolment code."))
            elif user.role != Role.ADMIN:
                messages.warning(
                    request,
                    _("%(user)s is not an administrator and needs no enrolment code.")
                    % {"user": user.get_username()},
                )
            else:
                code = two_factor_enrolment_code_issue(user=user, actor=request.user)
                messages.warning(
                    request,
                    _("Enrolment code for %(user)s: %(code)s (shown once; valid for one set-up).")
                    % {"user": user.get_username(), "code": code},
                )

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
