"""Pure complaint rules: the transition table, deadline arithmetic, audio sniffing.

No ORM and no settings, so these test without a database. Status and action
names are the plain strings stored in the database (complaints.models.Status).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm_site.core import deadlines
from crm_site.core.workcal import WorkCalendar
from crm_site.core.workflow import Workflow

# --- transitions -------------------------------------------------------------

RECEIVED = "received"
INVESTIGATING = "investigating"
PROPOSED = "proposed"
AWAITING_APPROVAL = "awaiting_approval"
APPROVED = "approved"
SENT_BACK = "sent_back"
RESOLVED = "resolved"
NOTIFIED = "notified"
CLOSED = "closed"
OPEN = (RECEIVED, INVESTIGATING, PROPOSED, AWAITING_APPROVAL, APPROVED, SENT_BACK)
MAJOR = "major"


class IllegalTransition(Exception):
    """The action does not apply to a complaint in this status; `reason` says why."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    reason: str | Promise  # shown when the action is refused in another status


# In the order the detail page offers them: the next step first.
ACTIONS = {
    a.name: a
    for a in [
        Action(
            "start",
            _("Start investigation"),
            _("Only a newly received complaint can be taken into investigation."),
        ),
        Action(
            "propose",
            _("Propose solution"),
            _(
                "A solution can be proposed only while the complaint is under investigation "
                "or after its solution was sent back."
            ),
        ),
        Action(
            "approve",
            _("Approve solution"),
            _("Only a major complaint whose solution awaits approval can be approved."),
        ),
        Action(
            "send_back",
            _("Send back"),
            _("Only a major complaint whose solution awaits approval can be sent back."),
        ),
        Action(
            "resolve",
            _("Mark resolved"),
            _("A complaint can be marked resolved only once its solution is settled."),
        ),
        Action(
            "notify",
            _("Record the notice to the customer"),
            _("The customer can be notified only after the complaint is resolved."),
        ),
        Action(
            "return_visit",
            _("Record return visit"),
            _("A return visit can be recorded only after the customer was notified."),
        ),
        Action(
            "findings",
            _("Record findings"),
            _("Findings can be recorded only while the complaint is under investigation."),
        ),
        Action(
            "assign",
            _("Assign handler"),
            _("A handler can be assigned only while the complaint is open."),
        ),
        Action(
            "recording",
            _("Attach recording"),
            _("A closed complaint takes no more recordings."),
        ),
        Action(
            "pause",
            _("Pause the clock"),
            _("Only an open complaint whose clock runs can be paused."),
        ),
        Action(
            "resume",
            _("Resume the clock"),
            _("Only a paused complaint can be resumed."),
        ),
        Action(
            "waybills",
            _("Edit waybill numbers"),
            _("A closed complaint's waybill numbers can no longer be changed."),
        ),
    ]
}


# The transition table as data (crm_site.core.workflow). Where the severity or
# the return visit's verdict picks the next status, each outcome is its own
# workflow action: `workflow_action` says which one an action here becomes.
STATUSES = (*OPEN, RESOLVED, NOTIFIED, CLOSED)
WORKFLOW = Workflow(
    states=STATUSES,
    actions={
        "start": ((RECEIVED,), INVESTIGATING, "investigation_started"),
        "propose": ((INVESTIGATING, SENT_BACK), PROPOSED, "proposed"),
        "propose_major": ((INVESTIGATING, SENT_BACK), AWAITING_APPROVAL, "proposed"),
        "approve": ((AWAITING_APPROVAL,), APPROVED, "approved"),
        "send_back": ((AWAITING_APPROVAL,), SENT_BACK, "sent_back"),
        "resolve": ((PROPOSED,), RESOLVED, "resolved"),
        "resolve_major": ((APPROVED,), RESOLVED, "resolved"),
        "notify": ((RESOLVED,), NOTIFIED, "notified"),
        "close": ((NOTIFIED,), CLOSED, "closed"),
        "reopen": ((NOTIFIED,), INVESTIGATING, "reopened"),
        "findings": ((INVESTIGATING, SENT_BACK), None, "findings"),
        "assign": (OPEN, None, "assigned"),
        "recording": ((*OPEN, RESOLVED, NOTIFIED), None, "recording"),
        # Stopping and restarting the internal clock leave the status as it
        # is; whether the clock runs is the complaint's paused_since.
        "pause": (OPEN, None, "paused"),
        "resume": (OPEN, None, "resumed"),
        "waybills": ((*OPEN, RESOLVED, NOTIFIED), None, "waybills"),
        # Two complaints about one waybill become one (complaints.services.merge):
        # the merged one is closed, the survivor's timeline records it.
        "merge": ((*OPEN, RESOLVED, NOTIFIED, CLOSED), CLOSED, "merged"),
        "merge_received": ((*OPEN, RESOLVED, NOTIFIED, CLOSED), None, "merge_received"),
    },
)


def workflow_action(action: str, *, severity: str, satisfied: bool | None = None) -> str:
    """The WORKFLOW action that `action` is for a complaint of `severity`."""
    if action in ("propose", "resolve") and severity == MAJOR:
        return f"{action}_major"
    if action == "return_visit":
        # Unsatisfied reopens the complaint (确定每一项投诉均已得到解决).
        return "close" if satisfied else "reopen"
    return action


