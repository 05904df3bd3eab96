"""Admins register webhook endpoints, read each one's delivery log (response
codes, attempts) and replay a delivery; they see and revoke every API key."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm_site.core.admin import ModelAdmin, TabularInline
from crm_site.core.inputs import CleanInputModelForm

from . import services, webhooks
from .models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(CleanInputModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("event types"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.check_url(url)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "event_list", "delivery_log"]
    list_filter = ["is_active"]

    @admin.display(description=_("event types"))
    def event_list(self, obj):
        return ", ".join(obj.events or [])

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj):
        url = reverse("admin:api_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Deliveries"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class WebhookAttemptInline(TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["at", "status", "error", "duration_ms"]
    readonly_fields = ["at", "status", "error", "duration_ms"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    readonly_fields = [
        "endpoint",
        "event",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status",
        "last_error",
        "delivered_at",
        "replay_of",
    ]
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Replay the selected deliveries"))
    def replay(self, request, queryset):
        for delivery in queryset:
            services.webhook_replay(actor=request.user, delivery=delivery)
        messages.success(request, _("Replay queued."))


@admin.register(ApiKey)
class ApiKeyAdmin(ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created",
        "expiry_date",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["revoked", "read_only"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "user", "created", "last_used_at", "revoked", "revoked_at"]
    fields = [
        "name",
        "user",
        "prefix",
        "read_only",
        "expiry_date",
        "created",
        "last_used_at",
        "revoked",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made on the profile page or by `manage.py api_key create`

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(actor=request.user, api_key=api_key, request=request)
        messages.success(request, _("Keys revoked."))
