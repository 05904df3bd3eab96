"""Demo urgent reports: a few in each state in units 1 and 2 (called by crm_site.devtools.demo.visits).

Idempotent: each demo report has a fixed form token, and one that exists is
left alone (even if a worker has routed or escalated it since), so running
the seeder twice gives the same rows. Timestamps are set back in time
directly, with the timeline events a real report would have.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from crm_site.accounts.models import Membership, ServiceUnit, User
from customers.models import Customer
from visits.models import DailyReportEntry, UrgentReport, UrgentReportEvent
from visits.urgent.services import urgent_ack_deadline

NAMESPACE = uuid.UUID("6a3fbcb9-9665-4a16-8e0c-2f1d3b5a7c41")
Status = UrgentReport.Status
Kind = UrgentReportEvent.Kind

# key, category, title, details, proposal, age in hours, state
REPORTS = [
    (
        "policy",
        UrgentReport.Category.COMPETITOR_POLICY,
        "竞争对手整车线路报价下调约8%",
        "客户反馈：同城竞争对手自下月起对长三角整车线路报价下调约8%，并承诺48小时到货，"
        "客户要求我司两周内给出书面回应。",
        "建议对A级客户的主要线路给予阶段性优惠，并由经理出面拜访客户高层。",
        2,
        "pending",
    ),
    (
        "service",
        UrgentReport.Category.COMPETITOR_SERVICE,
        "同行推出仓配一体化免费上门揽收",
        "同行在客户园区推出仓配一体化套餐，含免费上门揽收与库存日报，已有两家客户在试用。",
        "建议评估我司提供同类套餐的成本，先对重点客户试点。",
        1,
        "routed",
    ),
    (
        "defect",
        UrgentReport.Category.OWN_SERVICE,
        "连续三次到货延误，客户要求书面答复",
        "本月客户三批货物到货延误超过一天，客户质检部门已提出书面投诉意向，要求我司高层答复。",
        "请经理协调运输部查明原因，三日内向客户出具书面说明。",
        30,
        "escalated",
    ),
    (
        "trend",
        UrgentReport.Category.COMPETITOR_TREND,
        "电商客户旺季运力普遍紧张",
        "多家电商客户反映竞争对手在旺季前提前锁定运力，客户担心我司旺季无法保证时效。",
        "建议提前与客户签订旺季运力保障协议。",
        20,
        "acknowledged",
    ),
    (
        "resolved-old",
        UrgentReport.Category.OTHER,
        "客户联系人变更导致对账中断",
        "客户财务负责人离职，新负责人未收到对账单，两个月账款未能确认。",
        "",
        24 * 35,
        "resolved",
    ),
    (
        "resolved-new",
        UrgentReport.Category.OWN_SERVICE,
        "货物破损理赔进度缓慢",
        "客户反映上月破损货物理赔已过一个月仍无结果，影响后续合作意向。",
        "建议经理督促理赔部门一周内结案。",
        24 * 3,
        "resolved",
    ),
]


def seed(out) -> None:
    made = 0
    for code in ("1", "2"):
        unit = ServiceUnit.objects.filter(code=code).first()
        supervisor = _member(unit, Membership.Kind.SUPERVISOR)
        manager = _member(unit, Membership.Kind.MANAGER)
        if unit is None or supervisor is None or manager is None:
            continue
        customers = list(Customer.objects.filter(unit=unit).order_by("code")[: len(REPORTS)])
        for index, row in enumerate(REPORTS):
            customer = customers[index] if index < len(customers) else None
            made += _seed_one(unit, supervisor, manager, customer, row)
    out.write(f"Urgent reports: {made} new.")


def _member(unit, kind):
    if unit is None:
        return None
    return (
        User.objects.filter(memberships__unit=unit, memberships__kind=kind, is_active=True)
        .order_by("pk")
        .first()
    )


def _seed_one(unit, supervisor, manager, customer, row) -> int:
    key, category, title, details, proposal, age_hours, state = row
    token = uuid.uuid5(NAMESPACE, f"{unit.code}:{key}")
    if UrgentReport.objects.filter(form_token=token).exists():
        return 0
    now = timezone.now()
    raised = now - timedelta(hours=age_hours)
    entry = None
    if customer is not None:
        entry = (
            DailyReportEntry.objects.filter(customer=customer, needs_escalation=True)
            .order_by("-occurred_at")
            .first()
        )
    report = UrgentReport.objects.create(
        unit=unit,
        raised_by=supervisor,
        customer=customer,
        source_entry=entry,
        category=category,
        title=title,
        details=details,
        proposal=proposal,
        ack_deadline=urgent_ack_deadline(raised),
        form_token=token,
    )
    events: list[tuple] = [(Kind.RAISED, supervisor, raised, "", {})]
    fields: dict[str, Any] = {"created_at": raised}
    if state != "pending":
        routed = raised + timedelta(seconds=3)
        fields |= {"status": Status.ROUTED, "assignee": manager, "routed_at": routed}
        events.append(
            (Kind.ROUTED, None, routed, manager.get_full_name(), {"assignee": manager.pk})
        )
    if state == "escalated":
        assert report.ack_deadline is not None  # set on creation above
        if report.ack_deadline > now - timedelta(minutes=10):
            # Holidays can push four working hours past now: keep the demo overdue.
            fields["ack_deadline"] = report.ack_deadline = now - timedelta(hours=1)
        fields["escalated_at"] = report.ack_deadline + timedelta(minutes=1)
        events.append((Kind.ESCALATED, None, fields["escalated_at"], manager.get_full_name(), {}))
    if state in ("acknowledged", "resolved"):
        acked = raised + timedelta(hours=1)
        fields |= {"status": Status.ACKNOWLEDGED, "acknowledged_at": acked}
        events.append((Kind.ACKNOWLEDGED, manager, acked, "已了解，今天内联系客户。", {}))
        events.append(
            (Kind.COMMENTED, supervisor, acked + timedelta(hours=1), "客户希望本周内得到答复。", {})
        )
    if state == "resolved":
        resolved = raised + timedelta(hours=min(age_hours - 1, 26))
        resolution = "已与客户高层会谈，确定补救方案并书面答复客户，客户表示接受。"
        fields |= {"status": Status.RESOLVED, "resolved_at": resolved, "resolution": resolution}
        events.append((Kind.RESOLVED, manager, resolved, resolution, {}))
    fields["updated_at"] = max(at for _kind, _actor, at, _comment, _data in events)
    UrgentReport.objects.filter(pk=report.pk).update(**fields)
    for kind, actor, at, comment, data in events:
        event = UrgentReportEvent.objects.create(
            report=report, kind=kind, actor=actor, comment=comment, data=data
        )
        UrgentReportEvent.objects.filter(pk=event.pk).update(at=at)
    return 1
