"""The POST a browser sends to log a complaint (客户投诉记录表)."""

import uuid

from django.utils import timezone

from complaints.models import ComplaintCategory


def complaint_post(customer, /, *, category: str = "delay", **extra) -> dict:
    """A valid phone complaint about `customer` received now, in the category
    with code `category`; `extra` overrides or adds fields."""
    return {
        "form_token": str(uuid.uuid4()),
        "customer": customer.code,
        "channel": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "complainant": "王先生",
        "contact_phone": "13800000000",
        "content": "货物比约定晚到两天。",
        "demand": "说明原因",
        "category": ComplaintCategory.objects.get(code=category).pk,
        "severity": "normal",
    } | extra
