"""The shipped cadence is the big-customer management plan's table (大客户管理方案):
new databases get it, existing ones keep what their admins edited, and the
grading page says where the defaults come from."""

import copy
import importlib

import pytest
from django.apps import apps

from customers.grading import DEFAULT_DEFINITION
from customers.models import GradingRule

pytestmark = pytest.mark.django_db

migration = importlib.import_module("customers.migrations.0019_default_cadence_from_source")


def _with_d(visits: int, calls: int) -> dict:
    definition = copy.deepcopy(DEFAULT_DEFINITION)
    for grade in definition["grades"]:
        if grade["code"] == "D":
            grade["visits_per_month"], grade["calls_per_week"] = visits, calls
    return definition


def _cadence(rule: GradingRule) -> dict:
    return {code: (c.visits_per_month, c.calls_per_week) for code, c in rule.cadence().items()}


def test_a_new_database_gets_the_plans_cadence():
    assert _cadence(GradingRule.objects.current()) == {
        "A": (3, 2),
        "B": (2, 2),
        "C": (1, 2),
        "D": (2, 1),
    }


def test_an_existing_rule_still_holding_the_earlier_default_gets_the_plans_value():
    GradingRule.objects.create(version=1, definition=_with_d(1, 1), note="默认规则")
    migration.forwards(apps, None)
    rule = GradingRule.objects.get(version=1)
    assert _cadence(rule)["D"] == (2, 1)
    assert _cadence(rule)["A"] == (3, 2)  # the other grades as they were
    assert rule.note.startswith("默认规则") and "大客户管理方案" in rule.note


def test_a_cadence_the_admin_edited_is_kept():
    GradingRule.objects.create(version=1, definition=_with_d(1, 1))
    GradingRule.objects.create(version=2, definition=_with_d(4, 1), note="D级加强走访")
    migration.forwards(apps, None)
    assert _cadence(GradingRule.objects.get(version=2))["D"] == (4, 1)
    # An older version is the history of what was in force: left as it was.
    assert _cadence(GradingRule.objects.get(version=1))["D"] == (1, 1)
    assert GradingRule.objects.get(version=2).note == "D级加强走访"


def test_an_edited_call_cadence_counts_as_edited():
    GradingRule.objects.create(version=1, definition=_with_d(1, 3))
    migration.forwards(apps, None)
    assert _cadence(GradingRule.objects.get())["D"] == (1, 3)


def test_the_migration_creates_no_rule_and_runs_twice_harmlessly():
    migration.forwards(apps, None)
    assert not GradingRule.objects.exists()
    GradingRule.objects.create(version=1, definition=_with_d(1, 1), note="默认规则")
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    rule = GradingRule.objects.get()
    assert _cadence(rule)["D"] == (2, 1) and rule.note.count("大客户管理方案") == 1
    migration.backwards(apps, None)
    rule.refresh_from_db()
    assert _cadence(rule)["D"] == (1, 1) and rule.note == "默认规则"


def test_the_grading_page_names_the_source_of_the_defaults(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/customers/grading/")
    html = response.content.decode()
    assert "默认值来源：《大客户管理方案》" in html
    assert "D级走访2次+电话1次" in html
    d = next(f for f in response.context["editor"].grades.initial_forms if f.initial["code"] == "D")
    assert (d.initial["visits_per_month"], d.initial["calls_per_week"]) == (2, 1)