# What may be done while the internal clock is stopped: the status waits
# with the clock, so the steps that move it come after resuming.
WHILE_PAUSED = {"resume", "findings", "assign", "recording"}


def check(action: str, *, status: str, severity: str, paused: bool = False) -> None:
    """Raise IllegalTransition unless `action` applies to a complaint in
    `status` (and, with `paused`, whose internal clock is stopped)."""
    if paused and action not in WHILE_PAUSED:
        raise IllegalTransition(
            _("The complaint's clock is paused: resume it first.")
            if action != "pause"
            else ACTIONS["pause"].reason
        )
    if action == "resume" and not paused:
        raise IllegalTransition(ACTIONS["resume"].reason)
    # Closing and reopening start from the same status: either verdict will do.
    name = workflow_action(action, severity=severity, satisfied=True)
    if WORKFLOW.allows(name, status):
        return
    if name == "resolve_major":
        # A major complaint's solution needs a manager's approval before it
        # is resolved (客户服务管理制度 第12条).
        raise IllegalTransition(
            _(
                "A major complaint can be marked resolved only after a manager "
                "approved its solution."
            )
        )
    raise IllegalTransition(ACTIONS[action].reason)


def allows(action: str, *, status: str, severity: str, paused: bool = False) -> bool:
    try:
        check(action, status=status, severity=severity, paused=paused)
    except IllegalTransition:
        return False
    return True


def status_after(action: str, *, status: str, severity: str, satisfied: bool | None = None) -> str:
    """The status a complaint moves to; raises IllegalTransition if not allowed."""
    check(action, status=status, severity=severity)
    name = workflow_action(action, severity=severity, satisfied=satisfied)
    return WORKFLOW.target(name, status)


# --- deadlines ---------------------------------------------------------------

REMINDER_BEFORE = timedelta(hours=24)


def deadline_for(received_at: datetime, working_days: int, calendar: WorkCalendar) -> datetime:
    """Close of business on the `working_days`-th working day after the day of receipt.

    `received_at` is a local (aware) datetime; the result has its tzinfo. A
    complaint received on a day off counts from that day like any other, so
    1 working day from a Saturday is the Monday (or the make-up Sunday, 调休).
    """
    policy = deadlines.Policy(working_days, deadlines.WORKING_DAYS)
    return deadlines.due_at(received_at, policy, calendar)


def reminder_due_at(deadline: datetime) -> datetime:
    return deadline - REMINDER_BEFORE


def most_specific(policies):
    """The policy that wins among those matching a complaint: one for the
    customer's grade beats one for the category (the green channel is a
    promise to the customer), and one for both beats either; "any" loses.
    None when nothing matches."""
    ranked = sorted(
        policies, key=lambda p: (bool(p.customer_grade), p.category_id is not None), reverse=True
    )
    return ranked[0] if ranked else None


def regulatory_due_for(received_at: datetime, calendar_days: int) -> datetime:
    """The regulator's due time: `calendar_days` calendar days from receipt,
    to the second; holidays and make-up days (调休) do not move it
    (快递暂行条例 第二十八条: 自接到投诉之日起7日内)."""
    policy = deadlines.Policy(calendar_days, deadlines.CALENDAR_DAYS)
    return deadlines.due_at(received_at, policy, WorkCalendar())


# Written notice means; a major complaint's outcome may not go by phone only.
PHONE_NOTICE = "phone"


def notice_means_allowed(means: str, *, severity: str) -> bool:
    """A general complaint's outcome may be told by phone (客户服务管理制度 第12条:
    书面或电话); a major one's still needs a written notice."""
    return not (means == PHONE_NOTICE and severity == MAJOR)


# --- recordings --------------------------------------------------------------

MAX_RECORDING_BYTES = 20 * 1024 * 1024

# Detected type -> stored extension.
AUDIO_EXTENSION = {
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "audio/ogg": ".ogg",
}
# The uploader's extension -> the types its bytes may be.
ALLOWED_EXTENSIONS = {
    ".mp3": {"audio/mpeg"},
    ".wav": {"audio/wav"},
    ".m4a": {"audio/mp4"},
    ".aac": {"audio/aac", "audio/mp4"},
    ".amr": {"audio/amr"},
    ".ogg": {"audio/ogg"},
}
MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"3gp4", b"3gp5"}


def sniff_audio(head: bytes) -> str | None:
    """The audio type the first bytes of a file announce, or None."""
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_AUDIO_BRANDS:
        return "audio/mp4"
    if len(head) >= 3 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word, layer 00
            return "audio/aac"
        layer = (head[1] >> 1) & 0x3
        version = (head[1] >> 3) & 0x3
        bitrate = head[2] >> 4
        if head[1] & 0xE0 == 0xE0 and layer != 0 and version != 1 and bitrate != 0xF:
            return "audio/mpeg"  # MPEG audio frame without an ID3 tag
    return None


def declared_type_is_audio(content_type: str) -> bool:
    """Browsers label audio loosely (audio/x-m4a, audio/vnd.wave); anything
    else that names a type (text/html, image/png...) is refused."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    return content_type in ("", "application/octet-stream") or content_type.startswith("audio/")


# --- spreadsheets ------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal, None when nothing to divide."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)
