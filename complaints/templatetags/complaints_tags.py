from django import template
from django.urls import NoReverseMatch, reverse

from crm_site.core.templatetags.crm_status import status_tone

register = template.Library()

register.filter("status_tone", status_tone)


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
