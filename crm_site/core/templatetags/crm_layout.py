"""Layout tags: `wrap` (a shared partial — a card, a table frame, a filter form — around a
page's own markup) and `sort_heading` (a sortable column's heading)."""

from django import template
from django.template.base import token_kwargs
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


class WrapNode(template.Node):
    def __init__(self, partial, extra, nodelist, slots):
        self.partial = partial
        self.extra = extra
        self.nodelist = nodelist
        self.slots = slots

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.extra.items()}
        # What the nodelists render is already escaped; strip() would return a plain str.
        for name, nodelist in self.slots.items():
            values[name] = mark_safe(nodelist.render(context).strip())
        values["body"] = mark_safe(self.nodelist.render(context).strip())
        partial = context.template.engine.get_template(self.partial.resolve(context))
        with context.push(**values):
            return partial.render(context)


@register.tag
def wrap(parser, token):
    """{% wrap "partials/_table_card.html" with caption=_("Visits") %}<thead>…{% endwrap %}.

    Renders the partial with the enclosed markup as `body` and the named values,
    so a card, a table frame or a filter form is written once around each page's
    own fields and rows. `{% slot lead %}…` inside it hands over a second piece
    of markup under that name (up to the next slot or the end).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the name of a partial")
    rest = bits[3:] if len(bits) > 2 and bits[2] == "with" else bits[2:]
    given = len(rest)
    extra = token_kwargs(rest, parser, support_legacy=False)
    if len(extra) != given:
        raise template.TemplateSyntaxError(f"{bits[0]} takes key=value pairs after 'with'")
    nodelist = parser.parse(("slot", "endwrap"))
    slots = {}
    while (tag := parser.next_token()).contents != "endwrap":
        name = tag.split_contents()[1:]
        if len(name) != 1:
            raise template.TemplateSyntaxError("slot takes one name")
        slots[name[0]] = parser.parse(("slot", "endwrap"))
    return WrapNode(parser.compile_filter(bits[1]), extra, nodelist, slots)


_SORT_ICONS = {
    "asc": ' <i class="bi bi-caret-up-fill" aria-hidden="true"></i>',
    "desc": ' <i class="bi bi-caret-down-fill" aria-hidden="true"></i>',
}


@register.simple_tag
def sort_heading(link: dict, label) -> str:
    """A sortable column's heading link (crm_site.core.listing.sort_links gives
    `link`: its url and the current direction), as partials' _sort_header.html
    writes it, without a template of its own."""
    return format_html(
        '<a class="sort-link link-body-emphasis text-decoration-none" href="{}">{}{}</a>',
        link["url"],
        label,
        mark_safe(_SORT_ICONS.get(link["dir"], "")),  # noqa: S308 - constant markup
    )
