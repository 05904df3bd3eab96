"""Pure claim rules: the states and their transitions, who approves which
amount, and what an evidence file may be. No ORM, no settings."""

from decimal import ROUND_HALF_UP, Decimal

from crm_site.core.workflow import Workflow

ACCEPTED = "accepted"  # 受理
ASSESSED = "assessed"  # 定损
APPROVED = "approved"  # 审批 (passed)
PAID = "paid"  # 赔付
REJECTED = "rejected"  # 拒赔
OPEN = (ACCEPTED, ASSESSED, APPROVED)
CLOSED = (PAID, REJECTED)
STATES = (*OPEN, *CLOSED)

WORKFLOW = Workflow(
    states=STATES,
    actions={
        "assess": ((ACCEPTED, ASSESSED), ASSESSED, "assessed"),
        "approve": ((ASSESSED,), APPROVED, "approved"),
        "pay": ((APPROVED,), PAID, "paid"),
        "reject": ((ACCEPTED, ASSESSED), REJECTED, "rejected"),
        "evidence": (OPEN, None, "evidence"),
    },
)
# In the order the claim page offers them.
ACTIONS = ("assess", "approve", "pay", "reject", "evidence")

# Above this amount (in yuan) a manager approves, unless the unit's own claim
# policy says otherwise.
DEFAULT_MANAGER_THRESHOLD = Decimal("5000.00")

SUPERVISOR = "supervisor"
MANAGER = "manager"

CENT = Decimal("0.01")


def to_cents(value) -> Decimal:
    """An amount as yuan and fen, rounded half up to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def approval_level(amount: Decimal, threshold: Decimal) -> str:
    """Who approves `amount`: a manager above the threshold, a supervisor up to it."""
    return MANAGER if amount > threshold else SUPERVISOR


# --- evidence files ------------------------------------------------------------

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 20

# Detected type -> stored extension.
EVIDENCE_EXTENSION = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
# The uploader's extension -> the types its bytes may be.
ALLOWED_EXTENSIONS = {
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
    ".webp": {"image/webp"},
    ".pdf": {"application/pdf"},
}


def sniff_evidence(head: bytes) -> str | None:
    """The photo or document type the first bytes of a file announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def declared_type_is_evidence(content_type: str) -> bool:
    """A photo or a PDF as the browser labels it; a page or a script is refused."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    return content_type in (
        "",
        "application/octet-stream",
        "application/pdf",
    ) or content_type.startswith("image/")
