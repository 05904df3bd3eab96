"""A generated dataset at the scale of a large logistics group.

Used by `manage.py seed_large` and `manage.py bench`. Rows are generated in
Python with a fixed random seed and written in batches with PostgreSQL's COPY
(plain multi-row INSERT on other databases), with explicit ids so related rows
need no round trips; sequences are moved past the new ids at the end.

Distributions: unit sizes follow a Zipf-like curve (a few big units), grades
come from the real grading rule applied to skewed attributes (most customers
C or D), each staff member files a report on most working days with a few
entries on their own customers. Monthly turnover follows each customer's
annual revenue (so its grade) and recorded trend, with a seasonal dip around
the spring festival, a few customers that start late, stop or fall sharply
in the last two months (the early warning's cases).
"""

import calendar
import io
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from crm_site.core import months
from crm_site.core.db import allow_long_statements
from customers import grading

MARKER_UNIT = "L01"  # a unit code only this generator uses

CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "天津",
    "重庆",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "郑州",
    "青岛",
    "宁波",
    "厦门",
    "福州",
    "济南",
    "合肥",
    "无锡",
    "佛山",
    "东莞",
    "昆明",
    "南宁",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "贵阳",
    "兰州",
    "乌鲁木齐",
    "呼和浩特",
    "银川",
    "西宁",
    "海口",
    "温州",
    "绍兴",
    "嘉兴",
    "金华",
    "台州",
    "泉州",
    "漳州",
    "珠海",
    "中山",
    "惠州",
    "烟台",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强"
COMPANY_WORDS = [
    "华通",
    "远航",
    "恒达",
    "鑫源",
    "盛世",
    "联创",
    "金桥",
    "海川",
    "博远",
    "鼎盛",
    "嘉禾",
    "瑞丰",
    "宏图",
    "万通",
    "永兴",
    "新和",
    "天成",
    "锦程",
]
INDUSTRIES = [
    "电子制造",
    "服装纺织",
    "食品饮料",
    "汽车零部件",
    "家电",
    "医药",
    "日化",
    "建材",
    "电商零售",
    "机械设备",
]
OPINIONS = [
    "希望提前一天通知到货时间",
    "对近期配送时效表示满意",
    "希望增加周末收货服务",
    "反映部分货物外包装破损",
    "建议月结对账单按区域拆分",
    "",
]
MARKET = [
    "竞争对手推出零担九折优惠",
    "某快运公司新开本地仓配业务",
    "行业运价本月小幅上涨",
    "同行开始提供夜间配送",
    "",
    "",
]
EFFECTS = ["客户认可新方案", "达成续约意向", "问题已记录待跟进", "客户同意试用仓储服务"]
HANDLING = ["已协调调度部门处理", "已安排专人跟进", "当场答复客户疑问", "已反馈运输部门"]


@dataclass
class Plan:
    customers: int = 100_000
    users: int = 1_000
    units: int = 50
    regions: int = 30
    months: int = 28  # ordinary months ending with the last closed month
    entries_per_month: int = 40_000
    heavy_factor: int = 10  # the month before the oldest one has this many times the entries
    complaints: int = 20_000
    urgent_reports: int = 2_000
    seed: int = 20261123
    # The logistics scale (add_complaints_at_scale): complaints with waybills.
    scale_complaints: int = 200_000
    waybill_links: int = 600_000
    # Monthly turnover (add_turnover): this many months for every customer,
    # ending with the last closed month, and targets for every generated unit.
    turnover_months: int = 36

    @classmethod
    def quick(cls) -> "Plan":
        return cls(
            customers=3_000,
            users=60,
            units=5,
            regions=5,
            months=2,
            entries_per_month=2_000,
            heavy_factor=10,
            complaints=300,
            urgent_reports=30,
            scale_complaints=300,
            waybill_links=900,
        )

    @property
    def total_entries(self) -> int:
        return self.entries_per_month * (self.months + self.heavy_factor)


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


# The cargo profile's columns (customers.cargo), blank: generated customers
# have no profile.
CARGO_BLANK = {
    "cargo_goods": "", "cargo_size": "", "cargo_weight": "", "cargo_density": "",
    "special_handling": "", "packaging": "", "transport_modes": "", "load_type": "",
    "equipment": "", "delivery_windows": "", "appointment_required": False,
    "receipt_return": False, "shipments_per_month": None, "tonnage_per_month": None,
}  # fmt: skip


