import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from crm_site.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_four_role_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "staff",
        "supervisor",
        "manager",
        "admin",
    }


def test_role_and_rank_checks(staff_a, supervisor_a, manager_a, admin_user):
    assert staff_a.role == Role.STAFF and staff_a.has_role("staff")
    assert not staff_a.is_at_least("supervisor")
    assert supervisor_a.is_at_least("supervisor") and not supervisor_a.is_at_least("manager")
    assert manager_a.is_at_least("supervisor") and manager_a.has_role("manager")
    assert admin_user.is_at_least("manager") and admin_user.role == Role.ADMIN


def test_admins_are_django_staff_and_others_are_not(staff_a, supervisor_a, manager_a, admin_user):
    assert admin_user.is_staff
    assert not any(u.is_staff for u in (staff_a, supervisor_a, manager_a))


def test_admin_role_opens_the_admin_site_and_others_get_sent_away(client, admin_user, manager_a):
    client.force_login(admin_user)
    assert client.get("/admin/accounts/serviceunit/").status_code == 200
    client.force_login(manager_a)
    assert client.get("/admin/accounts/serviceunit/").status_code == 302


def test_user_units_come_from_memberships(staff_a, unit_a, unit_b, manager_b):
    assert staff_a.unit_ids == {unit_a.pk}
    assert staff_a.primary_unit == unit_a
    assert manager_b.unit_ids == {unit_b.pk}


def test_a_user_without_a_role_group_has_no_role():
    user = User.objects.create_user("nobody", password="x-pass-2026")
    assert user.role is None
    assert not user.is_at_least("staff")


def test_seed_demo_twice_gives_the_same_rows():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = sorted(User.objects.values_list("pk", "username", "full_name"))
    groups = {u.username: u.role for u in User.objects.all()}
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(User.objects.values_list("pk", "username", "full_name")) == first
    assert {u.username: u.role for u in User.objects.all()} == groups


def test_seed_demo_creates_the_design_accounts_with_the_readme_password(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    expected = {
        "admin": "admin",
        "manager1": "manager",
        "manager2": "manager",
        "supervisor1": "supervisor",
        "supervisor2": "supervisor",
        "staff1": "staff",
        "staff2": "staff",
        "staff3": "staff",
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("crm-demo-2026")
    units = {u.username: {m.unit.code for m in u.memberships.all()} for u in User.objects.all()}
    assert units["supervisor1"] == {"1"} and units["supervisor2"] == {"2"}
    assert units["staff1"] == units["staff2"] == {"1"} and units["staff3"] == {"2"}
