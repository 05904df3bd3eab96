"""Whose move a monthly patrol summary is (crm_site.core.handoff): the unit's
supervisors annotate and submit it, its managers review it."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import Membership
from crm_site.core.handoff import Handoff, Move

from .models import MonthlyPatrolSummary

_S = MonthlyPatrolSummary.Status


def summary_moves(state: str) -> tuple[Move, ...]:
    table: dict[str, tuple[Move, ...]] = {
        _S.DRAFT: (
            Move(_("Annotate and submit the summary"), unit_kinds=(Membership.Kind.SUPERVISOR,)),
        ),
        _S.SUBMITTED: (Move(_("Review the summary"), unit_kinds=(Membership.Kind.MANAGER,)),),
    }
    return table.get(state, ())


SUMMARY = Handoff(
    model_label="reports.monthlypatrolsummary",
    label=pgettext_lazy("workflow", "Monthly summary"),
    moves=summary_moves,
    # Submitting notifies the managers with the summary's figures.
    quiet=frozenset({"submit"}),
    related=("unit",),
    order=("-month", "-pk"),
)