def complaint_writer() -> "Writer":
    """COPY into the complaint table: the columns complaint_row fills."""
    return Writer(
        "complaints_complaint",
        ["id", "number", "customer_id", "unit_id", "channel", "received_at", "received_by_id",
         "complainant", "contact_phone", "content", "demand", "category_id", "severity",
         "responsible_department", "handler_id", "deadline", "status", "recording",
         "recording_content_type", "cause", "solution", "approval_comment", "notice_means",
         "return_visit_note", "reopened_count", "resolved_at", "created_at", "updated_at",
         "version", "pause_reason", "regulatory_due", "regulatory_source"],
    )  # fmt: skip


def complaint_row(
    rng, pk, number, customer, unit, handler, *, received, status, resolved, content, category
) -> tuple:
    """One generated complaint made to the company (7-day regulatory clock),
    handled by `handler`, five days to resolve."""
    return (
        pk, number, customer, unit, rng.choice(["phone", "in_person", "online"]), received,
        handler, "投诉人", "13800000000", content, "尽快处理并说明原因", category,
        rng.choices(["normal", "major"], weights=[9, 1])[0], "运输部", handler,
        received + timedelta(days=5), status, "", "", "", "", "", "", "", 0, resolved, received,
        received, 0, "", received + timedelta(days=7), "",
    )  # fmt: skip


def months_of(plan: Plan, today: date) -> list[tuple[date, int]]:
    """(first day, entries) for each generated month, oldest first: the heavy
    month, then `plan.months` ordinary months ending with the last closed one."""
    last_closed = months.shift(today.replace(day=1), -1)
    first = months.shift(last_closed, -(plan.months - 1))
    heavy = months.shift(first, -1)
    generated = [(heavy, plan.entries_per_month * plan.heavy_factor)]
    generated += [(months.shift(first, i), plan.entries_per_month) for i in range(plan.months)]
    return generated


def heavy_month(plan: Plan, today: date | None = None) -> date:
    return months_of(plan, today or timezone.localdate())[0][0]


def normal_month(plan: Plan, today: date | None = None) -> date:
    """The last closed month (ordinary size): what the benchmark rolls up."""
    return months_of(plan, today or timezone.localdate())[-1][0]


def already_generated() -> bool:
    from crm_site.accounts.models import ServiceUnit

    return ServiceUnit.objects.filter(code=MARKER_UNIT).exists()


# The first waybill the complaints-at-scale step writes (a number only it uses).
MARKER_WAYBILL = "LD0000000000"
CARRIERS = ("SF", "YT", "ZT", "JD", "YD", "ST", "EMS", "DBL")


def complaints_at_scale_added() -> bool:
    from customers.models import Waybill

    return Waybill.objects.filter(number=MARKER_WAYBILL).exists()


def turnover_added() -> bool:
    """Whether the generated customers have their turnover (the largest unit's)."""
    from customers.revenue.models import MonthlyTurnover

    return MonthlyTurnover.objects.filter(customer__unit__code=MARKER_UNIT).exists()


def turnover_span(plan: Plan, today: date | None = None) -> list[date]:
    """The generated turnover's months, oldest first, ending with the last closed month."""
    last_closed = months.shift((today or timezone.localdate()).replace(day=1), -1)
    return months.trailing(last_closed, plan.turnover_months)


# Turnover by calendar month against the year's mean: the spring-festival dip
# and the year-end peak.
SEASON = (0.95, 0.84, 0.98, 1.0, 1.0, 0.99, 0.98, 1.0, 1.02, 1.03, 1.08, 1.13)
# Yearly growth by the customer's recorded trend (low, high).
GROWTH = {"growing": (0.12, 0.45), "stable": (-0.02, 0.02), "declining": (-0.40, -0.12)}
# Shares of customers that start trading inside the span, that stop (a lost
# customer always stops), and whose last two months each fall by 25-50%.
STARTS_LATE, STOPS, FALLS = 0.04, 0.01, 0.015


