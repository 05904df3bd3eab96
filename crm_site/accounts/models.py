"""Users, roles, service units, regions and unit memberships.

Roles are Django groups (created by a data migration).
Scope — which customers, reports and complaints a user sees — is derived from
the role and the user's unit memberships in crm_site/accounts/scope.py: each
app's QuerySet declares its paths and inherits `visible_to(user)` from there.
"""

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Customer service staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Rank for "supervisor and up" checks (the pages are "staff+", "supervisor+",
# "manager+").
ROLE_RANK: dict[str, int] = {Role.STAFF: 1, Role.SUPERVISOR: 2, Role.MANAGER: 3, Role.ADMIN: 4}


class ServiceUnit(models.Model):
    """A service unit (营业单位): customers, members, supervisors and managers."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")

    def __str__(self):
        return self.name


class Region(models.Model):
    """A sales region (地区) and the salespeople responsible for it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    salespeople = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sales_regions",
        verbose_name=_("salespeople"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


def display_name(full_name: str, first_name: str, last_name: str, username: str) -> str:
    """How a user is named on pages: the full name, else first and last name, else
    the login (User.get_full_name, and rows read as plain values)."""
    return full_name or f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Remembered from the language switcher."),
    )
    units = models.ManyToManyField(
        ServiceUnit,
        through="Membership",
        related_name="users",
        blank=True,
        verbose_name=_("service units"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        return display_name(self.full_name, self.first_name, self.last_name, self.username)

    def get_absolute_url(self):
        return reverse("home")

    @cached_property
    def role(self) -> str | None:
        """The user's highest role, or None for a user with no role group."""
        if self.is_superuser:
            return Role.ADMIN
        names = {group.name for group in self.groups.all()}
        for role in sorted(ROLE_RANK, key=ROLE_RANK.__getitem__, reverse=True):
            if role in names:
                return role
        return None

    @property
    def role_label(self) -> str | Promise:
        return Role(self.role).label if self.role else _("No role")

    def has_role(self, *roles: str) -> bool:
        """True if the user's role is one of `roles` (exact, not "and up")."""
        return self.is_active and self.role in roles

    def is_at_least(self, role: str) -> bool:
        """True for `role` and every higher one: "supervisor+"."""
        return self.is_active and ROLE_RANK.get(self.role or "", 0) >= ROLE_RANK[role]

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    @cached_property
    def scope_memberships(self) -> list["Membership"]:
        """The user's memberships with their units, by unit code: one query per
        request serves unit_ids, primary_unit and the unit choices of lists (every
        page shows the primary unit, so the query is run anyway)."""
        return list(self.memberships.select_related("unit").order_by("unit__code", "pk"))

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        """Ids of the units the user belongs to, leads or manages."""
        return frozenset(m.unit_id for m in self.scope_memberships)

    @cached_property
    def primary_unit(self) -> "ServiceUnit | None":
        memberships = self.scope_memberships
        return memberships[0].unit if memberships else None

    def forget_cached_scope(self) -> None:
        for name in ("role", "scope_memberships", "unit_ids", "primary_unit"):
            self.__dict__.pop(name, None)


class Membership(models.Model):
    """A user's place in a unit: member (staff), supervisor or manager."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        SUPERVISOR = "supervisor", _("Supervisor")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        ServiceUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER)

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]
        indexes = [models.Index(fields=["unit", "kind"])]

    def __str__(self):
        return f"{self.user} @ {self.unit} ({self.get_kind_display()})"
