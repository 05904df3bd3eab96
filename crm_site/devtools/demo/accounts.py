"""Demo organisation: units 1 and 2, regions, and one account per role."""

from crm_site.accounts.models import Membership, Region, Role, ServiceUnit, User
from crm_site.accounts.services import membership_set, user_set_role

DEMO_PASSWORD = "crm-demo-2026"

UNITS = [("1", "华东营业一部"), ("2", "华南营业二部")]
REGIONS = [("SH", "上海"), ("JS", "江苏"), ("GD", "广东"), ("FJ", "福建")]

# username, full name, role, [(unit code, membership kind)]
ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMIN, []),
    ("manager1", "王经理", Role.MANAGER, [("1", Membership.Kind.MANAGER)]),
    ("manager2", "赵经理", Role.MANAGER, [("2", Membership.Kind.MANAGER)]),
    ("supervisor1", "李主管", Role.SUPERVISOR, [("1", Membership.Kind.SUPERVISOR)]),
    ("supervisor2", "陈主管", Role.SUPERVISOR, [("2", Membership.Kind.SUPERVISOR)]),
    ("staff1", "张晓明", Role.STAFF, [("1", Membership.Kind.MEMBER)]),
    ("staff2", "刘芳", Role.STAFF, [("1", Membership.Kind.MEMBER)]),
    ("staff3", "黄伟", Role.STAFF, [("2", Membership.Kind.MEMBER)]),
    # Salespeople of the regions: customers' sales owners, never their visiting person.
    ("sales1", "周销售", Role.STAFF, [("1", Membership.Kind.MEMBER)]),
    ("sales2", "吴销售", Role.STAFF, [("2", Membership.Kind.MEMBER)]),
]
SALES_REGIONS = {"sales1": ["SH", "JS"], "sales2": ["GD", "FJ"]}


def seed(out) -> None:
    units = {}
    for code, name in UNITS:
        units[code], _ = ServiceUnit.objects.update_or_create(code=code, defaults={"name": name})
    regions = {}
    for code, name in REGIONS:
        regions[code], _ = Region.objects.update_or_create(code=code, defaults={"name": name})

    for username, full_name, role, memberships in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username}@demo.example.com"},
        )
        user.full_name = full_name
        user.is_active = True
        user.is_superuser = role == Role.ADMIN
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        user_set_role(user=user, role=role)
        for unit_code, kind in memberships:
            membership_set(user=user, unit=units[unit_code], kind=kind)

    for username, codes in SALES_REGIONS.items():
        user = User.objects.get(username=username)
        for code in codes:
            regions[code].salespeople.add(user)

    out.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for username, full_name, role, memberships in ACCOUNTS:
        unit_list = ", ".join(code for code, _kind in memberships) or "-"
        out.write(f"  {username:<12} {role:<11} unit {unit_list:<4} {full_name}")
