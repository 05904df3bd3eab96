from django import template
from django.utils.html import format_html, format_html_join

from visits.models import Competitor

register = template.Library()

# The names offered while typing a tag or a filter (one query on a small table).
DATALIST_SIZE = 500


@register.simple_tag
def competitor_datalist(element_id: str = "competitor-names"):
    """A <datalist> of known competitor names for the tag and filter inputs."""
    names = Competitor.objects.order_by("name").values_list("name", flat=True)[:DATALIST_SIZE]
    options = format_html_join("", '<option value="{}"></option>', ((n,) for n in names))
    return format_html('<datalist id="{}">{}</datalist>', element_id, options)


@register.simple_tag
def highlight(text: str, term: str = ""):
    """The text escaped, line breaks kept, every match of `term` in <mark>."""
    import re

    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    text = text or ""
    if term:
        parts = re.split(f"({re.escape(term)})", text, flags=re.IGNORECASE)
        html = "".join(
            f"<mark>{escape(part)}</mark>" if i % 2 else escape(part)
            for i, part in enumerate(parts)
        )
    else:
        html = str(escape(text))
    return mark_safe(html.replace("\n", "<br>"))  # every piece escaped above
