"""Django's account forms with the project's input rules (crm_site.core.inputs):
sign-in, password change, and the admin's user forms."""

from django.contrib.auth import forms as auth_forms

from crm_site.core.inputs import CleanInputMixin


class LoginForm(CleanInputMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(CleanInputMixin, auth_forms.PasswordChangeForm):
    pass


class UserChangeForm(CleanInputMixin, auth_forms.UserChangeForm):
    pass


class UserCreationForm(CleanInputMixin, auth_forms.AdminUserCreationForm):
    pass


class AdminPasswordChangeForm(CleanInputMixin, auth_forms.AdminPasswordChangeForm):
    pass
