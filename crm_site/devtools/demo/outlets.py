"""Demo outlets (网点, 分拨中心, 营业部) of units 1 and 2, the outlet serving each
customer, cargo profiles on several customers, and the outlets some demo
complaints are charged to.

Idempotent: outlets are matched by code; a customer is written only when its
serving outlet or profile differs; a complaint's outlets only while unset.
"""

from decimal import Decimal

from crm_site.accounts.models import Membership, ServiceUnit, User
from customers import services as customer_services
from customers.models import Customer, Outlet
from customers.outlets import services as outlet_services

# code, name, kind, unit code, region code, address, manager, phone, active
OUTLETS = [
    ("SH-WD-001", "上海浦东张江网点", "outlet", "1", "SH", "上海市浦东新区郭守敬路498号", "钱建华", "021-50801234", True),
    ("SH-WD-002", "上海闵行莘庄网点", "outlet", "1", "SH", "上海市闵行区莘松路380号", "孙丽", "021-64921100", True),
    ("SH-HUB-01", "上海青浦分拨中心", "hub", "1", "SH", "上海市青浦区华新镇华志路1688号", "周强", "021-59791888", True),
    ("SH-YYB-01", "上海徐汇营业部", "office", "1", "SH", "上海市徐汇区漕溪北路88号", "吴敏", "021-64001234", True),
    ("JS-WD-001", "苏州工业园区网点", "outlet", "1", "JS", "苏州市工业园区星湖街328号", "郑海涛", "0512-62881234", True),
    ("JS-HUB-01", "苏州相城分拨中心", "hub", "1", "JS", "苏州市相城区阳澄湖大道999号", "冯军", "0512-65781888", True),
    ("JS-WD-009", "苏州吴中网点", "outlet", "1", "JS", "苏州市吴中区东吴北路12号", "", "", False),
    ("GD-WD-001", "广州天河网点", "outlet", "2", "GD", "广州市天河区天河北路233号", "何志强", "020-38881234", True),
    ("GD-WD-002", "广州黄埔网点", "outlet", "2", "GD", "广州市黄埔区科学大道18号", "林婷", "020-82111234", True),
    ("GD-HUB-01", "广州白云分拨中心", "hub", "2", "GD", "广州市白云区太和镇永兴村物流园", "罗伟", "020-87451888", True),
    ("GD-YYB-01", "广州番禺营业部", "office", "2", "GD", "广州市番禺区市桥街繁华路6号", "谢芳", "020-84881234", True),
    ("FJ-WD-001", "厦门湖里网点", "outlet", "2", "FJ", "厦门市湖里区高崎北路66号", "陈磊", "0592-5721234", True),
    ("FJ-HUB-01", "厦门集美分拨中心", "hub", "2", "FJ", "厦门市集美区杏林湾路1号", "黄静", "0592-6281888", True),
]  # fmt: skip

# Cargo profiles (货物与运输需求), given to every eighth customer in turn.
PROFILES = [
    {
        "cargo_goods": "冷冻肉类、速冻食品",
        "cargo_size": "标准托盘 1.2×1.0 米",
        "cargo_weight": "每托 500–800 千克",
        "cargo_density": "heavy",
        "special_handling": "temperature",
        "packaging": "保温箱、托盘",
        "transport_modes": "road,city",
        "load_type": "both",
        "equipment": "cold_chain,tail_lift",
        "delivery_windows": "门店 6:00–9:00 收货",
        "appointment_required": True,
        "receipt_return": True,
        "shipments_per_month": 420,
        "tonnage_per_month": Decimal("380.00"),
    },
    {
        "cargo_goods": "手机配件、电子元器件",
        "cargo_size": "纸箱 60×40×40 厘米",
        "cargo_weight": "每件 5–15 千克",
        "cargo_density": "light",
        "special_handling": "fragile,valuable,moisture",
        "packaging": "纸箱、防静电袋",
        "transport_modes": "express,air,road",
        "load_type": "ltl",
        "equipment": "box_truck",
        "delivery_windows": "工作日 9:00–17:00",
        "appointment_required": False,
        "receipt_return": True,
        "shipments_per_month": 2600,
        "tonnage_per_month": Decimal("45.50"),
    },
    {
        "cargo_goods": "汽车零部件、发动机总成",
        "cargo_size": "木箱 2.0×1.2×1.5 米",
        "cargo_weight": "每箱 1–2 吨",
        "cargo_density": "heavy",
        "special_handling": "oversized",
        "packaging": "木箱、铁架",
        "transport_modes": "road,rail",
        "load_type": "ftl",
        "equipment": "flatbed,forklift",
        "delivery_windows": "按主机厂 JIT 窗口，提前 2 小时到厂",
        "appointment_required": True,
        "receipt_return": True,
        "shipments_per_month": 90,
        "tonnage_per_month": Decimal("860.00"),
    },
    {
        "cargo_goods": "工业清洗剂（第 8 类腐蚀品）",
        "cargo_size": "200 升铁桶",
        "cargo_weight": "每桶约 230 千克",
        "cargo_density": "heavy",
        "special_handling": "dangerous",
        "packaging": "铁桶、IBC 吨桶",
        "transport_modes": "road",
        "load_type": "ftl",
        "equipment": "hazmat_vehicle,tail_lift",
        "delivery_windows": "工作日 8:00–16:00，需提前一天预约",
        "appointment_required": True,
        "receipt_return": True,
        "shipments_per_month": 30,
        "tonnage_per_month": Decimal("120.00"),
    },
    {
        "cargo_goods": "服装、鞋帽",
        "cargo_size": "纸箱 50×40×30 厘米",
        "cargo_weight": "每件 8–12 千克",
        "cargo_density": "light",
        "special_handling": "",
        "packaging": "纸箱",
        "transport_modes": "express,road,multimodal",
        "load_type": "ltl",
        "equipment": "",
        "delivery_windows": "电商仓 24 小时收货",
        "appointment_required": False,
        "receipt_return": False,
        "shipments_per_month": 5200,
        "tonnage_per_month": Decimal("62.00"),
    },
    {
        "cargo_goods": "进出口家电整柜",
        "cargo_size": "40 尺高柜",
        "cargo_weight": "每柜 12–18 吨",
        "cargo_density": "mixed",
        "special_handling": "fragile",
        "packaging": "纸箱、缠绕膜",
        "transport_modes": "sea,road,multimodal",
        "load_type": "ftl",
        "equipment": "container",
        "delivery_windows": "港区 24 小时，提柜需预约",
        "appointment_required": True,
        "receipt_return": True,
        "shipments_per_month": 60,
        "tonnage_per_month": Decimal("900.00"),
    },
]


