"""The outlet register (网点): code, name, kind, the unit it belongs to, where it
is and who runs it. Customers are served by an outlet; complaints are charged
to one. Imported by customers/models.py, so the models belong to the
customers app.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, Role
from crm_site.accounts.scope import UNIT_ROLES, ScopedQuerySet
from crm_site.core.fields import edit_version, unit_fk
from crm_site.core.models import Timestamped


class OutletKind(models.TextChoices):
    OUTLET = "outlet", _("Outlet")
    HUB = "hub", _("Distribution centre")
    OFFICE = "office", _("Sales office")


class OutletQuerySet(ScopedQuerySet):
    """Members of a unit, staff included, see its outlets (they pick them on
    customers and complaints); admins see all."""

    unit_path = "unit"
    unit_roles = (Role.STAFF, *UNIT_ROLES)

    def active(self):
        return self.filter(is_active=True)


class Outlet(Timestamped):
    """网点 / 分拨中心 / 营业部."""

    code = models.CharField(
        _("outlet code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit."),
            )
        ],
        error_messages={"unique": _("An outlet with this code already exists.")},
    )
    name = models.CharField(_("outlet name"), max_length=200)
    kind = models.CharField(
        _("outlet kind"), max_length=10, choices=OutletKind.choices, default=OutletKind.OUTLET
    )
    unit = unit_fk("outlets")
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outlets",
        verbose_name=_("region"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    manager_name = models.CharField(_("outlet manager"), max_length=100, blank=True)
    manager_phone = models.CharField(_("outlet manager's phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = edit_version()

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        indexes = [models.Index(fields=["unit", "code"], name="outlet_unit_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("outlets:detail", args=[self.pk])
