"""Demo complaints: every status, both severities, some overdue, one reopened, in both units;
every channel (a 12305 transfer with the due date of its notice), a paused
ticket, and a general complaint answered by phone.

Idempotent: a scenario already present for a unit (same complaint text) is
left alone. Complaints are made through the services, then their dates are
moved into the past so the register, the deadlines and the figures look lived-in.
Uses whatever customers exist (crm_site.devtools.demo.customers makes them); none, nothing.
"""

import io
import wave
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import services
from complaints.defaults import defaults_ensure
from complaints.models import Complaint, ComplaintCategory, ComplaintEvent
from crm_site.accounts.models import Membership, ServiceUnit, User
from customers.models import Customer

# Steps after logging, in order; a scenario stops at its `until` step.
STEPS = ["start", "propose", "approve", "resolve", "notify", "visit"]


@dataclass(frozen=True)
class Scenario:
    key: str
    content: str
    demand: str
    category: str
    channel: str
    severity: str
    days_ago: float
    until: str | None  # last step taken; None: just logged
    resolve_hours: int = 24
    send_back: bool = False
    satisfied: bool = True
    reopen: bool = False
    units: tuple = ("1", "2")
    notice_means: str = "letter"
    # A 12305 transfer: its notice's due date, in days after receipt.
    notice_due_days: float | None = None
    # Paused this many days ago (waiting for an outlet or the customer), with the reason.
    paused_days_ago: float | None = None
    pause_reason: str = "outlet_reply"


SCENARIOS = [
    Scenario(
        "received",
        "客户来电：今早应到的两票货至今未到，影响其生产线备料。",
        "今天下午三点前送达",
        "delay",
        "phone",
        "normal",
        0.1,
        None,
    ),
    Scenario(
        "letter",
        "客户来函：上周到货的家电外包装多处破损，其中三台外壳凹陷。",
        "更换破损货物并赔偿",
        "damage",
        "letter",
        "normal",
        2,
        "start",
    ),
    Scenario(
        "overdue",
        "门店收货时发现送错货，本应送往浦东仓的货物送到了闵行门店。",
        "尽快调换并说明原因",
        "wrong_delivery",
        "in_person",
        "normal",
        12,
        "start",
    ),
    Scenario(
        "proposed",
        "本月运费账单与合同价格不符，按重量计费多收约 1,200 元。",
        "核对账单并退还多收运费",
        "billing",
        "online",
        "normal",
        3,
        "propose",
    ),
    Scenario(
        "awaiting",
        "一整托电子元器件在中转仓丢失，货值约 8 万元。",
        "全额赔偿并查明原因",
        "loss",
        "phone",
        "major",
        1,
        "propose",
    ),
    Scenario(
        "sent_back",
        "冷链货物运输途中温度超标，客户整批拒收。",
        "赔偿货损并承担退货运费",
        "damage",
        "letter",
        "major",
        8,
        "propose",
        send_back=True,
    ),
    Scenario(
        "approved",
        "承运车辆在客户厂区内剐蹭其设备，客户要求书面说明。",
        "赔偿维修费用",
        "other",
        "in_person",
        "major",
        2,
        "approve",
    ),
    Scenario(
        "resolved",
        "送货司机态度恶劣，与客户仓管员发生争执。",
        "司机道歉并更换送货人员",
        "attitude",
        "phone",
        "normal",
        20,
        "resolve",
        resolve_hours=30,
    ),
    Scenario(
        "notified",
        "物流跟踪信息连续三天未更新，客户无法答复其下游买家。",
        "恢复信息更新并说明原因",
        "information",
        "online",
        "normal",
        35,
        "notify",
        resolve_hours=50,
    ),
    Scenario(
        "closed",
        "节前高峰期提货延误一天。",
        "今后高峰期提前安排车辆",
        "delay",
        "phone",
        "normal",
        60,
        "visit",
        resolve_hours=20,
    ),
    Scenario(
        "closed_major",
        "整车货物被错误签收，客户损失约 15 万元。",
        "赔偿损失并追究责任",
        "wrong_delivery",
        "letter",
        "major",
        95,
        "visit",
        resolve_hours=70,
    ),
    Scenario(
        "closed_late",
        "月结发票开具错误，已多次催办仍未更正。",
        "重开发票",
        "billing",
        "in_person",
        "normal",
        130,
        "visit",
        resolve_hours=200,
    ),
    Scenario(
        "reopened",
        "回访时客户表示赔偿款仍未到账，对处理结果不满意。",
        "一周内到账",
        "damage",
        "phone",
        "normal",
        15,
        "visit",
        resolve_hours=40,
        satisfied=False,
        reopen=True,
        units=("1",),
    ),
    Scenario(
        "postal_12305",
        "12305 转办：用户申诉快件签收后发现内件短少，要求查明原因。",
        "查明短少原因并按规定赔偿",
        "loss",
        "postal_12305",
        "normal",
        1,
        "start",
        notice_due_days=5,
    ),
    Scenario(
        "paused",
        "客户投诉冷链货物到货温度超标，需网点提供交接记录后才能定责。",
        "提供温度记录并说明责任",
        "damage",
        "phone",
        "normal",
        3,
        "start",
        paused_days_ago=1,
    ),
    Scenario(
        "paused_evidence",
        "客户称货物外包装完好但内件损坏，待客户补充开箱照片。",
        "赔偿损坏部分",
        "damage",
        "email",
        "normal",
        2,
        "start",
        paused_days_ago=0.5,
        pause_reason="customer_evidence",
        units=("2",),
    ),
    Scenario(
        "email",
        "客户邮件反映：电子回单长期无法下载，影响对账。",
        "修复回单下载",
        "information",
        "email",
        "normal",
        4,
        "propose",
    ),
    Scenario(
        "online",
        "客户在官网留言：预约上门取件两次未按时到达。",
        "按约定时间取件",
        "delay",
        "online",
        "normal",
        20,
        "notify",
        resolve_hours=30,
        notice_means="phone",
    ),
    Scenario(
        "platform",
        "电商平台转来买家投诉：派送员未经同意将包裹放在驿站。",
        "送货上门并道歉",
        "attitude",
        "platform",
        "normal",
        0.3,
        None,
    ),
]


