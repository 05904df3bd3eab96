"""Who may see what, and who may do what: the one authorization module.

The rule (README, "Roles" and "Scope"): staff see their own rows (the customers they visit
or sell to, the reports they file); supervisors and managers see their units'
rows; admins see everything. A deactivated user, an anonymous one, or one with
no role sees nothing.

- `ScopedQuerySet`: every model with a unit declares how a row reaches its
  unit (`unit_path`) and its staff owner (`own_path`); `visible_to(user)` is
  written once, here. Views fetch with
  `get_object_or_404(Model.objects.visible_to(user), pk=pk)` so a row outside
  the scope is a 404, never a 403.
- `units_for(user, purpose)`: the units a user may pick for a purpose (see
  PURPOSES), with the same "inactive users get nothing" rule; `people_for`:
  the active members of those units a user may name.
- Predicates (the `rules` package): the shared vocabulary the apps' permission
  modules build their object rules from (`is_supervisor_of_unit`,
  `is_assignee`, ...).
"""

import operator
from dataclasses import dataclass
from functools import reduce

import rules
from django.db import models
from django.db.models import Q

from .models import ROLE_RANK, Membership, Role, ServiceUnit, User

# Roles that see the rows of the units they belong to (not only their own).
UNIT_ROLES = (Role.SUPERVISOR, Role.MANAGER)


# --- who the user is, for scope ---------------------------------------------------


