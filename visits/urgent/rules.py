"""Pure rules for urgent reports (巡访紧急报告): no ORM, no settings.

- the deadline to acknowledge: N working hours after the report is raised,
  over the work calendar in local time (weekends, holidays, 调休);
- the SLA badge a queue row shows (time left, due soon, overdue, escalated,
  acknowledged, resolved);
- which manager gets a report: the fewest open urgent reports, ties broken
  by id so the choice is stable.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_site.core import deadlines
from crm_site.core.workflow import Workflow

# Left to acknowledge, under which a row turns amber.
DUE_SOON = timedelta(hours=1)

PENDING, ROUTED, ACKNOWLEDGED, RESOLVED = "pending", "routed", "acknowledged", "resolved"
UNACKNOWLEDGED = (PENDING, ROUTED)
WORKABLE = (ROUTED, ACKNOWLEDGED)

# Routing is the background job's; the rest are the assigned manager's,
# except taking over, which is any manager's of the unit.
# Reassigning keeps the status (and the deadline to acknowledge).
WORKFLOW = Workflow(
    states=(PENDING, ROUTED, ACKNOWLEDGED, RESOLVED),
    actions={
        "route": ((PENDING,), ROUTED, "routed"),
        "acknowledge": ((ROUTED,), ACKNOWLEDGED, "acknowledged"),
        "resolve": (WORKABLE, RESOLVED, "resolved"),
        "reassign": (WORKABLE, None, "reassigned"),
        # A manager of the unit takes a report stuck in routing in hand themselves.
        "take_over": ((PENDING,), ACKNOWLEDGED, "taken_over"),
    },
)


def ack_deadline(raised_at_local: datetime, *, hours: float, calendar) -> datetime:
    """When the assigned manager must have acknowledged a report raised at
    `raised_at_local` (an aware local datetime): `hours` of working time later.

    Raised outside working hours, the clock starts at the next opening.
    """
    return deadlines.due_at(
        raised_at_local, deadlines.Policy(hours, deadlines.WORKING_HOURS), calendar
    )


@dataclass(frozen=True)
class Sla:
    """What the queue shows about the deadline to acknowledge.

    state: "time_left", "due_soon", "overdue", "escalated", "acknowledged",
    "resolved"; minutes: minutes left (time_left, due_soon) or past the
    deadline (overdue, escalated), else None; on_time: for acknowledged and
    resolved reports, whether acknowledgement came by the deadline.
    """

    state: str
    minutes: int | None = None
    on_time: bool | None = None

    @property
    def tone(self) -> str:
        return {
            "time_left": "success",
            "due_soon": "warning",
            "overdue": "danger",
            "escalated": "danger",
            "acknowledged": "info",
            "resolved": "secondary",
        }[self.state]

    @property
    def needs_attention(self) -> bool:
        return self.state in ("due_soon", "overdue", "escalated")


def sla(
    *,
    status: str,
    ack_deadline: datetime | None,
    acknowledged_at: datetime | None,
    escalated_at: datetime | None,
    now: datetime,
) -> Sla:
    state = deadlines.sla_state(
        due=ack_deadline,
        now=now,
        done=status in (ACKNOWLEDGED, RESOLVED),
        done_at=acknowledged_at,
        escalated_at=escalated_at,
        due_soon=DUE_SOON,
    )
    if state.state == deadlines.DONE:
        done = "resolved" if status == RESOLVED else "acknowledged"
        return Sla(done, on_time=state.on_time)
    return Sla(state.state, minutes=state.minutes)


def split_minutes(minutes: int) -> tuple[int, int, int]:
    """(days, hours, minutes) of a duration in minutes, for display."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    return days, hours, mins


def routing_overdue(*, status: str, raised_at: datetime, now: datetime, limit: timedelta) -> bool:
    """Still waiting to be routed `limit` after it was raised: stuck in routing."""
    return status == PENDING and now - raised_at > limit


def least_loaded(candidates: Iterable[tuple[int, int]]) -> int | None:
    """The id with the fewest open reports among (id, open_count) pairs; ties
    go to the smallest id, so the same data always picks the same person."""
    best = min(candidates, key=lambda c: (c[1], c[0]), default=None)
    return best[0] if best else None
