"""Market and competitor intelligence: item 3 of every daily-report
entry (市场行情、竞争对手动向及其他企业的销售政策), with competitor tags.

- `split_competitor_names` is pure: what the entry form's tag field means;
- `entry_competitors_set` writes an entry's tags (called by the entry services,
  in their transaction);
- `register` is the scoped, filtered register at /visits/intelligence/. Every
  filter has an index: the report's (unit, date) and
  (user, date), the customer's region with the entry's (customer, occurred_at),
  the tag table's (competitor, entry), the partial (occurred_at, id) index of
  entries with market text, and a trigram index on that text (migration 0004).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import StrIndex, Upper

from crm_site.accounts.models import Role

from .models import Competitor, DailyReport, DailyReportEntry, EntryCompetitor
from .queries import day_start

MAX_TAGS = 5
MAX_NAME = 40
_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


def split_competitor_names(text: str) -> list[str]:
    """'顺丰, 德邦、 顺丰' -> ['顺丰', '德邦']: trimmed, inner spaces collapsed,
    repeated names (whatever their letter case) kept once, in typed order."""
    names, seen = [], set()
    for part in _SEPARATORS.split(text or ""):
        name = " ".join(part.split())
        if name and name.upper() not in seen:
            seen.add(name.upper())
            names.append(name)
    return names


def competitors_resolve(*, names: list[str], actor) -> list[Competitor]:
    """The competitors of these names, creating the new ones (case-insensitive)."""
    if not names:
        return []
    wanted = {name.upper(): name for name in names}
    found = _existing(list(wanted))
    result = []
    for key, name in wanted.items():
        competitor = found.get(key)
        if competitor is None:
            try:
                with transaction.atomic():
                    competitor = Competitor.objects.create(name=name, created_by=actor)
            except IntegrityError:
                # Another entry created the same name a moment ago.
                competitor = Competitor.objects.named(name).get()
        result.append(competitor)
    return result


def _existing(upper_names: list[str]) -> dict[str, Competitor]:
    rows = Competitor.objects.annotate(upper=Upper("name")).filter(upper__in=upper_names)
    return {c.upper: c for c in rows}


def entry_competitors_set(*, entry: DailyReportEntry, names, actor) -> None:
    """Make the entry's tags exactly `names` (no duplicates, other rows untouched)."""
    competitors = competitors_resolve(names=list(names), actor=actor)
    keep = [c.pk for c in competitors]
    EntryCompetitor.objects.filter(entry=entry).exclude(competitor_id__in=keep).delete()
    EntryCompetitor.objects.bulk_create(
        [EntryCompetitor(entry=entry, competitor_id=pk) for pk in keep], ignore_conflicts=True
    )


# --- the register ---------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    unit_id: int | None = None
    region_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    competitor: Competitor | None = None
    q: str = ""


def register(user, filters: RegisterFilters):
    """Entries with market text the user may see, under the filters, newest first.

    Scope is the daily report's: staff their own,
    supervisors their unit's, managers their units', admins all.
    """
    entries = DailyReportEntry.objects.visible_to(user).exclude(market="")
    reports = DailyReport.objects.all()
    narrowed = False
    if filters.unit_id:
        reports = reports.filter(unit_id=filters.unit_id)
        narrowed = True
    if filters.date_from:
        reports = reports.filter(date__gte=filters.date_from)
        entries = entries.filter(occurred_at__gte=day_start(filters.date_from))
        narrowed = True
    if filters.date_to:
        reports = reports.filter(date__lte=filters.date_to)
        entries = entries.filter(occurred_at__lt=day_start(filters.date_to + timedelta(days=1)))
        narrowed = True
    if narrowed:
        entries = entries.filter(report__in=reports.values("pk"))
    if filters.region_id:
        entries = entries.filter(customer__region_id=filters.region_id)
    if filters.competitor is not None:
        entries = entries.filter(
            Exists(
                EntryCompetitor.objects.filter(
                    entry_id=OuterRef("pk"), competitor_id=filters.competitor.pk
                )
            )
        )
    if filters.q:
        entries = _text_filter(entries, filters.q, use_index=not narrowed and _sees_all(user))
    return entries.order_by("-occurred_at", "-id")


def _sees_all(user) -> bool:
    return user.role == Role.ADMIN


def _text_filter(entries, q: str, *, use_index: bool):
    """Case-insensitive substring of the market text.

    The trigram index (icontains: UPPER(market) LIKE ...) only pays when the
    text is the sole narrowing filter over everyone's entries: the planner
    cannot tell how many rows a phrase matches and, for a common phrase,
    fetches every match of all years before filtering by scope or month, many
    times the work of strpos over the scoped rows. Otherwise strpos() reads only
    the rows the other filters leave, which no index can be chosen for.
    """
    if use_index:
        return entries.filter(market__icontains=q)
    return entries.alias(text_at=StrIndex(Upper("market"), Value(q.upper()))).filter(text_at__gt=0)
