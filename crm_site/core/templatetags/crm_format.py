"""Numbers and dates the Chinese way: 万元 with two decimals, percentages, 12月7日 周一."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

from crm_site.core import dates

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def wan(value):
    """1234.5 -> "1,234.50 万元" (amounts are stored in 万元)."""
    number = _decimal(value)
    if number is None:
        return "—"
    amount = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _("%(amount)s 10k CNY") % {"amount": f"{amount:,.2f}"}


@register.filter
def percent(value, digits: int = 1):
    """0.8765 -> "87.7%"; None -> "—"."""
    number = _decimal(value)
    if number is None:
        return "—"
    places = Decimal(1).scaleb(-int(digits))
    return f"{(number * 100).quantize(places, rounding=ROUND_HALF_UP)}%"


@register.filter
def day_label(value, arg: str = ""):
    """A day the reader's way: 12月7日 周一; `|day_label:"year"` always shows the year."""
    return dates.day_label(value, year=True if arg == "year" else None)


@register.filter
def month_label(value):
    """2026年11月 (2026-11 in English)."""
    return dates.month_label(value)


@register.filter
def moment_label(value, arg: str = ""):
    """A date-time the reader's way: 12月7日 周一 14:30 (2026-12-07 14:30 in English)."""
    return dates.moment_label(value, year=True if arg == "year" else None)


@register.filter
def day_time(value, arg: str = ""):
    """The day label in a <time> whose title keeps the full date (the label may hide the year)."""
    return dates.day_html(value, year=True if arg == "year" else None)


@register.filter
def moment_time(value, arg: str = ""):
    """The date-time label in a <time> whose title keeps the full date and time."""
    return dates.moment_html(value, year=True if arg == "year" else None)
