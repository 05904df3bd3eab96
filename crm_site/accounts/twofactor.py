"""Two-factor sign-in (TOTP) with recovery codes, on django-otp.

Required for admins when CRM_ADMIN_2FA_REQUIRED is on (the default outside
debug mode), optional for everyone else. After the password, a user with a
confirmed authenticator must enter a code (or a one-time recovery code) before
any page opens; an admin without one must set it up first.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.core.inputs import CleanInputForm
from crm_site.core.services import audit

from .models import Role
from .services import two_factor_enrolment_code_use

SESSION_STATE = "crm_2fa_state"  # "verify", "setup" or absent (nothing owed)
RECOVERY_CODES = 10


def two_factor_required(user) -> bool:
    return settings.CRM_ADMIN_2FA_REQUIRED and user.role == Role.ADMIN


def state_after_password(user) -> str | None:
    """What the user owes after the password: a code, a setup, or nothing."""
    if user_has_device(user, confirmed=True):
        return "verify"
    if two_factor_required(user):
        return "setup"
    return None


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(fallback)


class CodeForm(CleanInputForm):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or a recovery code."),
    )

    def __init__(self, *args, user, devices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = devices
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "").strip()
        devices = self.devices if self.devices is not None else list(devices_for_user(self.user))
        throttled = False
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                self.device = device
                return code
        if throttled:
            raise forms.ValidationError(_("Too many wrong codes. Wait a moment and try again."))
        raise forms.ValidationError(
            _("That code is not valid. Check the time on your phone and try again.")
        )


def verify(request):
    """Second step of sign-in: a code from the authenticator or a recovery code."""
    user = request.user
    if request.session.get(SESSION_STATE) != "verify":
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        request.session.pop(SESSION_STATE, None)
        if isinstance(form.device, StaticDevice):
            audit(actor=user, action="two_factor.recovery_code_used", obj=user, request=request)
            left = StaticToken.objects.filter(device=form.device).count()
            messages.warning(
                request, _("You signed in with a recovery code; %(n)d remain.") % {"n": left}
            )
        return redirect(_safe_next(request))
    if request.method == "POST":
        audit(actor=user, action="two_factor.failed", obj=user, request=request)
    return render(
        request, "accounts/2fa_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


class SetupForm(CodeForm):
    """Confirming a new authenticator; an admin's first one also needs the
    enrolment code another admin issued (crm_site.accounts.services)."""

    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code"),
        max_length=32,
        help_text=gettext_lazy(
            "Administrators: the one-time code another administrator issued to you in the "
            "administration (the first administrator: manage.py two_factor_enrolment_code)."
        ),
    )
    field_order = ["enrolment_code", "code"]

    def __init__(self, *args, needs_enrolment_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_enrolment_code:
            del self.fields["enrolment_code"]

    def clean(self):
        cleaned = super().clean()
        # Checked last, and only with a right authenticator code, so a wrong
        # code does not use up the enrolment code.
        checked = "enrolment_code" in self.fields and not self.errors
        if checked and not two_factor_enrolment_code_use(
            user=self.user, code=cleaned.get("enrolment_code", "")
        ):
            self.add_error(
                "enrolment_code",
                _("That enrolment code is not valid. Ask another administrator for a new one."),
            )
        return cleaned


def needs_enrolment_code(user) -> bool:
    """An admin's first authenticator (none confirmed yet)."""
    return user.role == Role.ADMIN and not user_has_device(user, confirmed=True)


def _qr_data_uri(url: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def setup(request):
    """Set up an authenticator: scan, confirm with a code, receive recovery codes."""
    user = request.user
    if user_has_device(user, confirmed=True) and request.session.get(SESSION_STATE) != "verify":
        return redirect("two_factor")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": _("Authenticator app")}
    )
    form = SetupForm(
        request.POST or None,
        user=user,
        devices=[device],
        needs_enrolment_code=needs_enrolment_code(user),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
        otp_login(request, device)
        request.session.pop(SESSION_STATE, None)
        audit(actor=user, action="two_factor.enabled", obj=user, request=request)
        messages.success(request, _("Two-factor sign-in is on."))
        return render(request, "accounts/2fa_recovery_codes.html", {"codes": codes})
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": two_factor_required(user),
        },
    )


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def status(request):
    """The user's two-factor page: on/off, recovery codes."""
    user = request.user
    enabled = user_has_device(user, confirmed=True)
    recovery_left = StaticToken.objects.filter(device__user=user, device__name="recovery").count()
    return render(
        request,
        "accounts/2fa_status.html",
        {"enabled": enabled, "required": two_factor_required(user), "recovery_left": recovery_left},
    )


@require_POST
def regenerate_codes(request):
    if not request.user.is_verified():
        return redirect("two_factor")
    codes = _new_recovery_codes(request.user)
    audit(
        actor=request.user, action="two_factor.codes_regenerated", obj=request.user, request=request
    )
    return render(request, "accounts/2fa_recovery_codes.html", {"codes": codes})


@require_POST
def disable(request):
    user = request.user
    if two_factor_required(user):
        messages.error(request, _("Administrators must keep two-factor sign-in on."))
        return redirect("two_factor")
    form = CodeForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return redirect("two_factor")
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit(actor=user, action="two_factor.disabled", obj=user, request=request)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")


# What a user owing a second factor may still open: the pages' own assets (the
# JavaScript catalogue included, which the verify and setup pages load), and sign-out.
ALLOWED_PREFIXES = (
    "/static/",
    "/healthz/",
    "/readyz/",
    "/i18n/",
    "/jsi18n/",
    "/favicon.ico",
    "/accounts/logout/",
)


class TwoFactorMiddleware:
    """Hold a signed-in user at the verify or setup page until the second factor is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES):
            state = request.session.get(SESSION_STATE)
            target = {"verify": "two_factor_verify", "setup": "two_factor_setup"}.get(state)
            if target and request.path != reverse(target):
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
