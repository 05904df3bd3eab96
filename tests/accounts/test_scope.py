"""The one authorization module: units_for, the ScopedQuerySet base and the
shared predicates with the rules the apps register from them."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from crm_site.accounts.models import Role
from crm_site.accounts.scope import (
    PURPOSES,
    ScopedQuerySet,
    is_assignee,
    is_lead_of_unit,
    is_manager_of_unit,
    is_supervisor_of_unit,
    member_unit_ids,
    people_for,
    unit_for,
    units_for,
)
from customers.models import Customer
from tests import factories as f
from visits.models import DailyReport, DailyReportEntry, UrgentReport

pytestmark = pytest.mark.django_db


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _deactivated(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def closed_unit(db):
    return f.make_unit(code="Z", name="已撤销营业部", is_active=False)


# --- units_for --------------------------------------------------------------------


@pytest.mark.parametrize("purpose", sorted(PURPOSES))
def test_an_admin_gets_every_unit_of_the_purpose(purpose, admin_user, unit_a, unit_b, closed_unit):
    expected = {unit_a.pk, unit_b.pk}
    if PURPOSES[purpose].inactive_units:
        expected.add(closed_unit.pk)
    assert _ids(units_for(admin_user, purpose)) == expected


@pytest.mark.parametrize("purpose", sorted(PURPOSES))
def test_a_unit_role_gets_its_own_units_only_for_purposes_of_its_role(
    purpose, staff_a, supervisor_a, manager_a, unit_a, unit_b
):
    for user in (staff_a, supervisor_a, manager_a):
        expected = {unit_a.pk} if user.role in PURPOSES[purpose].roles else set()
        assert _ids(units_for(user, purpose)) == expected, user.role


@pytest.mark.parametrize("purpose", sorted(PURPOSES))
def test_a_deactivated_or_role_less_user_gets_no_units(
    purpose, staff_a, supervisor_a, manager_a, admin_user, unit_a
):
    role_less = f.make_user(Role.STAFF, unit_a)
    role_less.groups.clear()
    role_less = type(role_less).objects.get(pk=role_less.pk)
    for user in (staff_a, supervisor_a, manager_a, admin_user):
        assert not units_for(_deactivated(user), purpose).exists(), user.username
    assert not units_for(role_less, purpose).exists()
    assert not units_for(AnonymousUser(), purpose).exists()


def test_a_closed_unit_stays_in_history_filters_but_takes_no_new_work(closed_unit, unit_a):
    supervisor = f.make_user(Role.SUPERVISOR, [unit_a, closed_unit])
    assert _ids(units_for(supervisor, "history")) == {unit_a.pk, closed_unit.pk}
    assert _ids(units_for(supervisor, "review")) == {unit_a.pk, closed_unit.pk}
    for purpose in ("view", "assign", "raise", "build"):
        assert _ids(units_for(supervisor, purpose)) == {unit_a.pk}, purpose


@pytest.mark.parametrize("purpose", sorted(PURPOSES))
def test_unit_for_picks_one_of_units_for(
    purpose, staff_a, supervisor_a, manager_a, admin_user, unit_a, unit_b, closed_unit
):
    two_units = f.make_user(Role.SUPERVISOR, [unit_a, closed_unit])
    role_less = f.make_user(Role.STAFF, unit_a)
    role_less.groups.clear()
    role_less = type(role_less).objects.get(pk=role_less.pk)
    gone = _deactivated(f.make_user(Role.MANAGER, unit_a))
    for user in (staff_a, supervisor_a, manager_a, admin_user, two_units, role_less, gone):
        allowed = _ids(units_for(user, purpose))
        for unit in (unit_a, unit_b, closed_unit):
            picked = unit_for(user, unit.pk, purpose)
            assert (picked.pk if picked else None) == (unit.pk if unit.pk in allowed else None), (
                user.username,
                unit.code,
            )
    assert unit_for(AnonymousUser(), unit_a.pk, purpose) is None


def test_unit_for_reads_no_unit_for_a_unit_role(supervisor_a, unit_a, django_assert_num_queries):
    supervisor_a = type(supervisor_a).objects.get(pk=supervisor_a.pk)
    assert supervisor_a.role and supervisor_a.scope_memberships  # read once a request
    with django_assert_num_queries(0):
        assert unit_for(supervisor_a, unit_a.pk).name == unit_a.name


def test_the_purpose_decides_the_roles(staff_a, supervisor_a, manager_a, unit_a):
    assert _ids(units_for(staff_a, "assign")) == {unit_a.pk}
    assert not units_for(staff_a, "raise").exists()
    assert _ids(units_for(manager_a, "raise")) == {unit_a.pk}
    assert not units_for(manager_a, "build").exists()
    assert _ids(units_for(supervisor_a, "build")) == {unit_a.pk}


def test_an_unknown_purpose_is_a_programming_error(staff_a):
    with pytest.raises(KeyError):
        units_for(staff_a, "everything")


# --- people_for and member_unit_ids ------------------------------------------------


def test_a_unit_role_names_the_active_members_of_its_units_a_closed_one_included(
    closed_unit, unit_a, unit_b, staff_a, staff_b
):
    supervisor = f.make_user(Role.SUPERVISOR, [unit_a, closed_unit])
    left = _deactivated(f.make_user(Role.STAFF, unit_a))
    of_closed = f.make_user(Role.STAFF, closed_unit)
    named = _ids(people_for(supervisor, "people"))
    assert named == {supervisor.pk, staff_a.pk, of_closed.pk}
    assert left.pk not in named and staff_b.pk not in named
    assert _ids(people_for(supervisor, "people", role=Role.STAFF)) == {staff_a.pk, of_closed.pk}


def test_staff_name_the_members_of_their_own_unit(staff_a, staff_a2, staff_b, supervisor_a):
    assert _ids(people_for(staff_a, "people")) == {staff_a.pk, staff_a2.pk, supervisor_a.pk}


def test_an_admin_names_every_active_user_or_every_one_in_a_unit(
    admin_user, staff_a, staff_b, unit_a
):
    loose = f.make_user(Role.STAFF)
    _deactivated(f.make_user(Role.STAFF, unit_a))
    assert _ids(people_for(admin_user, "people")) == {
        admin_user.pk,
        staff_a.pk,
        staff_b.pk,
        loose.pk,
    }
    assert _ids(people_for(admin_user, "people", in_a_unit=True)) == {staff_a.pk, staff_b.pk}
    assert _ids(people_for(admin_user, "people", role=Role.STAFF)) == {
        staff_a.pk,
        staff_b.pk,
        loose.pk,
    }


def test_a_deactivated_or_role_less_user_names_nobody(staff_a, supervisor_a, admin_user, unit_a):
    role_less = f.make_user(Role.STAFF, unit_a)
    role_less.groups.clear()
    role_less = type(role_less).objects.get(pk=role_less.pk)
    assert not people_for(role_less, "people").exists()
    for user in (supervisor_a, admin_user):
        assert not people_for(_deactivated(user), "people").exists(), user.username


def test_member_unit_ids_are_the_users_own_units_whatever_the_role(
    unit_a, unit_b, supervisor_a, admin_user
):
    assert member_unit_ids(supervisor_a) == {unit_a.pk}
    assert member_unit_ids(admin_user) == frozenset()
    assert member_unit_ids(f.make_user(Role.ADMIN, unit_b)) == {unit_b.pk}
    assert member_unit_ids(_deactivated(supervisor_a)) == frozenset()


# --- the ScopedQuerySet base ------------------------------------------------------


class UnitOnly(ScopedQuerySet):
    """Customers by unit alone: staff see none."""

    unit_path = "unit"
    own_path = None


class SupervisorsOnly(ScopedQuerySet):
    unit_path = "unit"
    own_path = "visiting_person"
    unit_roles = (Role.SUPERVISOR,)


@pytest.fixture
def book(unit_a, unit_b, staff_a, staff_b):
    mine = f.make_customer(unit_a, code="S-1", visiting_person=staff_a)
    sold = f.make_customer(unit_a, code="S-2", sales_owner=staff_a)
    other = f.make_customer(unit_a, code="S-3")
    far = f.make_customer(unit_b, code="S-4", visiting_person=staff_b)
    return mine, sold, other, far


def test_declared_paths_decide_what_each_role_sees(
    book, staff_a, supervisor_a, manager_a, manager_b, admin_user
):
    mine, sold, other, far = book
    everything = {c.pk for c in book}
    unit_a_rows = {mine.pk, sold.pk, other.pk}
    assert _ids(Customer.objects.visible_to(staff_a)) == {mine.pk, sold.pk}
    assert _ids(Customer.objects.visible_to(supervisor_a)) == unit_a_rows
    assert _ids(Customer.objects.visible_to(manager_a)) == unit_a_rows
    assert _ids(Customer.objects.visible_to(manager_b)) == {far.pk}
    assert _ids(Customer.objects.visible_to(admin_user)) == everything

    unit_only = UnitOnly(model=Customer)
    assert not unit_only.visible_to(staff_a).exists()
    assert _ids(unit_only.visible_to(supervisor_a)) == unit_a_rows

    supervisors_only = SupervisorsOnly(model=Customer)
    assert _ids(supervisors_only.visible_to(staff_a)) == {mine.pk}
    assert _ids(supervisors_only.visible_to(supervisor_a)) == unit_a_rows
    assert not supervisors_only.visible_to(manager_a).exists()


def test_for_user_is_visible_to(book, staff_a):
    assert _ids(Customer.objects.for_user(staff_a)) == _ids(Customer.objects.visible_to(staff_a))


def test_a_deactivated_user_sees_no_scoped_row(book, staff_a, supervisor_a, admin_user):
    for user in (staff_a, supervisor_a, admin_user):
        assert not Customer.objects.visible_to(_deactivated(user)).exists()
    assert not Customer.objects.visible_to(AnonymousUser()).exists()
    assert not Customer.objects.visible_to(None).exists()


def test_a_manager_also_sees_rows_assigned_to_them_elsewhere(unit_a, unit_b, manager_a, manager_b):
    routed = f.make_urgent_report(unit_b, assignee=manager_a)
    own_unit = f.make_urgent_report(unit_a)
    supervisor_b = f.make_user(Role.SUPERVISOR, unit_b)
    assert _ids(UrgentReport.objects.visible_to(manager_a)) == {routed.pk, own_unit.pk}
    assert _ids(UrgentReport.objects.visible_to(manager_b)) == {routed.pk}
    # The assignee path is for managers: a supervisor sees their unit's only.
    assert _ids(UrgentReport.objects.visible_to(supervisor_b)) == {routed.pk}


def test_a_child_row_is_visible_exactly_when_its_parent_is(
    unit_a, staff_a, staff_a2, supervisor_a, manager_b
):
    customer = f.make_customer(unit_a, visiting_person=staff_a)
    entry = f.make_entry(f.make_daily_report(staff_a), customer)
    for user in (staff_a, staff_a2, supervisor_a, manager_b):
        reports = DailyReport.objects.visible_to(user)
        entries = DailyReportEntry.objects.visible_to(user)
        assert entries.filter(pk=entry.pk).exists() == reports.filter(pk=entry.report_id).exists()
    assert DailyReportEntry.objects.visible_to(supervisor_a).filter(pk=entry.pk).exists()
    assert not DailyReportEntry.objects.visible_to(staff_a2).exists()


# --- predicates and the rules built on them ---------------------------------------


def test_unit_predicates_take_a_row_or_a_unit_id(unit_a, unit_b, supervisor_a, manager_a):
    customer = f.make_customer(unit_a)
    assert is_supervisor_of_unit(supervisor_a, customer)
    assert is_supervisor_of_unit(supervisor_a, unit_a.pk)
    assert not is_supervisor_of_unit(supervisor_a, unit_b.pk)
    assert not is_supervisor_of_unit(manager_a, unit_a.pk)
    assert is_manager_of_unit(manager_a, unit_a.pk)
    assert is_lead_of_unit(supervisor_a, customer) and is_lead_of_unit(manager_a, customer)
    assert not is_supervisor_of_unit(_deactivated(supervisor_a), unit_a.pk)


def test_the_assignee_predicate_needs_an_active_assignee(unit_a, manager_a, manager_b):
    report = f.make_urgent_report(unit_a, assignee=manager_a)
    assert is_assignee(manager_a, report)
    assert not is_assignee(manager_b, report)
    assert not is_assignee(_deactivated(manager_a), report)


def test_the_apps_register_their_object_rules(unit_a, staff_a, supervisor_a, manager_a, admin_user):
    import complaints.permissions  # noqa: F401
    import reports.permissions  # noqa: F401
    import visits.urgent.permissions  # noqa: F401

    complaint = f.make_complaint(f.make_customer(unit_a, visiting_person=staff_a), by=staff_a)
    assert rules.test_rule("complaints.start", staff_a, complaint)
    assert not rules.test_rule("complaints.resolve", staff_a, complaint)
    assert rules.test_rule("complaints.resolve", supervisor_a, complaint)
    assert not rules.test_rule("complaints.approve", supervisor_a, complaint)
    assert rules.test_rule("complaints.approve", manager_a, complaint)
    assert rules.test_rule("complaints.approve", admin_user, complaint)
    assert rules.test_rule("reports.build_summary", supervisor_a, unit_a.pk)
    assert not rules.test_rule("reports.build_summary", manager_a, unit_a.pk)
    assert rules.test_rule("visits.urgent_raise", supervisor_a)
    assert not rules.test_rule("visits.urgent_raise", staff_a)
    assert not rules.test_rule("complaints.start", _deactivated(staff_a), complaint)
