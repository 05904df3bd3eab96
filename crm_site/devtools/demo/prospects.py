"""Demo prospects at every development step, one won and one dropped, and a
few contacts whose care dates fall in the coming weeks.

Idempotent: prospects are matched by name and contacts by name, and only
what is missing is created, through the services.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from crm_site.accounts.models import ServiceUnit, User
from customers.models import Contact, Customer, Prospect, Step
from customers.prospects import services
from customers.services import contact_create

# name, unit, owner, step reached, estimated rate, outcome
PROSPECTS = [
    ("苏州新锐光电科技有限公司", "1", "staff1", 1, None, ""),
    ("上海沪联冷链食品有限公司", "1", "staff1", 2, None, ""),
    ("昆山精工模具有限公司", "1", "staff2", 3, None, ""),
    ("上海云采跨境电商有限公司", "1", "staff2", 4, 40, ""),
    ("无锡恒力纺织有限公司", "1", "staff1", 5, 60, ""),
    ("南通海达医疗器械有限公司", "1", "staff2", 6, 80, ""),
    ("太仓港顺贸易有限公司", "1", "staff1", 6, 90, "won"),
    ("常州星河家居有限公司", "1", "staff2", 3, 10, "dropped"),
    ("广州南粤美妆有限公司", "2", "staff3", 2, None, ""),
    ("厦门鹭岛茶业有限公司", "2", "staff3", 5, 50, ""),
    ("佛山顺德小家电有限公司", "2", "staff3", 6, 75, ""),
]
NOTES: dict[int, str] = {
    Step.INTRODUCTION: "电话自我介绍，对方物流经理愿意见面。",
    Step.INFORMATION: "了解到年发货约 3 万票，现由两家承运商分担，旺季爆仓。",
    Step.PURPOSE: "说明我司可提供干线运输加区域仓配一体化方案。",
    Step.DEMONSTRATION: "现场演示订单跟踪和库存看板，对方 IT 负责人在场。",
    Step.ESTIMATE: "对方认可方案，价格仍在比较，预计下季度决定。",
    Step.APPOINTMENT: "约定带报价和样板合同再次上门。",
}
WON_CODE = "KF-DEMO-01"
CARE_CONTACTS = [  # customer code, contact name, kind, days from today, years ago
    ("SH-0001", "林秀英", "birthday", 2, 46),
    ("JS-0024", "高志远", "anniversary", 5, 10),
    ("GD-0041", "郑美玲", "birthday", 12, 38),
]


def _prospect(name, unit, owner, step, rate, outcome) -> Prospect:
    prospect = Prospect.objects.filter(name=name).first()
    if prospect is not None:
        return prospect
    prospect, _created = services.prospect_create(
        actor=owner,
        fields={
            "name": name,
            "unit": unit,
            "owner": owner,
            "address": f"{name[:2]}市经济开发区创业路 {len(name) * 7} 号",
            "company_phone": f"0512-6{len(name):02d}8{step}{step}00",
            "key_people": "总经理 王先生；物流经理 李女士",
            "products": "成品及原材料",
        },
    )
    today = timezone.localdate()
    for n in range(1, step + 1):
        appointment = None
        if n == Step.APPOINTMENT:
            when = today + timedelta(days=3 + len(name) % 5)
            appointment = timezone.make_aware(datetime.combine(when, time(10, 0)))
        services.prospect_record_step(
            prospect=prospect,
            actor=owner,
            step=n,
            happened_on=today - timedelta(days=(step - n + 1) * 4),
            success_rate=rate if n >= Step.ESTIMATE or (rate and n == step) else None,
            appointment_at=appointment,
            note=NOTES[n],
        )
    prospect.refresh_from_db()
    if outcome == "won":
        services.prospect_convert(
            prospect=prospect,
            actor=owner,
            evaluation={
                "growth_rating": 4,
                "credit_rating": 5,
                "margin_rating": 3,
                "overall_rating": 4,
                "evaluation_note": "港区贸易量稳步增长，付款记录良好。",
            },
            report={
                "first_amount": Decimal("86500.00"),
                "how_won": "经老客户介绍接触，三次上门并现场演示后签订首单干线运输合同。",
            },
            card={
                "code": WON_CODE,
                "nature": "trading",
                "scale": "medium",
                "trend": "growing",
                "annual_revenue": Decimal("180"),
            },
        )
    elif outcome == "dropped":
        services.prospect_drop(
            prospect=prospect, actor=owner, reason="对方已与竞争对手签订三年独家合同。"
        )
    return prospect


def _care_contacts(today: date) -> int:
    created = 0
    for code, name, kind, days, years in CARE_CONTACTS:
        customer = Customer.objects.filter(code=code).select_related("visiting_person").first()
        if customer is None or customer.contacts.filter(name=name).exists():
            continue
        when = today + timedelta(days=days)
        care_date = (
            when.replace(year=when.year - years) if when.month != 2 or when.day != 29 else when
        )
        contact_create(
            customer=customer,
            actor=customer.visiting_person,  # type: ignore[arg-type]
            fields={
                "name": name,
                "position": "采购经理",
                "mobile": f"1390000{days:04d}",
                "care_kind": kind,
                "care_date": care_date,
                "is_primary": False,
            },
        )
        created += 1
    return created


def seed(out) -> None:
    units = {u.code: u for u in ServiceUnit.objects.filter(code__in=["1", "2"])}
    people = {
        u.username: u for u in User.objects.filter(username__in=["staff1", "staff2", "staff3"])
    }
    if len(units) < 2 or len(people) < 3:
        out.write("crm_site.devtools.demo.prospects: accounts demo data missing, skipped")
        return
    for name, unit, owner, step, rate, outcome in PROSPECTS:
        _prospect(name, units[unit], people[owner], step, rate, outcome)
    care = _care_contacts(timezone.localdate())
    out.write(
        f"crm_site.devtools.demo.prospects: {Prospect.objects.count()} prospects, "
        f"{care} new contacts with care dates, "
        f"{Contact.objects.filter(care_date__isnull=False).count()} care dates in all"
    )
