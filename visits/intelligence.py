"""Market and competitor intelligence: item 3 of every daily-report
entry (市场行情、竞争对手动向及其他企业的销售政策), with competitor tags.

- `split_competitor_names` is pure: what the entry form's tag field means;
- `entry_competitors_set` writes an entry's tags (called by the entry services,
  in their transaction);
- the register at /visits/intelligence/ is read by
  `visits.selectors.intelligence_register` (its indexes: migration 0004).
"""

import re

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper

from .models import Competitor, DailyReportEntry, EntryCompetitor

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
