"""What changed in a resubmitted daily report since it was returned (pure: no ORM).

When a report is returned, the return's event keeps a snapshot of each entry
(`entry_snapshot`); on the resubmitted report the review pages compare the
entries against it (`changes`), so the supervisor sees which fields the staff
member changed, which entries are new and how many were removed.
"""

from dataclasses import dataclass, field

# The entry fields a reviewer reads, in the order of the form.
SNAPSHOT_FIELDS = (
    "customer_id",
    "kind",
    "occurred_at",
    "opinions",
    "market",
    "effect",
    "handling",
    "other",
    "needs_escalation",
    "escalation_reason",
)


def entry_snapshot(entry) -> dict:
    """An entry's reviewed fields as JSON-safe values."""
    values = {name: getattr(entry, name) for name in SNAPSHOT_FIELDS}
    values["occurred_at"] = values["occurred_at"].isoformat()
    return values


@dataclass
class Changes:
    """Per entry id, the names of the fields changed since the return; the
    entries added since; how many were removed."""

    changed: dict[int, list[str]] = field(default_factory=dict)
    new: set[int] = field(default_factory=set)
    removed: int = 0


def changes(snapshot: dict, entries) -> Changes:
    """Compare `entries` (current) with `snapshot` ({entry id as str: values})."""
    result = Changes()
    seen = set()
    for entry in entries:
        before = snapshot.get(str(entry.pk))
        if before is None:
            result.new.add(entry.pk)
            continue
        seen.add(str(entry.pk))
        now = entry_snapshot(entry)
        differ = [name for name in SNAPSHOT_FIELDS if before.get(name) != now[name]]
        if differ:
            result.changed[entry.pk] = differ
    result.removed = len(set(snapshot) - seen)
    return result
