"""Default categories, deadlines and regulatory limits (also seeded by
migrations 0002 and 0009); admins edit them."""

import math

from .models import ComplaintCategory, DeadlinePolicy, RegulatoryLimit

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
# 限时服务: A-grade customers get half the default working time, rounded up.
GREEN_CHANNEL_GRADE = "A"
REGULATORY_LIMITS = [
    (
        RegulatoryLimit.Kind.DIRECT,
        7,
        "快递暂行条例 第二十八条",
        "用户对快递服务质量不满意的，可以向经营快递业务的企业投诉，"
        "经营快递业务的企业应当自接到投诉之日起7日内予以处理并告知用户。",
    ),
    (
        RegulatoryLimit.Kind.POSTAL_12305,
        7,
        "12305 邮政业用户申诉转办通知",
        "邮政管理部门（12305 邮政业用户申诉）转来的申诉，按转办通知载明的期限处理并答复用户；"
        "登记时录入通知上的期限，未录入的按本条天数计算。",
    ),
]


def defaults_ensure() -> None:
    """Create missing default rows (a flushed test database, a fresh demo)."""
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        ComplaintCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
    for severity, days in DEADLINES:
        DeadlinePolicy.objects.get_or_create(
            severity=severity, category=None, customer_grade="", defaults={"working_days": days}
        )
        DeadlinePolicy.objects.get_or_create(
            severity=severity,
            category=None,
            customer_grade=GREEN_CHANNEL_GRADE,
            defaults={"working_days": max(1, math.ceil(days / 2))},
        )
    for kind, days, source, text in REGULATORY_LIMITS:
        RegulatoryLimit.objects.get_or_create(
            kind=kind, defaults={"calendar_days": days, "source": source, "source_text": text}
        )