def turnover_series(
    rng: random.Random, span: list[date], *, annual_cny: float, trend: str, lost: bool
) -> list[int | None]:
    """One customer's turnover in the months of `span` (oldest first) in cents,
    None before it started trading; the last 12 months add up to `annual_cny`
    (its recorded annual revenue) unless it stopped or fell."""
    low, high = GROWTH.get(trend, GROWTH["stable"])
    growth = 1 + rng.uniform(low, high)
    n = len(span)
    levels = [
        growth ** ((i - n + 1) / 12) * SEASON[m.month - 1] * rng.uniform(0.95, 1.05)
        for i, m in enumerate(span)
    ]
    scale = annual_cny / (sum(levels[-12:]) or 1.0)
    cents: list[int | None] = [round(level * scale * 100) for level in levels]
    draw = rng.random()
    if draw < STARTS_LATE:
        start = rng.randrange(1, n - 1)
        cents[:start] = [None] * start
    elif lost or draw < STARTS_LATE + STOPS:
        stop = rng.randrange(max(1, n - 18), n)
        cents[stop:] = [0] * (n - stop)
    elif draw < STARTS_LATE + STOPS + FALLS:
        for i in (n - 2, n - 1):
            cents[i] = round((cents[i - 1] or 0) * rng.uniform(0.5, 0.75))
    return cents


def _status_and_resolved(rng: random.Random, received):
    """A generated complaint's status (mostly closed) and, once resolved, when."""
    status = rng.choices(
        ["closed", "resolved", "investigating", "received"], weights=[70, 10, 12, 8]
    )[0]
    resolved = (
        received + timedelta(days=rng.randrange(1, 8)) if status in ("closed", "resolved") else None
    )
    return status, resolved


def waybill_number(n: int) -> str:
    """The n-th generated waybill number: a carrier prefix and ten digits, all
    distinct (n -> n * 2654435761 mod 10^10 is one-to-one: the factor is prime
    to 10), so that consecutive complaints do not carry consecutive numbers."""
    if n == 0:
        return MARKER_WAYBILL
    digits = (n * 2_654_435_761) % 10**10
    return f"{CARRIERS[n % len(CARRIERS)]}{digits:010d}"