def _outlets(units, regions, admin) -> tuple[int, dict]:
    created, by_code = 0, {}
    for code, name, kind, unit, region, address, manager, phone, active in OUTLETS:
        outlet = Outlet.objects.filter(code=code).first()
        if outlet is None:
            outlet = outlet_services.outlet_create(
                actor=admin,
                fields={
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "unit": units[unit],
                    "region": regions.get(region),
                    "address": address,
                    "manager_name": manager,
                    "manager_phone": phone,
                    "is_active": active,
                },
            )
            created += 1
        by_code[code] = outlet
    return created, by_code


def _customers(by_code, units) -> int:
    """Each customer is served by an active outlet of its region (in turn);
    every eighth has a cargo profile."""
    serving: dict[tuple[int, int | None], list[Outlet]] = {}
    for outlet in by_code.values():
        if outlet.kind == "outlet" and outlet.is_active:
            serving.setdefault((outlet.unit_id, outlet.region_id), []).append(outlet)
    changed = 0
    customers = Customer.objects.filter(unit__in=units.values()).order_by("code")
    for n, customer in enumerate(customers):
        choices = serving.get((customer.unit_id, customer.region_id))
        fields: dict[str, object] = {}
        if choices:
            fields["serving_outlet"] = choices[n % len(choices)]
        if n % 8 == 1:
            fields |= PROFILES[(n // 8) % len(PROFILES)]
        wanted = {k: (v.pk if isinstance(v, Outlet) else v) for k, v in fields.items()}
        current = {
            k: getattr(customer, "serving_outlet_id" if k == "serving_outlet" else k)
            for k in fields
        }
        if wanted == current:
            continue
        actor = _lead(customer.unit_id)
        if actor is None:
            continue
        customer_services.customer_update(customer=customer, actor=actor, fields=fields)
        changed += 1
    return changed


def _lead(unit_id: int) -> User | None:
    return (
        User.objects.filter(
            memberships__unit_id=unit_id, memberships__kind=Membership.Kind.SUPERVISOR
        )
        .order_by("username")
        .first()
    )


def _complaints(by_code) -> int:
    """Every other complaint of a unit is charged to one of its outlets, with the
    parcel's way from a hub to an outlet."""
    from complaints.models import Complaint

    charged = 0
    for unit_code, hub_code, outlets in (
        ("1", "SH-HUB-01", ["SH-WD-001", "JS-WD-001", "SH-WD-002"]),
        ("2", "GD-HUB-01", ["GD-WD-001", "FJ-WD-001", "GD-WD-002"]),
    ):
        complaints = Complaint.objects.filter(unit__code=unit_code).order_by("number")
        for n, pk in enumerate(complaints.values_list("pk", flat=True)):
            if n % 2:
                continue
            outlet = by_code[outlets[(n // 2) % len(outlets)]]
            charged += Complaint.objects.filter(pk=pk, responsible_outlet=None).update(
                responsible_outlet=outlet,
                origin_outlet=by_code[hub_code],
                destination_outlet=outlet,
            )
    return charged


def seed(out) -> None:
    from crm_site.accounts.models import Region

    units = {u.code: u for u in ServiceUnit.objects.filter(code__in=["1", "2"])}
    admin = User.objects.filter(username="admin").first()
    if len(units) < 2 or admin is None:
        out.write("crm_site.devtools.demo.outlets: accounts demo data missing, skipped")
        return
    regions = {r.code: r for r in Region.objects.all()}
    created, by_code = _outlets(units, regions, admin)
    customers = _customers(by_code, units)
    charged = _complaints(by_code)
    out.write(
        f"crm_site.devtools.demo.outlets: {Outlet.objects.count()} outlets ({created} new), "
        f"{customers} customers given an outlet or cargo profile, {charged} complaints charged"
    )
