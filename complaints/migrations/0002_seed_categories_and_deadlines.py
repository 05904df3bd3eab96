"""The complaint categories of DESIGN.md and the default deadlines; admins edit both."""

from django.db import migrations

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

# Working days from receipt to resolution. Major complaints are handled first
# (seed 003 第12条: 情节重大…提前加以处理), so their deadline is shorter.
DEADLINES = [("normal", 5), ("major", 3)]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "ComplaintCategory")
    Policy = apps.get_model("complaints", "DeadlinePolicy")
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
    for severity, days in DEADLINES:
        Policy.objects.get_or_create(severity=severity, defaults={"working_days": days})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
