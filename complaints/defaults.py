"""Default categories and deadlines (also seeded by migration 0002); admins edit both."""

from .models import ComplaintCategory, DeadlinePolicy

CATEGORIES = [
    ("delay", "延误", "Delay"),
    ("damage", "货物破损", "Damage"),
    ("loss", "货物丢失", "Loss"),
    ("wrong_delivery", "错发错送", "Wrong delivery"),
    ("attitude", "服务态度", "Staff attitude"),
    ("billing", "费用结算", "Billing"),
    ("information", "信息服务", "Information"),
    ("other", "其他", "Other"),
]
DEADLINES = [("normal", 5), ("major", 3)]


def defaults_ensure() -> None:
    """Create missing default rows (a flushed test database, a fresh demo)."""
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        ComplaintCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
    for severity, days in DEADLINES:
        DeadlinePolicy.objects.get_or_create(severity=severity, defaults={"working_days": days})
