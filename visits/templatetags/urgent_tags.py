"""Display helpers for urgent reports (durations of the SLA badges)."""

from django import template
from django.utils.translation import gettext as _

from crm_site.core.templatetags.crm_status import status_tone

from ..urgent.rules import split_minutes

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """Minutes as "1 d 3 h", "2 h 15 min" or "40 min" (in the current language)."""
    if minutes is None:
        return ""
    days, hours, mins = split_minutes(int(minutes))
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)s min") % {"minutes": mins}


register.filter("urgent_status_tone", status_tone)
