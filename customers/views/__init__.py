"""HTTP only: scope check -> form -> service -> redirect/render."""

from .book import (
    autocomplete,
    contact_create,
    contact_delete,
    contact_edit,
    customer_create,
    customer_detail,
    customer_edit,
    customer_history,
    customer_list,
    customers_reassign,
    pin_grade,
    unpin_grade,
)
from .excel import customer_export, customer_import, import_apply, import_preview, import_template
from .grading import grading_rules, regrade_now, regrade_run, rule_version

__all__ = [
    "autocomplete",
    "contact_create",
    "contact_delete",
    "contact_edit",
    "customer_create",
    "customer_detail",
    "customer_edit",
    "customer_history",
    "customer_export",
    "customer_import",
    "customer_list",
    "customers_reassign",
    "grading_rules",
    "import_apply",
    "import_preview",
    "import_template",
    "pin_grade",
    "regrade_now",
    "regrade_run",
    "rule_version",
    "unpin_grade",
]
