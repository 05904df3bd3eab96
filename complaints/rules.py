"""Pure complaint rules: the transition table, deadline arithmetic, audio sniffing.

No ORM and no settings, so these test without a database. Status and action
names are the plain strings stored in the database (complaints.models.Status).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm_site.core.workcal import WorkCalendar
from crm_site.core.xlsx import looks_like_formula

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
    from_statuses: tuple[str, ...]
    reason: str | Promise  # shown when the action is refused in another status


# In the order the detail page offers them: the next step first.
ACTIONS = {
    a.name: a
    for a in [
        Action(
            "start",
            _("Start investigation"),
            (RECEIVED,),
            _("Only a newly received complaint can be taken into investigation."),
        ),
        Action(
            "propose",
            _("Propose solution"),
            (INVESTIGATING, SENT_BACK),
            _(
                "A solution can be proposed only while the complaint is under investigation "
                "or after its solution was sent back."
            ),
        ),
        Action(
            "approve",
            _("Approve solution"),
            (AWAITING_APPROVAL,),
            _("Only a major complaint whose solution awaits approval can be approved."),
        ),
        Action(
            "send_back",
            _("Send back"),
            (AWAITING_APPROVAL,),
            _("Only a major complaint whose solution awaits approval can be sent back."),
        ),
        Action(
            "resolve",
            _("Mark resolved"),
            (PROPOSED, APPROVED),
            _("A complaint can be marked resolved only once its solution is settled."),
        ),
        Action(
            "notify",
            _("Record written notice"),
            (RESOLVED,),
            _("The customer can be notified in writing only after the complaint is resolved."),
        ),
        Action(
            "return_visit",
            _("Record return visit"),
            (NOTIFIED,),
            _("A return visit can be recorded only after the customer was notified in writing."),
        ),
        Action(
            "findings",
            _("Record findings"),
            (INVESTIGATING, SENT_BACK),
            _("Findings can be recorded only while the complaint is under investigation."),
        ),
        Action(
            "assign",
            _("Assign handler"),
            OPEN,
            _("A handler can be assigned only while the complaint is open."),
        ),
        Action(
            "recording",
            _("Attach recording"),
            OPEN + (RESOLVED, NOTIFIED),
            _("A closed complaint takes no more recordings."),
        ),
    ]
}


def check(action: str, *, status: str, severity: str) -> None:
    """Raise IllegalTransition unless `action` applies to a complaint in `status`."""
    spec = ACTIONS[action]
    if action == "resolve" and severity == MAJOR:
        # A major complaint's solution needs a manager's approval before it
        # is resolved (客户服务管理制度 第12条).
        if status != APPROVED:
            raise IllegalTransition(
                _(
                    "A major complaint can be marked resolved only after a manager "
                    "approved its solution."
                )
            )
        return
    if action == "resolve" and status != PROPOSED:
        raise IllegalTransition(spec.reason)
    if status not in spec.from_statuses:
        raise IllegalTransition(spec.reason)


def allows(action: str, *, status: str, severity: str) -> bool:
    try:
        check(action, status=status, severity=severity)
    except IllegalTransition:
        return False
    return True


def status_after(action: str, *, status: str, severity: str, satisfied: bool | None = None) -> str:
    """The status a complaint moves to; raises IllegalTransition if not allowed."""
    check(action, status=status, severity=severity)
    if action == "start":
        return INVESTIGATING
    if action == "propose":
        return AWAITING_APPROVAL if severity == MAJOR else PROPOSED
    if action == "approve":
        return APPROVED
    if action == "send_back":
        return SENT_BACK
    if action == "resolve":
        return RESOLVED
    if action == "notify":
        return NOTIFIED
    if action == "return_visit":
        # Unsatisfied reopens the complaint (确定每一项投诉均已得到解决).
        return CLOSED if satisfied else INVESTIGATING
    return status  # findings, assign, recording: no change


# --- deadlines ---------------------------------------------------------------

REMINDER_BEFORE = timedelta(hours=24)


def deadline_for(received_at: datetime, working_days: int, calendar: WorkCalendar) -> datetime:
    """Close of business on the `working_days`-th working day after the day of receipt.

    `received_at` is a local (aware) datetime; the result has its tzinfo. A
    complaint received on a day off counts from that day like any other, so
    1 working day from a Saturday is the Monday (or the make-up Sunday, 调休).
    """
    day = calendar.add_working_days(received_at.date(), working_days)
    return datetime.combine(day, calendar.day_end, tzinfo=received_at.tzinfo)


def reminder_due_at(deadline: datetime) -> datetime:
    return deadline - REMINDER_BEFORE


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


def excel_safe(value):
    """Text a spreadsheet would read as a formula gets a leading apostrophe, shown
    in the register's file (what "formula-like" means: crm_site.core.xlsx)."""
    if looks_like_formula(value):
        return "'" + value
    return value


def rate(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal, None when nothing to divide."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)