def active_role(user) -> Role | None:
    """The role that counts: None for an anonymous, deactivated or role-less user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def is_at_least(user, role: Role) -> bool:
    """`role` or a higher one, for an active user ("supervisor and up")."""
    own = active_role(user)
    return own is not None and ROLE_RANK.get(own, 0) >= ROLE_RANK[role]


def member_unit_ids(user) -> frozenset[int]:
    """The units the user belongs to, leads or manages, whatever the role (an
    admin's own units, not every unit); none for a deactivated user."""
    return user.unit_ids if active_role(user) is not None else frozenset()


def scope_key(user) -> tuple:
    """All that `visible_to(user)` depends on, as read for this request: the
    user, the role that counts and the units. Two users with the same key see
    the same rows of every model (crm_site.core.batch.prepared_for_user
    compiles a scoped read once per key)."""
    return (getattr(user, "pk", None), active_role(user), member_unit_ids(user))


def unit_id_of(target) -> int | None:
    """The unit of a row (its `unit_id`), or the id itself when given one."""
    if target is None or isinstance(target, int):
        return target
    return getattr(target, "unit_id", None)


def in_unit(user, target) -> bool:
    """Whether the user belongs to, leads or manages the unit of `target`."""
    unit_id = unit_id_of(target)
    return unit_id is not None and unit_id in user.unit_ids


def _any_is(paths, user) -> Q:
    return reduce(operator.or_, (Q(**{path: user}) for path in paths))


def owned_by(queryset, user, path: str):
    """Rows whose `path` is the user, whatever the role (and, unlike the unit scope,
    whatever the account's state: a deactivated user cannot sign in to read them)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(**{path: user})


# --- the scoped QuerySet --------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """What a user may see, by unit and role (the module docstring).

    A subclass declares its paths; it does not rewrite `visible_to`:

    - `unit_path`: how a row reaches its unit ("unit", "report__unit").
    - `own_path`: the field, or tuple of fields, naming the staff member a row
      belongs to; staff see the rows where any of them is the user. None: staff
      see no rows.
    - `unit_roles`: the roles that see their units' rows (staff among them:
      staff see their units' rows, not only their own).
    - `assignee_path`: a manager also sees the rows assigned to them, whatever
      the unit (urgent reports routed to a fallback manager).
    - `parent_path`: the row is visible exactly when its parent is (an entry
      of a daily report); the parent's own QuerySet decides, the paths above
      are then unused.
    """

    unit_path: str | None = "unit"
    own_path: str | tuple[str, ...] | None = None
    unit_roles: tuple[Role, ...] = UNIT_ROLES
    assignee_path: str | None = None
    parent_path: str | None = None

    def visible_to(self, user):
        """The rows `user` may see; none for a deactivated or role-less user."""
        role = active_role(user)
        if role is None:
            return self.none()
        if self.parent_path:
            parent = self.model._meta.get_field(self.parent_path).related_model
            return self.filter(**{f"{self.parent_path}__in": parent.objects.visible_to(user)})
        if role == Role.ADMIN:
            return self
        if role == Role.STAFF and role not in self.unit_roles:
            return self._own_rows(user)
        if role in self.unit_roles:
            q = Q(**{f"{self.unit_path}__in": user.unit_ids})
            if role == Role.MANAGER and self.assignee_path:
                q |= Q(**{self.assignee_path: user})
            return self.filter(q)
        return self.none()

    def for_user(self, user):
        """Alias of `visible_to`."""
        return self.visible_to(user)

    def _own_rows(self, user):
        if not self.own_path:
            return self.none()
        paths = (self.own_path,) if isinstance(self.own_path, str) else self.own_path
        return self.filter(_any_is(paths, user))


# --- units for a purpose ------------------------------------------------------------


@dataclass(frozen=True)
class Purpose:
    """Which roles get their own units for a purpose, and whether a deactivated
    unit still counts (it does where past records are looked up, not for new work)."""

    roles: tuple[Role, ...]
    inactive_units: bool = False


PURPOSES = {
    # Figures and lists of current work: visit compliance, intelligence, surveys,
    # the urgent queue's unit filter.
    "view": Purpose(roles=(Role.STAFF, *UNIT_ROLES)),
    # Filters over records that outlive a unit: complaints and their statistics.
    "history": Purpose(roles=(Role.STAFF, *UNIT_ROLES), inactive_units=True),
    # Units a user files customers and prospects under, or assigns them to.
    "assign": Purpose(roles=(Role.STAFF, *UNIT_ROLES)),
    # Units a user raises urgent reports for.
    "raise": Purpose(roles=UNIT_ROLES),
    # Units whose monthly summaries a user builds.
    "build": Purpose(roles=(Role.SUPERVISOR,)),
    # Units whose summaries and big-customer reviews a user reads and reviews.
    "review": Purpose(roles=UNIT_ROLES, inactive_units=True),
    # Units whose members a user may name: a customer's sales owner or visiting
    # person, a complaint's handler, the staff member a report list is filtered
    # by. A deactivated unit's members still count (they are active users).
    "people": Purpose(roles=(Role.STAFF, *UNIT_ROLES), inactive_units=True),
    # Units an import file's rows may name; a deactivated one is recognised here
    # and refused by the row rules.
    "import": Purpose(roles=(Role.STAFF, *UNIT_ROLES), inactive_units=True),
}


def units_for(user, purpose: str = "view"):
    """The units `user` may pick for `purpose` (a key of PURPOSES).

    Admins: every unit; other roles of the purpose: the units they belong to,
    lead or manage. Deactivated units only where the purpose says so. A
    deactivated or role-less user gets none.
    """
    rule = PURPOSES[purpose]
    units = ServiceUnit.objects.all()
    if not rule.inactive_units:
        units = units.filter(is_active=True)
    role = active_role(user)
    if role == Role.ADMIN:
        return units
    if role not in rule.roles:
        return units.none()
    return units.filter(pk__in=user.unit_ids)


def unit_for(user, pk: int, purpose: str = "view"):
    """The unit `pk` if it is one of `units_for(user, purpose)`, else None. An
    admin's is read; anyone else's units came with their memberships
    (User.scope_memberships, read once a request), so it is picked from those
    without a query."""
    rule = PURPOSES[purpose]
    role = active_role(user)
    if role == Role.ADMIN:
        return units_for(user, purpose).filter(pk=pk).first()
    if role not in rule.roles:
        return None
    for membership in user.scope_memberships:
        unit = membership.unit
        if unit.pk == pk and (rule.inactive_units or unit.is_active):
            return unit
    return None


def people_for(user, purpose: str = "people", *, role: Role | None = None, in_a_unit: bool = False):
    """The active users `user` may name for `purpose`, by name then username.

    Members of the units `units_for(user, purpose)` gives; an admin gets every
    active user, or with `in_a_unit` every one who belongs to some unit. `role`
    keeps the members of that role group only.
    """
    people = User.objects.filter(is_active=True).order_by("full_name", "username")
    if role is not None:
        people = people.filter(groups__name=role)
    # A semi-join on the memberships (no DISTINCT over the joined rows).
    memberships = Membership.objects.all()
    if active_role(user) != Role.ADMIN:
        memberships = memberships.filter(unit_id__in=units_for(user, purpose).values("pk"))
    elif not in_a_unit:
        return people
    return people.filter(pk__in=memberships.values("user_id"))


# --- predicates: the shared vocabulary of object rules ------------------------------


@rules.predicate
def is_active_user(user) -> bool:
    return active_role(user) is not None


def _role_is(role: Role, name: str) -> rules.Predicate:
    """The predicate "the user's active role is `role`"."""
    return rules.Predicate(lambda user: active_role(user) == role, name=name)


def _role_at_least(role: Role, name: str) -> rules.Predicate:
    """The predicate "the user's active role is `role` or a higher one"."""
    return rules.Predicate(lambda user: is_at_least(user, role), name=name)


is_staff_role = _role_is(Role.STAFF, "is_staff_role")
is_supervisor_role = _role_is(Role.SUPERVISOR, "is_supervisor_role")
is_manager_role = _role_is(Role.MANAGER, "is_manager_role")
is_admin_role = _role_is(Role.ADMIN, "is_admin_role")
is_staff_or_above = _role_at_least(Role.STAFF, "is_staff_or_above")
is_supervisor_or_above = _role_at_least(Role.SUPERVISOR, "is_supervisor_or_above")


@rules.predicate
def is_supervisor_of_unit(user, target) -> bool:
    """A supervisor of the unit of `target` (a row with `unit_id`, or a unit id)."""
    return active_role(user) == Role.SUPERVISOR and in_unit(user, target)


@rules.predicate
def is_manager_of_unit(user, target) -> bool:
    return active_role(user) == Role.MANAGER and in_unit(user, target)


@rules.predicate
def is_lead_of_unit(user, target) -> bool:
    """A supervisor or manager of the unit of `target`."""
    return active_role(user) in UNIT_ROLES and in_unit(user, target)


@rules.predicate
def is_assignee(user, target) -> bool:
    """The active user the row is assigned to (`assignee_id`)."""
    assignee_id = getattr(target, "assignee_id", None)
    return assignee_id is not None and assignee_id == user.pk and active_role(user) is not None
