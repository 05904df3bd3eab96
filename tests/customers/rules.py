"""Building grading-rule definitions and the rule page's POST data in tests."""

import copy

from customers.grading import DEFAULT_DEFINITION
from customers.services.rules import definition_digest


def definition(**changes) -> dict:
    """The default rule with grades' minimum points changed: definition(A=101, C=50)."""
    d = copy.deepcopy(DEFAULT_DEFINITION)
    for g in d["grades"]:
        if g["code"] in changes:
            g["min_points"] = changes[g["code"]]
    return d


def rule_post(d: dict, action: str = "preview", note: str = "", digest: str | None = None) -> dict:
    data = {
        "grades-TOTAL_FORMS": len(d["grades"]),
        "grades-INITIAL_FORMS": len(d["grades"]),
        "grades-MIN_NUM_FORMS": 1,
        "grades-MAX_NUM_FORMS": 12,
        "bands-TOTAL_FORMS": len(d["revenue_bands"]),
        "bands-INITIAL_FORMS": len(d["revenue_bands"]),
        "bands-MIN_NUM_FORMS": 0,
        "bands-MAX_NUM_FORMS": 20,
        "note": note,
        "action": action,
    }
    for i, g in enumerate(d["grades"]):
        for key in ("code", "name", "order", "min_points", "visits_per_month", "calls_per_week"):
            data[f"grades-{i}-{key}"] = g.get(key, g["code"] if key == "name" else 0)
    for i, b in enumerate(d["revenue_bands"]):
        data[f"bands-{i}-min"] = b["min"]
        data[f"bands-{i}-points"] = b["points"]
    for group in ("scale", "trend", "nature"):
        for value, points in d.get(group, {}).items():
            data[f"{group}_{value}"] = points
    if action == "save":
        data["digest"] = digest if digest is not None else definition_digest(d)
    return data
