"""Whose move a daily report and an urgent report are (crm_site.core.handoff).

Daily report: its author files and submits it (and corrects it when it was
returned); the unit's supervisors review it. Urgent report: routing is the
background job's; then the assigned manager acknowledges and resolves it.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import Membership
from crm_site.core.handoff import Handoff, Move

from .models import DailyReport
from .urgent import rules as urgent_rules

_S = DailyReport.Status


def daily_report_moves(state: str) -> tuple[Move, ...]:
    table: dict[str, tuple[Move, ...]] = {
        _S.DRAFT: (Move(_("Finish and submit the report"), person="user"),),
        _S.SUBMITTED: (Move(_("Review the report"), unit_kinds=(Membership.Kind.SUPERVISOR,)),),
        _S.RETURNED: (Move(_("Correct the report and resubmit it"), person="user"),),
    }
    return table.get(state, ())


def urgent_report_moves(state: str) -> tuple[Move, ...]:
    table: dict[str, tuple[Move, ...]] = {
        urgent_rules.ROUTED: (Move(_("Acknowledge the urgent report"), person="assignee"),),
        urgent_rules.ACKNOWLEDGED: (Move(_("Resolve the urgent report"), person="assignee"),),
    }
    return table.get(state, ())


DAILY_REPORT = Handoff(
    model_label="visits.dailyreport",
    label=pgettext_lazy("workflow", "Daily report"),
    moves=daily_report_moves,
    # A return writes its own notice with the supervisor's comment.
    quiet=frozenset({"return"}),
    related=("user",),
)

URGENT_REPORT = Handoff(
    model_label="visits.urgentreport",
    label=pgettext_lazy("workflow", "Urgent report"),
    moves=urgent_report_moves,
    # Routing and reassigning notify the manager with the deadline to acknowledge.
    quiet=frozenset({"route", "reassign"}),
)
