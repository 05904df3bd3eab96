from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

STATUS_TONES = {
    "received": "secondary",
    "investigating": "info",
    "proposed": "primary",
    "awaiting_approval": "warning",
    "approved": "primary",
    "sent_back": "danger",
    "resolved": "success",
    "notified": "success",
    "closed": "dark",
}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "secondary")


@register.filter
def customer_url(customer) -> str:
    """The customer card's address, or "" where the customers app has no card page."""
    try:
        return reverse("customers:detail", args=[customer.pk])
    except NoReverseMatch:
        return ""


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:.1f}%"
