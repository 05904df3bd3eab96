"""Demo monthly summaries: every unit's months that have daily reports.

Unit 1's last closed month is commented, submitted by supervisor1 and reviewed
by manager1; unit 2's is submitted by supervisor2 and awaits manager2's
review. Idempotent: a month already built after it closed, whose daily reports
have not changed since, is left alone, and the sign-offs happen once.
"""

from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit, User
from crm_site.core import months
from reports import rollup, services
from reports.models import MonthlyPatrolSummary
from visits.models import DailyReport

COMMENTARY = (
    "本月巡访总体按计划进行，A级客户走访基本到位，电话回访在月末两周有所放松。"
    "客户意见集中在旺季运力保障和对账效率，已与运输部、财务部约定改进措施。"
    "竞争对手整车降价约5%，建议经理决定重点客户的价格应对方案。下月重点：补齐未达标客户的走访。"
)
REVIEW = "同意主管意见。价格应对方案下周例会讨论；未达标客户请在月中前完成补访。"


def _needs_build(summary, month, today) -> bool:
    if summary is None:
        return True
    if month == months.first_of(today):
        return False  # the month in progress: the nightly reconciliation refreshes it
    if not rollup.is_final(summary):
        return True
    w = rollup.window(month, today=today)
    return rollup.fingerprint(rollup.source_state(summary.unit_id, w)) != summary.source_fingerprint


def seed(out) -> None:
    today = timezone.localdate()
    pairs = (
        DailyReport.objects.annotate(month=TruncMonth("date"))
        .values_list("unit_id", "month")
        .distinct()
        .order_by("unit_id", "month")
    )
    existing = {(s.unit_id, s.month): s for s in MonthlyPatrolSummary.objects.all()}
    built = 0
    for unit_id, month in pairs:
        if _needs_build(existing.get((unit_id, month)), month, today):
            services.summary_build(unit_id=unit_id, month=month, today=today)
            built += 1
    last = months.shift(months.first_of(today), -1)
    signed = _sign("1", last, "supervisor1", "manager1", review=True)
    signed += _sign("2", last, "supervisor2", "manager2", review=False)
    out.write(f"Monthly summaries: {built} built, {signed} sign-offs.")


def _sign(unit_code, month, supervisor, manager, *, review) -> int:
    unit = ServiceUnit.objects.filter(code=unit_code).first()
    summary = MonthlyPatrolSummary.objects.filter(unit=unit, month=month).first()
    boss = User.objects.filter(username=supervisor).first()
    if summary is None or boss is None:
        return 0
    done = 0
    if summary.status == MonthlyPatrolSummary.Status.DRAFT:
        done += services.summary_submit(summary=summary, actor=boss, commentary=COMMENTARY)
        summary.refresh_from_db()
    reviewer = User.objects.filter(username=manager).first()
    if review and reviewer and summary.status == MonthlyPatrolSummary.Status.SUBMITTED:
        done += services.summary_review(summary=summary, actor=reviewer, comment=REVIEW)
    return done
