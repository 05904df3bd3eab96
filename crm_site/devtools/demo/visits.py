"""Demo daily reports: about two months of working days for staff1–staff3.

Idempotent: a day that already has a report is left alone, so running the
seeder twice gives the same rows. Works with whatever customers exist (from
crm_site.devtools.demo.customers): each staff member reports on the customers they visit, and
nothing is created for someone without customers.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from crm_site.accounts.models import Membership, User
from crm_site.core.services import work_calendar
from crm_site.devtools.demo import urgent as urgent_demo
from customers.models import Customer
from visits import services
from visits.models import DailyReport, DailyReportEvent, Kind

STAFF = ["staff1", "staff2", "staff3"]
DAYS_BACK = 61
NAMESPACE = uuid.UUID("0b7c6a52-4f0e-4d4e-9d1c-5f3c1d6a9e01")

OPINIONS = [
    "希望旺季前提前锁定运力，避免临时加价。",
    "对上月准时率满意，建议增加周末提货班次。",
    "希望对账单按月汇总并提供电子发票。",
    "反映部分货物到站后通知不及时，希望短信提醒。",
    "希望我司协助优化华南仓的库存布局。",
]
MARKET = [
    "竞争对手近期对整车业务降价约5%，并承诺48小时到货。",
    "同行推出仓配一体化套餐，包含免费上门揽收。",
    "行业运价整体平稳，燃油附加费本月上调。",
    "客户所在园区新进驻两家快运企业，价格竞争加剧。",
    "",
]
EFFECT = [
    "客户认可我司服务，同意下季度增加线路。",
    "沟通顺畅，客户承诺本月内确认新报价。",
    "了解到客户新项目需求，已约定下周技术交流。",
    "客户对近期破损问题仍有意见，需跟进改进措施。",
]
HANDLING = [
    "已协调运输部安排专车，客户确认按期提货。",
    "已与财务核对账款差异，结果当日回复客户。",
    "已提交理赔资料，预计一周内完成赔付。",
    "",
]
OTHER = ["", "", "客户下月有高层来访计划。", "客户联系人变更，已更新资料。"]
ESCALATION = [
    "竞争对手对该客户报出明显低于成本的价格，需经理决定应对策略。",
    "客户投诉连续三次延误，要求我司高层书面答复。",
]


def seed(out) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=DAYS_BACK)
    calendar = work_calendar(start, today)
    reports = entries = 0
    for username in STAFF:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or user.primary_unit is None:
            continue
        customers = list(Customer.objects.filter(visiting_person=user).active().order_by("code"))
        if not customers:
            continue
        reviewer = _supervisor_of(user)
        days = calendar.working_days(start, today - timedelta(days=1))
        for index, day in enumerate(days):
            if DailyReport.objects.filter(user=user, date=day).exists():
                continue
            rng = random.Random(f"{username}:{day.isoformat()}")
            report, _created = services.daily_report_open(user=user, day=day)
            entries += _fill(report, user, customers, rng)
            reports += 1
            age = len(days) - index  # 1 = yesterday's working day
            _advance(report, user, reviewer, rng, age=age)
        today_missing = not DailyReport.objects.filter(user=user, date=today).exists()
        if username == "staff1" and calendar.is_working_day(today) and today_missing:
            # Today's draft with one entry, so the home page and the form have something to show.
            report, _created = services.daily_report_open(user=user, day=today)
            entries += _fill(report, user, customers[:1], random.Random(f"{username}:today"))
            reports += 1
    out.write(f"Daily reports: {reports} new, {entries} entries.")
    urgent_demo.seed(out)


def _supervisor_of(user):
    return (
        User.objects.filter(
            memberships__unit=user.primary_unit, memberships__kind=Membership.Kind.SUPERVISOR
        )
        .filter(is_active=True)
        .first()
    )


def _fill(report, user, customers, rng) -> int:
    chosen = rng.sample(customers, k=min(len(customers), rng.randint(1, 3)))
    for i, customer in enumerate(chosen):
        flagged = rng.random() < 0.04
        at = time(9 + 2 * i + rng.randint(0, 1), rng.choice([0, 15, 30, 45]))
        content = services.EntryContent(
            customer=customer,
            kind=Kind.VISIT if rng.random() < 0.45 else Kind.CALL,
            occurred_at=timezone.make_aware(datetime.combine(report.date, at)),
            opinions=rng.choice(OPINIONS),
            market=rng.choice(MARKET),
            effect=rng.choice(EFFECT),
            handling=rng.choice(HANDLING),
            other=rng.choice(OTHER),
            needs_escalation=flagged,
            escalation_reason=rng.choice(ESCALATION) if flagged else "",
        )
        token = uuid.uuid5(NAMESPACE, f"{user.username}:{report.date}:{customer.code}")
        services.daily_report_entry_create(
            report=report, actor=user, content=content, form_token=token
        )
    return len(chosen)


def _advance(report, user, reviewer, rng, *, age: int) -> None:
    """Submit every past report; review the older ones, return a few, leave recent ones waiting."""
    services.daily_report_submit(report=report, actor=user)
    opened_at = timezone.make_aware(datetime.combine(report.date, time(8, 50)))
    _backdate(report, DailyReportEvent.Kind.CREATED, opened_at)
    submitted_at = timezone.make_aware(datetime.combine(report.date, time(17, rng.randint(0, 59))))
    _backdate(report, DailyReportEvent.Kind.SUBMITTED, submitted_at)
    DailyReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at)
    if reviewer is None or age <= 2:
        return
    reviewed_at = submitted_at + timedelta(hours=16)
    if age == 4 or rng.random() < 0.08:
        services.daily_report_return(
            report=report, actor=reviewer, comment="请补充竞争对手报价的具体数字和客户的反馈。"
        )
        _backdate(report, DailyReportEvent.Kind.RETURNED, reviewed_at)
        if age <= 8:
            DailyReport.objects.filter(pk=report.pk).update(reviewed_at=reviewed_at)
            return  # recent: still waiting for the staff member to correct it
        services.daily_report_submit(report=report, actor=user)
        resubmitted_at = reviewed_at + timedelta(hours=2)
        _backdate(report, DailyReportEvent.Kind.RESUBMITTED, resubmitted_at)
        DailyReport.objects.filter(pk=report.pk).update(submitted_at=resubmitted_at)
        reviewed_at += timedelta(hours=20)
        services.daily_report_review(report=report, actor=reviewer, comment="已补充，同意。")
        _backdate(report, DailyReportEvent.Kind.REVIEWED, reviewed_at)
    else:
        services.daily_report_review(report=report, actor=reviewer, comment="")
        _backdate(report, DailyReportEvent.Kind.REVIEWED, reviewed_at)
    DailyReport.objects.filter(pk=report.pk).update(reviewed_at=reviewed_at)


def _backdate(report, kind, at) -> None:
    DailyReportEvent.objects.filter(report=report, kind=kind).update(at=at)
