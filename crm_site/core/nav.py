"""The navigation's counts (badges and unread notifications) as reads a page
can make with its own in one round trip (crm_site.core.batch).

Every signed-in page's top bar shows them (crm_site.context_processors.navigation
counts them in one query). A page that reads several things at once may read
them too with `navigation_reads`: the context processor then uses what was read.
"""

from django.db.models import QuerySet
from django.utils.module_loading import import_string

from crm_site.core import batch, registry


def collect(paths: list[str], request) -> list[dict]:
    """Call each provider (dotted path) with the request; keep what they return."""
    results = []
    for path in paths:
        value = import_string(path)(request)
        if value:
            results.append(value)
    return results


def badge_reads(
    badges: list[dict], extra: dict | None = None
) -> dict[str, "QuerySet | batch.Compiled"]:
    """The reads to count: badges' `count` and `alert` (as "i:count",
    "i:alert"), querysets or prepared reads (crm_site.core.batch), and `extra`'s."""
    pending = dict(extra or {})
    for i, badge in enumerate(badges):
        for key in ("count", "alert"):
            if isinstance(badge.get(key), QuerySet | batch.Compiled):
                pending[f"{i}:{key}"] = badge[key]
    return pending


def apply_badge_counts(badges: list[dict], counts: dict[str, int]) -> None:
    """Put the counts on the badges (anything counted in `alert` turns one red)."""
    for i, badge in enumerate(badges):
        if f"{i}:count" in counts:
            badge["count"] = counts[f"{i}:count"]
        if "alert" in badge:
            if counts.get(f"{i}:alert", badge["alert"]):
                badge["tone"] = "danger"
            del badge["alert"]


def navigation_reads(request) -> batch.Pending | None:
    """The navigation's counts for the signed-in user, waiting to be read with a
    page's own reads; once read they are kept on the request (`navigation_counts`:
    the badges and the unread notifications) for the context processor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from crm_site.core.selectors import unread_notifications_read

    badges = collect(registry.nav_badges.paths(), request)
    reads = badge_reads(badges, {"unread": unread_notifications_read(user)})

    def build(rows: dict) -> None:
        apply_badge_counts(badges, rows)
        request.navigation_counts = (badges, rows["unread"])

    return batch.Pending({key: batch.Counted(qs) for key, qs in reads.items()}, build)
