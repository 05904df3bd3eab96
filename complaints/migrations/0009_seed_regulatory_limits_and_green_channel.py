"""The regulatory time limits (with the text they come from), the A-grade
green-channel deadline policies, and the regulatory due date of the
complaints logged before it existed."""

import math
from datetime import timedelta

from django.db import migrations
from django.db.models import F
from django.utils import timezone

DIRECT_SOURCE = "快递暂行条例 第二十八条"
DIRECT_TEXT = (
    "用户对快递服务质量不满意的，可以向经营快递业务的企业投诉，"
    "经营快递业务的企业应当自接到投诉之日起7日内予以处理并告知用户。"
)
TRANSFER_SOURCE = "12305 邮政业用户申诉转办通知"
TRANSFER_TEXT = (
    "邮政管理部门（12305 邮政业用户申诉）转来的申诉，按转办通知载明的期限处理并答复用户；"
    "登记时录入通知上的期限，未录入的按本条天数计算。"
)
LIMITS = [
    ("direct", 7, DIRECT_SOURCE, DIRECT_TEXT),
    ("postal_12305", 7, TRANSFER_SOURCE, TRANSFER_TEXT),
]
# 限时服务: an A-grade customer's complaint gets half the working time of the
# default policy, rounded up to whole working days (the policies' unit).
GREEN_CHANNEL_GRADE = "A"


def seed(apps, schema_editor):
    Limit = apps.get_model("complaints", "RegulatoryLimit")
    Policy = apps.get_model("complaints", "DeadlinePolicy")
    Complaint = apps.get_model("complaints", "Complaint")
    for kind, days, source, text in LIMITS:
        Limit.objects.get_or_create(
            kind=kind, defaults={"calendar_days": days, "source": source, "source_text": text}
        )
    defaults = Policy.objects.filter(category__isnull=True, customer_grade="")
    for policy in defaults:
        Policy.objects.get_or_create(
            severity=policy.severity,
            category=None,
            customer_grade=GREEN_CHANNEL_GRADE,
            defaults={"working_days": max(1, math.ceil(policy.working_days / 2))},
        )
    # Complaints logged before: 7 days from receipt; those already past it are
    # marked as warned, so the first sweep does not send a warning for each.
    Complaint.objects.filter(regulatory_due__isnull=True).update(
        regulatory_due=F("received_at") + timedelta(days=7), regulatory_source=DIRECT_SOURCE
    )
    Complaint.objects.filter(notified_on__isnull=False).update(
        regulatory_answered_on=F("notified_on")
    )
    soon = timezone.now() + timedelta(days=1)
    Complaint.objects.filter(regulatory_due__lt=soon).update(
        regulatory_reminded_at=timezone.now(), regulatory_escalated_at=timezone.now()
    )


def unseed(apps, schema_editor):
    # Back to one policy per severity, so the severity can be unique again.
    Policy = apps.get_model("complaints", "DeadlinePolicy")
    Policy.objects.exclude(category__isnull=True, customer_grade="").delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_channels_regulatory_clock_pauses_policies")]

    operations = [migrations.RunPython(seed, unseed)]
