"""Whose move a complaint and a claim are, state by state (crm_site.core.handoff).

Complaint: the handler starts and investigates; once the findings are in,
the unit's supervisors propose the solution (a major one's goes to the unit's
managers for approval, and back to the handler if sent back); after the
supervisor marks it resolved, the written notice and the return visit are the
handler's again. Claim: the complaint's handler assesses the loss, the
unit's leads approve it (a manager above the unit's threshold) and record the
payout.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import Membership
from crm_site.core.handoff import Handoff, Move

from . import rules
from .claims import rules as claim_rules

SUPERVISORS = (Membership.Kind.SUPERVISOR,)
MANAGERS = (Membership.Kind.MANAGER,)
LEADS = (Membership.Kind.SUPERVISOR, Membership.Kind.MANAGER)


def complaint_moves(state: str) -> tuple[Move, ...]:
    table: dict[str, tuple[Move, ...]] = {
        rules.RECEIVED: (Move(_("Start the investigation"), person="handler"),),
        rules.INVESTIGATING: (
            Move(_("Record the findings"), person="handler", when={"cause": ""}),
            Move(_("Propose a solution"), unit_kinds=SUPERVISORS),
        ),
        rules.SENT_BACK: (Move(_("Rework the solution that was sent back"), person="handler"),),
        rules.PROPOSED: (Move(_("Mark the complaint resolved"), unit_kinds=SUPERVISORS),),
        rules.AWAITING_APPROVAL: (
            Move(_("Approve or send back the solution"), unit_kinds=MANAGERS),
        ),
        rules.APPROVED: (Move(_("Mark the complaint resolved"), unit_kinds=SUPERVISORS),),
        rules.RESOLVED: (
            Move(_("Notify the customer of the result in writing"), person="handler"),
        ),
        rules.NOTIFIED: (Move(_("Record the return visit"), person="handler"),),
    }
    return table.get(state, ())


def claim_moves(state: str) -> tuple[Move, ...]:
    table: dict[str, tuple[Move, ...]] = {
        claim_rules.ACCEPTED: (Move(_("Assess the loss"), person="complaint__handler"),),
        claim_rules.ASSESSED: (Move(_("Approve or reject the claim"), unit_kinds=LEADS),),
        claim_rules.APPROVED: (Move(_("Record the payout"), unit_kinds=LEADS),),
    }
    return table.get(state, ())


COMPLAINT = Handoff(
    model_label="complaints.complaint",
    label=pgettext_lazy("workflow", "Complaint"),
    moves=complaint_moves,
    # Their services write their own notices to the next mover.
    quiet=frozenset({"propose_major", "send_back", "assign"}),
    related=("customer",),
)

CLAIM = Handoff(
    model_label="complaints.claim",
    label=pgettext_lazy("workflow", "Claim"),
    moves=claim_moves,
    state_field="state",
    quiet=frozenset({"assess"}),
    related=("complaint",),
)
