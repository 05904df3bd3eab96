"""Demo customer book: 64 customers of grades A-D in units 1 and 2, with contacts.

Idempotent: customers are matched by code and written through the services,
so a second run finds nothing to change and records no history.
"""

from datetime import date
from decimal import Decimal

from crm_site.accounts.models import Region, ServiceUnit, User
from customers import services
from customers.models import Customer, GradingRule, LogisticsService, RegradeRun

# (revenue in 万元, scale, trend, nature): grade under the default rule.
PROFILES = [
    (Decimal("2680.00"), "large", "growing", "manufacturer"),  # A, 100 points
    (Decimal("1250.00"), "large", "stable", "distributor"),  # A, 90
    (Decimal("620.00"), "medium", "stable", "ecommerce"),  # B, 72
    (Decimal("330.00"), "large", "growing", "trading"),  # B, 75
    (Decimal("128.50"), "medium", "stable", "retailer"),  # C, 48
    (Decimal("66.00"), "small", "growing", "manufacturer"),  # C, 56
    (Decimal("8.00"), "micro", "declining", "other"),  # D, 5
    (Decimal("32.00"), "small", "declining", "retailer"),  # D, 24
]
BRANDS = [
    "华星",
    "远航",
    "恒通",
    "金桥",
    "瑞丰",
    "东方",
    "新元",
    "宏达",
    "嘉禾",
    "海川",
    "明辉",
    "鼎盛",
    "博远",
    "联创",
    "信达",
    "天成",
]
TRADES = [
    ("电子科技有限公司", "电子制造"),
    ("汽车零部件有限公司", "汽车零部件"),
    ("日用品有限公司", "日用消费品"),
    ("医药有限公司", "医药"),
    ("服饰有限公司", "服装纺织"),
    ("食品有限公司", "食品饮料"),
    ("电器有限公司", "家电"),
    ("电子商务有限公司", "电商零售"),
]
CITIES = {"SH": "上海", "JS": "苏州", "GD": "广州", "FJ": "厦门"}
STREETS = ["浦东新区张江路", "工业园区星湖街", "黄埔区科学大道", "湖里区高崎北路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
GIVEN = ["建国", "晓燕", "志强", "丽华", "海涛", "静", "伟", "敏", "磊", "婷", "军", "芳"]
POSITIONS = ["物流经理", "采购总监", "仓储主管", "供应链总监", "总经理助理", "运营经理"]
SERVICE_SETS = [
    ["upstream-supply", "downstream-delivery", "inventory"],
    ["consolidation", "picking", "order-processing"],
    ["freight-forwarding", "customs"],
    ["storage-processing", "packaging", "receivables", "e-commerce"],
    ["downstream-delivery", "cross-docking"],
]
STATUSES = ["active"] * 6 + ["potential", "dormant"]

# unit code -> [(region code, number of customers)]
PLAN = {"1": [("SH", 22), ("JS", 18)], "2": [("GD", 14), ("FJ", 10)]}
VISITORS = {"1": ["staff1", "staff2"], "2": ["staff3"]}
SUPERVISORS = {"1": "supervisor1", "2": "supervisor2"}
SALES = {"SH": "sales1", "JS": "sales1", "GD": "sales2", "FJ": "sales2"}

EXCEPTION_CODE = "SH-0003"
EXCEPTION_REASON = "客户由周销售长期对接，客户书面要求其兼任巡访至 2027 年 3 月交接。"
PINNED_CODE = "JS-0024"
PINNED_REASON = "集团战略合作客户，总部指定按 A 级标准服务。"


def _customers():
    n = 0
    for unit_code, regions in PLAN.items():
        for region_code, count in regions:
            for _i in range(count):
                n += 1
                yield n, unit_code, region_code


def _fields(n, unit, region, people) -> dict:
    revenue, scale, trend, nature = PROFILES[n % len(PROFILES)]
    brand = BRANDS[n % len(BRANDS)]
    suffix, industry = TRADES[(n // 2) % len(TRADES)]
    visitors = VISITORS[unit.code]
    code = f"{region.code}-{n:04d}"
    visiting = people[SALES[region.code]] if code == EXCEPTION_CODE else None
    return {
        "code": code,
        "name": f"{CITIES[region.code]}{brand}{suffix}",
        "nature": nature,
        "scale": scale,
        "annual_revenue": revenue + Decimal(n * 3),
        "trend": trend,
        "industry": industry,
        "region": region,
        "address": f"{CITIES[region.code]}市{STREETS[list(CITIES).index(region.code)]}{100 + n}号",
        "unit": unit,
        "sales_owner": people[SALES[region.code]],
        "visiting_person": visiting or people[visitors[n % len(visitors)]],
        "status": STATUSES[n % len(STATUSES)] if n % 13 else "lost",
        "notes": "年度框架合同客户，旺季（11-12 月）需提前锁定运力。" if n % 5 == 0 else "",
    }


def _contacts(n: int) -> list[dict]:
    contacts = []
    for i in range(1 + n % 2):
        k = n * 3 + i
        contacts.append(
            {
                "name": SURNAMES[k % len(SURNAMES)] + GIVEN[k % len(GIVEN)],
                "position": POSITIONS[k % len(POSITIONS)],
                "mobile": f"13{(k % 9) + 1}{(n * 7919 + i * 104729) % 100000000:08d}",
                "phone": f"021-{(5000_0000 + k * 137) % 10**8:08d}" if i == 0 else "",
                "email": f"contact{n:03d}{i}@example.com",
                "wechat": f"wx_{n:03d}_{i}" if k % 3 else "",
                "care_kind": "birthday" if k % 3 == 0 else "",
                "care_date": date(1975 + k % 20, (k % 12) + 1, (k % 27) + 1)
                if k % 3 == 0
                else None,
                "is_primary": i == 0,
            }
        )
    return contacts


def seed(out) -> None:
    rule = GradingRule.objects.current()
    units = {u.code: u for u in ServiceUnit.objects.filter(code__in=PLAN)}
    regions = {r.code: r for r in Region.objects.filter(code__in=SALES)}
    usernames = {*SALES.values(), *SUPERVISORS.values(), *sum(VISITORS.values(), [])}
    people = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(units) < len(PLAN) or len(regions) < len(SALES) or len(people) < len(usernames):
        out.write("crm_site.devtools.demo.customers: accounts demo data missing, skipped")
        return
    catalogue = {s.code: s for s in LogisticsService.objects.all()}
    created = 0
    for n, unit_code, region_code in _customers():
        actor = people[SUPERVISORS[unit_code]]
        fields = _fields(n, units[unit_code], regions[region_code], people)
        chosen = [catalogue[c] for c in SERVICE_SETS[n % len(SERVICE_SETS)] if c in catalogue]
        reason = EXCEPTION_REASON if fields["code"] == EXCEPTION_CODE else ""
        customer = Customer.objects.filter(code=fields["code"]).first()
        if customer is None:
            customer = services.customer_create(
                actor=actor, fields=fields, services=chosen, override_reason=reason
            )
            created += 1
        else:
            services.customer_update(
                customer=customer,
                actor=actor,
                fields=fields,
                services=chosen,
                override_reason=reason,
            )
        existing = set(customer.contacts.values_list("name", flat=True))
        for contact in _contacts(n):
            if contact["name"] not in existing:
                services.contact_create(customer=customer, actor=actor, fields=contact)
        if customer.code == PINNED_CODE and not customer.grade_pinned:
            services.customer_pin_grade(
                customer=customer, actor=actor, grade="A", reason=PINNED_REASON
            )
    if not RegradeRun.objects.filter(key="demo-initial").exists():
        services.regrade_run_start(rule=rule, reason="演示数据初始评级", key="demo-initial")
    grades = sorted(set(Customer.objects.values_list("unit__code", "grade")))
    out.write(
        f"crm_site.devtools.demo.customers: {Customer.objects.count()} customers ({created} new), "
        f"grades by unit {grades}"
    )
