"""Waybill numbers as typed or pasted: one rule for what a number is.

A number is 6 to 32 letters and digits; it is kept in upper case, its carrier
prefix (SF, YT, JD...) included. A pasted list may be separated by spaces,
commas, semicolons, full-width punctuation or new lines.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WAYBILL_RE = re.compile(r"^[A-Z0-9]{6,32}$")
# Separators of a pasted list: whitespace and ASCII or full-width , ; 、
SEPARATORS = re.compile(r"[\s,;，；、]+")
# The most numbers one list may carry (a complaint, an entry, a report).
MAX_PER_LIST = 50


def normalise(text: str) -> str:
    """The stored form of one number: trimmed, full-width letters and digits
    folded to ASCII, upper case. Does not validate."""
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in (text or "").strip()
    )
    return folded.upper()


def is_waybill(text: str) -> bool:
    return bool(WAYBILL_RE.match(normalise(text)))


def parse_list(text: str, *, limit: int = MAX_PER_LIST) -> list[str]:
    """The distinct numbers of a typed or pasted list, in the order given.

    Raises ValidationError naming every malformed number (at most a few) or
    the limit when the list is longer; nothing is accepted in part.
    """
    if not text or not text.strip():
        return []
    parts = [normalise(p) for p in SEPARATORS.split(text) if p.strip()]
    if len(parts) > limit:
        raise ValidationError(
            ngettext(
                "At most %(limit)d waybill number may be given; this list has %(count)d.",
                "At most %(limit)d waybill numbers may be given; this list has %(count)d.",
                limit,
            )
            % {"limit": limit, "count": len(parts)},
            code="too_many",
        )
    bad = [p for p in parts if not WAYBILL_RE.match(p)]
    if bad:
        shown = "、".join(p[:40] for p in bad[:5])
        raise ValidationError(
            _("Not a waybill number: %(numbers)s. A waybill number is 6 to 32 letters and digits.")
            % {"numbers": shown},
            code="invalid",
        )
    return list(dict.fromkeys(parts))