def _silent_wav() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 4000)
    return SimpleUploadedFile("demo.wav", buffer.getvalue(), content_type="audio/wav")


def _lead(unit, kind):
    return (
        User.objects.filter(memberships__unit=unit, memberships__kind=kind, is_active=True)
        .order_by("username")
        .first()
    ) or User.objects.filter(is_superuser=True, is_active=True).order_by("username").first()


def _run(scenario: Scenario, complaint, staff, supervisor, manager):
    c = complaint
    for step in STEPS:
        if scenario.until is None or STEPS.index(step) > STEPS.index(scenario.until):
            break
        if step == "start":
            c = services.complaint_start_investigation(
                complaint=c, actor=staff, comment="已联系相关部门核实。"
            )
        elif step == "propose":
            c = services.complaint_propose(
                complaint=c,
                actor=supervisor,
                cause="经核查，中转环节交接不清，责任在我司运输部。",
                responsible_department="运输部",
                solution="按合同赔偿客户损失，书面致歉，并对相关人员进行培训。",
            )
            if scenario.send_back:
                c = services.complaint_send_back(
                    complaint=c, actor=manager, comment="赔偿依据不充分，请补充货损证明后再报。"
                )
        elif step == "approve" and c.severity == "major":
            c = services.complaint_approve(complaint=c, actor=manager, comment="同意按方案处理。")
        elif step == "resolve":
            c = services.complaint_resolve(complaint=c, actor=supervisor)
        elif step == "notify":
            c = services.complaint_notify_customer(
                complaint=c,
                actor=staff,
                notified_on=timezone.localdate(),
                means=scenario.notice_means,
            )
        elif step == "visit":
            c = services.complaint_return_visit(
                complaint=c,
                actor=staff,
                satisfied=scenario.satisfied,
                note="客户认可处理结果。" if scenario.satisfied else "客户称赔偿款尚未到账。",
            )
    return c