class Writer:
    """Batched COPY (PostgreSQL) or INSERT of plain tuples into a table."""

    def __init__(self, table: str, columns: list[str], batch: int = 20_000):
        self.table, self.columns, self.batch = table, columns, batch
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *row):
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in self.rows:
                    buffer.write("\t".join(_copy_value(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                cols = ", ".join(f'"{c}"' for c in self.columns)
                cursor.copy_expert(f'COPY "{self.table}" ({cols}) FROM STDIN', buffer)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cols = ", ".join(f'"{c}"' for c in self.columns)
                cursor.executemany(
                    f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})',
                    [tuple(_sql_value(v) for v in row) for row in self.rows],
                )
        self.count += len(self.rows)
        self.rows = []


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _sql_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        return cursor.fetchone()[0] + 1


def _reset_sequences(tables: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


def _zipf_weights(n: int) -> list[float]:
    return [1 / (i**0.8) for i in range(1, n + 1)]


class Generator:
    def __init__(self, plan: Plan, progress=None):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.progress = progress or (lambda label, done, total: None)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.turnover_rows = 0

    # --- organisation -------------------------------------------------------

    def organisation(self):
        from django.contrib.auth.models import Group

        from crm_site.accounts.models import Membership, Role
        from crm_site.accounts.services import role_groups_ensure

        plan, rng = self.plan, self.rng
        role_groups_ensure()
        groups = dict(Group.objects.values_list("name", "id"))
        password = make_password("crm-demo-2026")

        unit_id0 = _next_id("accounts_serviceunit")
        units = Writer("accounts_serviceunit", ["id", "code", "name", "is_active"])
        self.unit_ids = []
        for i in range(plan.units):
            uid = unit_id0 + i
            city = CITIES[i % len(CITIES)]
            suffix = "" if i < len(CITIES) else str(i // len(CITIES) + 1)
            units.add(uid, f"L{i + 1:02d}", f"{city}营业部{suffix}", True)
            self.unit_ids.append(uid)
        units.flush()
        self.unit_weights = _zipf_weights(plan.units)

        region_id0 = _next_id("accounts_region")
        regions = Writer("accounts_region", ["id", "code", "name"])
        self.region_ids = [region_id0 + i for i in range(plan.regions)]
        for i, rid in enumerate(self.region_ids):
            regions.add(rid, f"LR{i + 1:02d}", f"{CITIES[i % len(CITIES)]}地区{i + 1}")
        regions.flush()

        user_id0 = _next_id("accounts_user")
        users = Writer(
            "accounts_user",
            [
                "id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                "is_staff", "is_active", "date_joined", "full_name", "phone", "language",
            ],
        )  # fmt: skip
        member_id0 = _next_id("accounts_membership")
        members = Writer("accounts_membership", ["id", "user_id", "unit_id", "kind"])
        ug_id0 = _next_id("accounts_user_groups")
        user_groups = Writer("accounts_user_groups", ["id", "user_id", "group_id"])
        self.staff_by_unit = {uid: [] for uid in self.unit_ids}
        self.supervisor_of, self.manager_of = {}, {}
        # One supervisor and one manager per unit; the rest are staff, more in big units.
        staff_total = max(plan.users - 2 * plan.units, plan.units)
        total_weight = sum(self.unit_weights)
        staff_counts = [max(1, round(staff_total * w / total_weight)) for w in self.unit_weights]
        next_id = user_id0
        for index, uid in enumerate(self.unit_ids):
            code = f"l{index + 1:02d}"
            people = [
                (f"{code}_sup", Role.SUPERVISOR, Membership.Kind.SUPERVISOR),
                (f"{code}_mgr", Role.MANAGER, Membership.Kind.MANAGER),
            ]
            people += [
                (f"{code}_staff{n:03d}", Role.STAFF, Membership.Kind.MEMBER)
                for n in range(1, staff_counts[index] + 1)
            ]
            for username, role, kind in people:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                users.add(
                    next_id, password, False, username, "", "", f"{username}@large.example.com",
                    False, True, self.now, name, "", "",
                )  # fmt: skip
                members.add(member_id0, next_id, uid, kind)
                member_id0 += 1
                user_groups.add(ug_id0, next_id, groups[role])
                ug_id0 += 1
                if role == Role.STAFF:
                    self.staff_by_unit[uid].append(next_id)
                elif role == Role.SUPERVISOR:
                    self.supervisor_of[uid] = next_id
                else:
                    self.manager_of[uid] = next_id
                next_id += 1
        for writer in (users, members, user_groups):
            writer.flush()
        self.largest_unit = self.unit_ids[0]
        self.progress("users", users.count, users.count)

    # --- customers ----------------------------------------------------------

    def customers(self):
        from customers.models import GradingRule

        plan, rng = self.plan, self.rng
        rule_row = GradingRule.objects.current()
        rule = rule_row.as_rule()
        natures = ["manufacturer", "distributor", "retailer", "ecommerce", "trading", "other"]
        scales = ["large", "medium", "small", "micro"]
        trends = ["growing", "stable", "declining"]
        cust_id0 = _next_id("customers_customer")
        contact_id0 = _next_id("customers_contact")
        customers = Writer(
            "customers_customer",
            [
                "id", "code", "name", "nature", "scale", "annual_revenue", "trend", "industry",
                "region_id", "address", "unit_id", "sales_owner_id", "visiting_person_id",
                "assignment_override_reason", "status", "notes", "grade", "grade_points",
                "grade_breakdown", "grade_rule_id", "graded_at", "grade_pinned", "grade_pin_reason",
                "created_at", "updated_at", "version", *CARGO_BLANK,
            ],
        )  # fmt: skip
        contacts = Writer(
            "customers_contact",
            ["id", "customer_id", "name", "organisation", "position", "address", "mobile", "phone",
             "email", "wechat", "care_date", "care_kind", "is_primary", "notes", "version"],
        )  # fmt: skip
        self.customers_of_staff: dict[int, list[int]] = {}
        self.customer_unit: dict[int, int] = {}
        import json

        for n in range(plan.customers):
            cid = cust_id0 + n
            unit = rng.choices(self.unit_ids, weights=self.unit_weights)[0]
            staff = rng.choice(self.staff_by_unit[unit])
            revenue = round(min(rng.lognormvariate(3.2, 1.3), 20000), 2)
            attrs = grading.Attributes(
                annual_revenue=revenue,
                scale=rng.choices(scales, weights=[1, 3, 6, 4])[0],
                trend=rng.choices(trends, weights=[2, 5, 3])[0],
                nature=rng.choice(natures),
            )
            result = grading.grade(attrs, rule)
            city = CITIES[rng.randrange(len(CITIES))]
            name = f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司{n}"
            customers.add(
                cid, f"LC{n + 1:07d}", name, attrs.nature, attrs.scale, f"{revenue:.2f}",
                attrs.trend, rng.choice(INDUSTRIES), rng.choice(self.region_ids), f"{city}市工业路{n % 900 + 1}号",
                unit, None, staff, "", rng.choices(["active", "potential", "dormant", "lost"], weights=[85, 8, 5, 2])[0],
                "", result.grade, result.points, json.dumps(result.breakdown, ensure_ascii=False),
                rule_row.pk, self.now, False, "", self.now, self.now, 0, *CARGO_BLANK.values(),
            )  # fmt: skip
            contacts.add(
                contact_id0 + n, cid, rng.choice(SURNAMES) + rng.choice(GIVEN), "", "经理", "",
                f"13{rng.randrange(10**9):09d}", "", "", "", None, "", True, "", 0,
            )  # fmt: skip
            self.customers_of_staff.setdefault(staff, []).append(cid)
            self.customer_unit[cid] = unit
            if n % 20_000 == 0:
                self.progress("customers", n, plan.customers)
        customers.flush()
        contacts.flush()
        self.progress("customers", plan.customers, plan.customers)

    # --- daily reports ------------------------------------------------------

    def reports(self):
        plan, rng = self.plan, self.rng
        report_id0 = _next_id("visits_dailyreport")
        visit_id0 = _next_id("visits_visit")
        entry_id0 = _next_id("visits_dailyreportentry")
        reports = Writer(
            "visits_dailyreport",
            ["id", "user_id", "unit_id", "date", "status", "note", "submitted_at", "reviewed_by_id",
             "reviewed_at", "review_comment", "created_at", "updated_at"],
        )  # fmt: skip
        visits = Writer(
            "visits_visit",
            ["id", "customer_id", "user_id", "unit_id", "kind", "occurred_at", "source", "note",
             "form_token", "created_at"],
        )  # fmt: skip
        entries = Writer(
            "visits_dailyreportentry",
            ["id", "report_id", "customer_id", "kind", "occurred_at", "opinions", "market", "effect",
             "handling", "other", "needs_escalation", "escalation_reason", "visit_id", "form_token",
             "created_at", "updated_at"],
        )  # fmt: skip
        staff = [s for s in self.customers_of_staff if self.customers_of_staff[s]]
        unit_of_staff = {s: self.customer_unit[self.customers_of_staff[s][0]] for s in staff}
        # Busier staff (more customers) file more entries.
        weights = [len(self.customers_of_staff[s]) for s in staff]
        total = self.plan.total_entries
        rid, vid, eid = report_id0, visit_id0, entry_id0
        done = 0
        for first, count in months_of(plan, timezone.localdate()):
            days = [
                date(first.year, first.month, d)
                for d in range(1, calendar.monthrange(first.year, first.month)[1] + 1)
                if date(first.year, first.month, d).weekday() < 5
            ]
            # Entries per (staff, day): spread the month's count over staff and days.
            per_staff = {}
            for s in rng.choices(staff, weights=weights, k=count):
                per_staff[s] = per_staff.get(s, 0) + 1
            for s, n in per_staff.items():
                unit = unit_of_staff[s]
                sup = self.supervisor_of[unit]
                own = self.customers_of_staff[s]
                by_day = {}
                for _ in range(n):
                    d = rng.choice(days)
                    by_day[d] = by_day.get(d, 0) + 1
                for d, k in by_day.items():
                    submitted = datetime.combine(d, time(18, 0), tzinfo=self.tz)
                    reports.add(
                        rid, s, unit, d, "reviewed", "", submitted, sup, submitted + timedelta(hours=16),
                        "", submitted, submitted,
                    )  # fmt: skip
                    # Distinct (customer, kind) pairs within one report.
                    picks = set()
                    while len(picks) < min(k, 2 * len(own)):
                        picks.add((rng.choice(own), rng.choice(("visit", "call", "call"))))
                    for customer, kind in picks:
                        at = datetime.combine(
                            d, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=self.tz
                        )
                        visits.add(vid, customer, s, unit, kind, at, "entry", "", None, at)
                        flagged = rng.random() < 0.01
                        entries.add(
                            eid, rid, customer, kind, at, rng.choice(OPINIONS), rng.choice(MARKET),
                            rng.choice(EFFECTS), rng.choice(HANDLING), "", flagged,
                            "竞争对手大幅降价" if flagged else "", vid, uuid.uuid4(), at, at,
                        )  # fmt: skip
                        vid += 1
                        eid += 1
                        done += 1
                    rid += 1
            self.progress("entries", done, total)
        for writer in (reports, visits, entries):
            writer.flush()
        self.entry_count = entries.count

    # --- complaints and urgent reports -------------------------------------

    def complaints(self):
        from complaints.defaults import defaults_ensure
        from complaints.models import ComplaintCategory, ComplaintSequence

        plan, rng = self.plan, self.rng
        defaults_ensure()  # the migration's categories, even on a flushed database
        categories = list(ComplaintCategory.objects.values_list("id", flat=True))
        if not categories:
            return
        cid0 = _next_id("complaints_complaint")
        writer = complaint_writer()
        customer_ids = list(self.customer_unit)
        year = self.now.year
        start_number = (
            ComplaintSequence.objects.filter(year=year).values_list("last", flat=True).first() or 0
        ) + 1
        for n in range(plan.complaints):
            customer = rng.choice(customer_ids)
            unit = self.customer_unit[customer]
            received = self.now - timedelta(days=rng.randrange(720), hours=rng.randrange(24))
            status, resolved = _status_and_resolved(rng, received)
            handler = rng.choice(self.staff_by_unit[unit])
            writer.add(
                *complaint_row(
                    rng, cid0 + n, f"TS-{year}-{start_number + n:06d}", customer, unit, handler,
                    received=received, status=status, resolved=resolved, content="货物延误送达",
                    category=rng.choice(categories),
                )
            )  # fmt: skip
        writer.flush()
        ComplaintSequence.objects.update_or_create(
            year=year, defaults={"last": start_number + plan.complaints - 1}
        )

    def urgent_reports(self):
        plan, rng = self.plan, self.rng
        uid0 = _next_id("visits_urgentreport")
        writer = Writer(
            "visits_urgentreport",
            ["id", "unit_id", "raised_by_id", "customer_id", "category", "title", "details", "proposal",
             "status", "assignee_id", "ack_deadline", "routed_at", "acknowledged_at", "resolved_at",
             "resolution", "created_at", "updated_at"],
        )  # fmt: skip
        customer_ids = list(self.customer_unit)
        for n in range(plan.urgent_reports):
            customer = rng.choice(customer_ids)
            unit = self.customer_unit[customer]
            raised = self.now - timedelta(days=rng.randrange(720))
            resolved = raised + timedelta(days=2)
            writer.add(
                uid0 + n, unit, self.supervisor_of[unit], customer,
                rng.choice(["competitor_policy", "competitor_service", "competitor_trend", "own_service", "other"]),
                "竞争对手政策变化", "详见日报", "", "resolved", self.manager_of[unit], raised + timedelta(hours=4),
                raised, raised + timedelta(hours=1), resolved, "已处理", raised, resolved,
            )  # fmt: skip
        writer.flush()

    # --- complaints at the logistics scale (an additive step) -----------------

    def complaints_at_scale(self):
        """`plan.scale_complaints` more complaints over the generated units'
        customers and the last 24 months, numbered on from the year's sequence
        with the existing categories, and `plan.waybill_links` waybills (one to
        five a complaint) linked to them. Runs on a generated dataset, once
        (complaints_at_scale_added)."""
        from complaints.defaults import defaults_ensure
        from complaints.models import ComplaintCategory, ComplaintSequence
        from crm_site.accounts.models import Membership, ServiceUnit
        from customers.models import Customer

        plan = self.plan
        rng = random.Random(plan.seed + 1)
        defaults_ensure()  # the migration's categories, even on a flushed database
        categories = list(ComplaintCategory.objects.values_list("id", flat=True))
        if not categories or plan.scale_complaints <= 0:
            return
        units = set(
            ServiceUnit.objects.filter(code__regex=r"^L[0-9]+$").values_list("pk", flat=True)
        )
        people: dict[int, list[int]] = {}
        for user_id, unit_id in Membership.objects.filter(unit_id__in=units).values_list(
            "user_id", "unit_id"
        ):
            people.setdefault(unit_id, []).append(user_id)
        customers = [
            (pk, unit)
            for pk, unit in Customer.objects.filter(unit_id__in=units)
            .order_by("pk")
            .values_list("pk", "unit_id")
            if unit in people
        ]
        if not customers:
            return
        cid0 = _next_id("complaints_complaint")
        wid0 = _next_id("customers_waybill")
        lid0 = _next_id("complaints_complaint_waybills")
        complaints = complaint_writer()
        waybills = Writer("customers_waybill", ["id", "created_at", "number"])
        links = Writer("complaints_complaint_waybills", ["id", "complaint_id", "waybill_id"])
        year = self.now.year
        sequence = ComplaintSequence.objects.filter(year=year).values_list("last", flat=True)
        start_number = (sequence.first() or 0) + 1
        # Waybills per complaint: one to five, `waybill_links` in all.
        per_complaint = [1] * plan.scale_complaints
        extra = max(0, plan.waybill_links - plan.scale_complaints)
        while extra:
            i = rng.randrange(plan.scale_complaints)
            if per_complaint[i] < 5:
                per_complaint[i] += 1
                extra -= 1
        contents = ["货物延误送达", "外包装破损", "签收后发现短少", "派送员态度差", "运费计算有误"]
        w = 0
        for n in range(plan.scale_complaints):
            customer, unit = rng.choice(customers)
            received = self.now - timedelta(days=rng.randrange(730), hours=rng.randrange(24))
            status, resolved = _status_and_resolved(rng, received)
            handler = rng.choice(people[unit])
            complaints.add(
                *complaint_row(
                    rng, cid0 + n, f"TS-{year}-{start_number + n:06d}", customer, unit, handler,
                    received=received, status=status, resolved=resolved,
                    content=rng.choice(contents), category=rng.choice(categories),
                )
            )  # fmt: skip
            for _ in range(per_complaint[n]):
                waybills.add(wid0 + w, received, waybill_number(w))
                links.add(lid0 + w, cid0 + n, wid0 + w)
                w += 1
            if n % 20_000 == 0:
                self.progress("complaints", n, plan.scale_complaints)
        # Waybills before the links that name them (COPY checks the keys at commit).
        for writer in (complaints, waybills, links):
            writer.flush()
        self.progress("complaints", plan.scale_complaints, plan.scale_complaints)
        ComplaintSequence.objects.update_or_create(
            year=year, defaults={"last": start_number + plan.scale_complaints - 1}
        )
        _reset_sequences(
            ["complaints_complaint", "customers_waybill", "complaints_complaint_waybills"]
        )

    def add_complaints_at_scale(self):
        """complaints_at_scale on a dataset that lacks it (nothing otherwise)."""
        if complaints_at_scale_added():
            return self
        with transaction.atomic():
            allow_long_statements()
            self.complaints_at_scale()
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                allow_long_statements()
                for table in (
                    "complaints_complaint",
                    "customers_waybill",
                    "complaints_complaint_waybills",
                ):
                    cursor.execute(f'ANALYZE "{table}"')
        return self

    # --- monthly turnover and targets (an additive step) ------------------------

    def turnover(self):
        """`plan.turnover_months` of turnover for every customer of the generated
        units (turnover_series), and monthly targets near the actual figures:
        per unit, per grade in it and per visiting person. Runs on a generated
        dataset, once (turnover_added)."""
        from crm_site.accounts.models import Membership, ServiceUnit
        from customers.models import Customer

        plan = self.plan
        rng = random.Random(plan.seed + 2)
        span = turnover_span(plan, self.now.date())
        units = dict(ServiceUnit.objects.filter(code__regex=r"^L[0-9]+$").values_list("pk", "code"))
        managers = dict(
            Membership.objects.filter(unit_id__in=units, kind=Membership.Kind.MANAGER).values_list(
                "unit_id", "user_id"
            )
        )
        customers = Customer.objects.filter(unit_id__in=units).order_by("pk")
        total = customers.count()
        tid = _next_id("customers_monthlyturnover")
        rows = Writer(
            "customers_monthlyturnover", ["id", "customer_id", "month", "amount", "updated_at", "version"]
        )  # fmt: skip
        # Actual figures per (unit, person, grade, month index), for the targets.
        actual: dict[tuple, int] = {}
        for n, (pk, unit, person, grade, status, trend, revenue) in enumerate(
            customers.values_list(
                "pk", "unit_id", "visiting_person_id", "grade", "status", "trend", "annual_revenue"
            ).iterator(chunk_size=10_000)
        ):
            cents = turnover_series(
                rng, span, annual_cny=float(revenue) * 10_000, trend=trend, lost=status == "lost"
            )
            for i, amount in enumerate(cents):
                if amount is None:
                    continue
                rows.add(tid, pk, span[i], f"{amount // 100}.{amount % 100:02d}", self.now, 0)
                tid += 1
                key = (unit, person, grade, i)
                actual[key] = actual.get(key, 0) + amount
            if n % 20_000 == 0:
                self.progress("turnover", n, total)
        rows.flush()
        self.progress("turnover", total, total)
        self.turnover_rows = rows.count
        self.targets(span, actual, managers, rng)
        _reset_sequences(["customers_monthlyturnover", "customers_revenuetarget"])

    def targets(self, span, actual, managers, rng):
        """Targets of each unit, grade and visiting person near their actual
        turnover: a unit's yearly ambition (a few per cent either side) with a
        little noise per month, in hundreds of CNY."""
        per: dict[tuple, int] = {}
        for (unit, person, grade, i), cents in actual.items():
            keys = [(unit, None, "", i)]
            if grade:
                keys.append((unit, None, grade, i))
            if person is not None:
                keys.append((unit, person, "", i))
            for key in keys:
                per[key] = per.get(key, 0) + cents
        ambition = {
            (unit, m.year): rng.uniform(0.95, 1.15) for unit in {k[0] for k in per} for m in span
        }
        writer = Writer(
            "customers_revenuetarget",
            ["id", "unit_id", "month", "person_id", "grade", "amount", "set_by_id", "updated_at"],
        )
        pk = _next_id("customers_revenuetarget")
        for (unit, person, grade, i), cents in per.items():
            month = span[i]
            amount = round(cents / 100 * ambition[unit, month.year] * rng.uniform(0.97, 1.03), -2)
            writer.add(
                pk, unit, month, person, grade, f"{amount:.2f}", managers.get(unit), self.now
            )
            pk += 1
        writer.flush()

    def add_turnover(self):
        """turnover on a dataset that lacks it (nothing otherwise)."""
        if turnover_added():
            return self
        with transaction.atomic():
            allow_long_statements()
            self.turnover()
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                allow_long_statements()
                for table in ("customers_monthlyturnover", "customers_revenuetarget"):
                    cursor.execute(f'ANALYZE "{table}"')
        return self

    def run(self):
        with transaction.atomic():
            allow_long_statements()
            self.organisation()
            self.customers()
            self.reports()
            self.complaints()
            self.urgent_reports()
            _reset_sequences(
                [
                    "accounts_serviceunit", "accounts_region", "accounts_user", "accounts_membership",
                    "accounts_user_groups", "customers_customer", "customers_contact",
                    "visits_dailyreport", "visits_visit", "visits_dailyreportentry",
                    "complaints_complaint", "visits_urgentreport",
                ]
            )  # fmt: skip
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                allow_long_statements()
                cursor.execute("ANALYZE")
        return self.add_complaints_at_scale().add_turnover()
