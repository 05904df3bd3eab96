"""The shipped cadence follows the big-customer management plan (大客户管理方案):
D now asks for 2 visits a month (it shipped with 1).

A database whose rule in force still holds the earlier shipped value for a
grade gets the plan's value; a value an admin changed is left alone, and so
are the older versions (they are the history of what was in force). A
database without a rule yet gets the new default when the rule is first used
(customers.models.GradingRuleQuerySet.current).
"""

from django.db import migrations

# grade code -> (visits per month, calls per week): the earlier shipped value
# and the plan's value, for the grades whose default changed.
EARLIER = {"D": (1, 1)}
FROM_SOURCE = {"D": (2, 1)}
NOTE = "；默认走访频次按大客户管理方案更新（D级每月走访2次）"


def _move(apps, old: dict, new: dict, note: str) -> int:
    GradingRule = apps.get_model("customers", "GradingRule")
    rule = GradingRule.objects.order_by("-version").first()
    if rule is None:
        return 0
    definition = rule.definition
    changed = 0
    for grade in definition.get("grades", []):
        code = grade.get("code")
        if code not in old:
            continue
        held = (int(grade.get("visits_per_month", 0)), int(grade.get("calls_per_week", 0)))
        if held == old[code]:
            grade["visits_per_month"], grade["calls_per_week"] = new[code]
            changed += 1
    if changed:
        rule.definition = definition
        fields = ["definition"]
        if note and note not in rule.note and len(rule.note) + len(note) <= 200:
            rule.note += note
            fields.append("note")
        elif not note and NOTE in rule.note:
            rule.note = rule.note.replace(NOTE, "")
            fields.append("note")
        rule.save(update_fields=fields)
    return changed


def forwards(apps, schema_editor):
    _move(apps, EARLIER, FROM_SOURCE, NOTE)


def backwards(apps, schema_editor):
    _move(apps, FROM_SOURCE, EARLIER, "")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0018_outlet_version_cargo_profile"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
