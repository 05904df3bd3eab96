"""`{% link 'app:name' id ... %}`: `{% url %}` for addresses whose arguments
are ids (or none), reversed once per process (crm_site.core.links.address).
A page that links one customer a dozen ways pays reverse() once per name."""

from django import template

from crm_site.core import links

register = template.Library()


@register.simple_tag
def link(name: str, *ids: int) -> str:
    return links.address(name, *ids)
