"""The colour of a workflow state's badge, for every workflow's status badge."""

from django import template

register = template.Library()

# Bootstrap colours by state: complaints, daily reports, urgent reports. A state
# name two workflows share means the same in both (resolved: done, success).
STATUS_TONES = {
    # complaints
    "received": "secondary",
    "investigating": "info",
    "proposed": "primary",
    "awaiting_approval": "warning",
    "approved": "primary",
    "sent_back": "danger",
    "resolved": "success",
    "notified": "success",
    "closed": "dark",
    # daily reports
    "draft": "secondary",
    "submitted": "primary",
    "reviewed": "success",
    "returned": "warning",
    # urgent reports
    "pending": "secondary",
    "routed": "primary",
    "acknowledged": "info",
}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "secondary")
