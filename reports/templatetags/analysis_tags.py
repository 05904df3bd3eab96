from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """An amount in 万元 for a table whose header names the unit: 1234.5 -> "1,234.50"."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return "—"
