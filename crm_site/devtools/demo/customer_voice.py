"""Demo customer voice: service-level surveys over the last months, enterprise
surveys (one with the head's opinion, one awaiting it) and watches (one with a
risk signal) for customers of units 1 and 2.

Idempotent: every demo record has a fixed form token derived from its key, so
a second run finds it and writes nothing (the services return the existing row).
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from customers.models import Customer
from customers.voice import services as voice_services
from customers.voice.models import SURVEY_FIELDS

NAMESPACE = uuid.UUID("6d1f9a3e-52b7-4c1a-9a57-0c3d2f1e7b90")
# Per survey: a base score, and items above or below it (the demo's weakest items).
ITEM_BIAS = {
    "timed_delivery": -2,
    "logistics_info": -2,
    "urgent_dispatch": -1,
    "replenishment": 1,
    "staff_attitude": 1,
}
OPINIONS = [
    (
        "旺季运力紧张，希望提前一周确认车辆；对账单希望按周发送。",
        "已与运输部协调旺季预留运力，对账单改为每周一发送。",
        "客户对价格不敏感，关注时效，建议列为重点跟进客户。",
    ),
    (
        "仓库出入库信息更新慢，查询不到实时库存。",
        "信息部正在上线库存实时查询，预计下月开放账号。",
        "需尽快解决信息服务问题，否则客户有转向竞争对手的可能。",
    ),
]
HEAD_OPINION = "同意访问人意见。请信息部本月内给出上线时间表，下次走访时向客户说明。"


def _token(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _scores(index: int, month_back: int) -> dict:
    base = 6 - (index % 3)  # 6, 5 or 4
    drift = 1 if month_back > 3 else 0  # a little better lately
    scores = {}
    for n, name in enumerate(SURVEY_FIELDS):
        value = base - drift + ITEM_BIAS.get(name, 0) + (n + index + month_back) % 2
        scores[name] = max(1, min(7, value))
    return scores


def seed(out) -> None:
    today = timezone.localdate()
    made = 0
    # Six customers of each unit, the units taking turns (so each has every kind).
    per_unit = [
        list(
            Customer.objects.filter(unit_id=unit_id, visiting_person__isnull=False)
            .select_related("visiting_person", "unit")
            .order_by("code")[:6]
        )
        for unit_id in Customer.objects.order_by("unit_id")
        .values_list("unit_id", flat=True)
        .distinct()
    ]
    customers = [c for group in zip(*per_unit, strict=False) for c in group]
    for index, customer in enumerate(customers):
        staff = customer.visiting_person
        for month_back in range(0, 6, 1 + index % 2):
            day = today - timedelta(days=30 * month_back + index)
            _survey, created = voice_services.service_survey_create(
                customer=customer,
                actor=staff,
                fields={
                    "surveyed_on": day,
                    "respondent": "物流经理",
                    "note": "",
                    **_scores(index, month_back),
                },
                form_token=_token("survey", customer.code, month_back),
            )
            made += created
    for index, customer in enumerate(customers[:4]):
        opinions, answers, visitor_opinion = OPINIONS[index % 2]
        survey, created = voice_services.enterprise_survey_create(
            customer=customer,
            actor=customer.visiting_person,
            visitor=customer.visiting_person,
            fields={
                "visited_on": today - timedelta(days=3 + index),
                "interviewee": "王经理",
                "opinions": opinions,
                "answers": answers,
                "visitor_opinion": visitor_opinion,
            },
            form_token=_token("enterprise", customer.code),
        )
        made += created
        head = voice_services.unit_supervisors(customer.unit_id).order_by("username").first()
        if index % 2 == 1 and head is not None and not survey.head_opinion:
            voice_services.enterprise_survey_head_opinion(
                survey=survey, actor=head, opinion=HEAD_OPINION
            )
    for index, customer in enumerate(customers[:4]):
        items = {"new_equipment": {"changed": True, "note": "新增两条自动分拣线"}}
        if index >= 2:
            items["terms_change"] = {"changed": True, "note": "要求账期由30天延长到60天"}
            items["stock_piling"] = {"changed": True, "note": "成品库存较上月翻倍"}
        _watch, created = voice_services.customer_watch_create(
            customer=customer,
            actor=customer.visiting_person,
            reported_on=today - timedelta(days=index + 1),
            items=items,
            note="",
            form_token=_token("watch", customer.code),
        )
        made += created
    out.write(f"Customer voice: {made} records added.")