def _backdate(complaint: Complaint, scenario: Scenario) -> None:
    """Move the timeline into the past, keeping its order, and the dates on
    the complaint in step with it."""
    received = complaint.received_at
    events = list(complaint.events.order_by("at", "pk"))
    kinds = [e.kind for e in events]
    K = ComplaintEvent.Kind
    # Up to "resolved" the steps share the time it took to resolve; a
    # complaint still open shares half the time since it was received.
    done = kinds.index(K.RESOLVED) + 1 if K.RESOLVED in kinds else len(events)
    if K.RESOLVED in kinds:
        span = timedelta(hours=scenario.resolve_hours)
    else:
        span = min(timedelta(hours=scenario.resolve_hours), (timezone.now() - received) / 2)
    times = [received + span * i / max(done - 1, 1) for i in range(done)]
    after: dict[str, int] = {K.NOTIFIED: 1, K.RETURN_VISIT: 3, K.CLOSED: 3, K.REOPENED: 3}
    resolved_at = times[-1]
    times += [resolved_at + timedelta(days=after.get(e.kind, 3)) for e in events[done:]]
    at = {}
    for event, when in zip(events, times, strict=True):
        ComplaintEvent.objects.filter(pk=event.pk).update(at=when)
        at[event.kind] = when
    fields: dict[str, Any] = {}
    if complaint.proposed_at and K.PROPOSED in at:
        fields["proposed_at"] = at[K.PROPOSED]
    if complaint.approved_at and K.APPROVED in at:
        fields["approved_at"] = at[K.APPROVED]
    if complaint.resolved_at:
        fields["resolved_at"] = at[K.RESOLVED]
    if complaint.notified_on:
        fields["notified_on"] = timezone.localtime(at[K.NOTIFIED]).date()
    if K.NOTIFIED in at:
        # Kept through a reopening: the first answer is the one the regulator counts.
        fields["regulatory_answered_on"] = timezone.localtime(at[K.NOTIFIED]).date()
    if complaint.return_visit_at:
        fields["return_visit_at"] = at[K.RETURN_VISIT]
    if complaint.closed_at:
        fields["closed_at"] = at[K.CLOSED]
    if K.REOPENED in at:
        # The fresh deadline runs from the reopening.
        fields["deadline"] = services.complaint_deadline(
            received_at=at[K.REOPENED],
            severity=complaint.severity,
            category_id=complaint.category_id,
            grade=complaint.customer.grade,
        )
    if fields:
        Complaint.objects.filter(pk=complaint.pk).update(**fields)


def _pause(complaint: Complaint, scenario: Scenario, staff) -> None:
    """Pause the clock through the service, then move the pause into the past."""
    services.complaint_pause(
        complaint=complaint,
        actor=staff,
        reason=scenario.pause_reason,
        comment="已请网点提供交接记录。"
        if scenario.pause_reason == "outlet_reply"
        else "已请客户补充开箱照片。",
    )
    since = timezone.now() - timedelta(days=scenario.paused_days_ago or 0)
    Complaint.objects.filter(pk=complaint.pk).update(paused_since=since)
    complaint.pauses.filter(ended_at__isnull=True).update(started_at=since)
    complaint.events.filter(kind=ComplaintEvent.Kind.PAUSED).update(at=since)


def seed(out) -> None:
    defaults_ensure()
    created = existing = 0
    categories = {c.code: c for c in ComplaintCategory.objects.all()}
    now = timezone.now()
    for unit in ServiceUnit.objects.filter(code__in=["1", "2"]):
        customers = list(Customer.objects.filter(unit=unit).order_by("code")[:20])
        if not customers:
            continue
        supervisor = _lead(unit, Membership.Kind.SUPERVISOR)
        manager = _lead(unit, Membership.Kind.MANAGER)
        for index, scenario in enumerate(SCENARIOS):
            if unit.code not in scenario.units:
                continue
            if Complaint.objects.filter(unit=unit, content=scenario.content).exists():
                existing += 1
                continue
            customer = customers[index % len(customers)]
            staff = customer.visiting_person or supervisor
            complaint = services.complaint_log(
                actor=staff,
                customer=customer,
                channel=scenario.channel,
                received_at=now - timedelta(days=scenario.days_ago),
                complainant=f"{customer.name[:2]}经理",
                contact_phone=f"1380000{index:04d}",
                content=scenario.content,
                demand=scenario.demand,
                category=categories[scenario.category],
                severity=scenario.severity,
                acknowledged_on=(now - timedelta(days=scenario.days_ago)).date()
                if scenario.channel == "letter"
                else None,
                recording=_silent_wav() if scenario.key == "received" else None,
                regulatory_due=now - timedelta(days=scenario.days_ago - scenario.notice_due_days)
                if scenario.notice_due_days is not None
                else None,
            )
            complaint = _run(scenario, complaint, staff, supervisor, manager)
            _backdate(complaint, scenario)
            if scenario.paused_days_ago is not None:
                _pause(complaint, scenario, staff)
            created += 1
    if created or existing:
        out.write(f"Complaints: {created} created, {existing} already there.")
    else:
        out.write("Complaints: no customers yet, none created.")
