import uuid

from django import template
from django.urls import NoReverseMatch
from django.utils.html import format_html

from crm_site.core.templatetags.crm_status import status_tone

register = template.Library()


@register.simple_tag
def customer_link(customer, css: str = ""):
    """The customer's name linked to its card (plain text while the card page is absent)."""
    try:
        url = customer.get_absolute_url()
    except NoReverseMatch:
        return format_html('<span class="{}">{}</span>', css, customer.name)
    return format_html('<a class="{}" href="{}">{}</a>', css, url, customer.name)


@register.simple_tag
def new_token() -> str:
    """A fresh idempotency token for a form that must not act twice."""
    return str(uuid.uuid4())


register.filter("status_tone", status_tone)


@register.filter
def invalid_marked(field):
    """Render a bound field's widget with Bootstrap's is-invalid class."""
    css = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})
