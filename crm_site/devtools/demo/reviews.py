"""Demo data of the customer voice: competitor tags on the demo entries'
market notes, and big-customer reviews (last quarter's of unit 1 partly
recorded by supervisor1; this quarter's of unit 2 opened by supervisor2).

Idempotent: tags are set once per entry, reviews are opened once per unit and
quarter, and an item already recorded is left alone.
"""

from datetime import timedelta

from django.utils import timezone

from crm_site.accounts.models import ServiceUnit, User
from reports import reviews
from visits.intelligence import competitors_resolve
from visits.models import DailyReportEntry, EntryCompetitor

# Which demo market note names which competitor (visits/demo.py MARKET).
TAGS = {
    "整车": ["德邦快运"],
    "仓配": ["顺丰供应链"],
    "免费上门": ["顺丰供应链", "京东物流"],
    "运价": ["中通快运"],
}
FALLBACK = ["安能物流"]
RECORDED = [
    (
        ["file", "revenue", "needs", "contact", "service", "plan"],
        "年度合同已续签；旺季运力需求已提前锁定，需跟进新仓项目申报。",
    ),
    (["file", "contact", "service"], "客户反映对账周期偏长，已与财务部约定月结改为半月结。"),
    (["file", "revenue", "contact"], "本季度走访两次，少于要求；下季度由专员每月上门。"),
]


def _tag_entries() -> int:
    entries = list(
        DailyReportEntry.objects.exclude(market="")
        .filter(competitor_tags__isnull=True)
        .select_related("report__user")
        .order_by("pk")[:2000]
    )
    links = []
    for entry in entries:
        names = [n for key, tags in TAGS.items() if key in entry.market for n in tags]
        names = list(dict.fromkeys(names)) or (FALLBACK if entry.pk % 3 == 0 else [])
        for competitor in competitors_resolve(names=names, actor=entry.report.user):
            links.append(EntryCompetitor(entry=entry, competitor=competitor))
    EntryCompetitor.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def _review(unit_code: str, quarter, username: str, *, record: bool) -> int:
    unit = ServiceUnit.objects.filter(code=unit_code).first()
    who = User.objects.filter(username=username).first()
    if unit is None or who is None:
        return 0
    review, _added = reviews.review_open(unit=unit, quarter=quarter, actor=who)
    if not record:
        return 0
    done = 0
    pending = review.items.filter(reviewed_at__isnull=True).order_by("customer__code")
    already = review.items.filter(reviewed_at__isnull=False).count()
    for item, (checks, findings) in zip(pending, RECORDED[already:], strict=False):
        reviews.review_item_record(item=item, actor=who, checks=checks, findings=findings)
        done += 1
    return done


def seed(out) -> None:
    tags = _tag_entries()
    this_quarter = reviews.quarter_of(timezone.localdate())
    last_quarter = reviews.quarter_of(this_quarter - timedelta(days=1))
    recorded = _review("1", last_quarter, "supervisor1", record=True)
    recorded += _review("2", this_quarter, "supervisor2", record=False)
    out.write(f"Customer voice: {tags} competitor tags, {recorded} review items recorded.")
