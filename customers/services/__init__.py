"""Writes to the customer book.

Every function is keyword-only, runs in one transaction and writes its history
row (CustomerChange, GradeChange) in it; side effects are sent on commit.
Split by topic; import from here: `from customers import services`.
"""

from .book import (
    assignment_conflict,
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_pin_grade,
    customer_unpin_grade,
    customer_update,
    customers_reassign,
    scope_unit_list,
    scope_units,
    scope_users,
)
from .imports import (
    customer_import_apply,
    customer_import_check,
    customer_import_request_apply,
    customer_import_upload,
    customer_imports_purge,
    customer_imports_sweep,
)
from .rules import (
    RulePreview,
    grading_rule_preview,
    grading_rule_save,
    regrade_quarterly_start,
    regrade_run_execute,
    regrade_run_start,
    regrade_runs_sweep,
)

__all__ = [
    "RulePreview",
    "assignment_conflict",
    "contact_create",
    "contact_delete",
    "contact_update",
    "customer_create",
    "customer_import_apply",
    "customer_import_check",
    "customer_import_request_apply",
    "customer_import_upload",
    "customer_imports_purge",
    "customer_imports_sweep",
    "customer_pin_grade",
    "customer_unpin_grade",
    "customer_update",
    "customers_reassign",
    "grading_rule_preview",
    "grading_rule_save",
    "regrade_quarterly_start",
    "regrade_run_execute",
    "regrade_run_start",
    "regrade_runs_sweep",
    "scope_unit_list",
    "scope_units",
    "scope_users",
]
