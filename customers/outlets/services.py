"""Writes of the outlet register: admins create, edit, deactivate and import
outlets. Each write is one transaction with its audit row (the register is
reference data, recorded like the grading rule's edits)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role, User
from crm_site.core.services import audit
from crm_site.core.versioning import claim_version

from .models import Outlet
from .selectors import outlet_history

# The fields an admin edits (the form's and the import's).
OUTLET_FIELDS = (
    "code",
    "name",
    "kind",
    "unit",
    "region",
    "address",
    "manager_name",
    "manager_phone",
    "is_active",
)


def _require_admin(actor: User) -> None:
    if not actor.is_at_least(Role.ADMIN):
        raise PermissionDenied(_("Only an administrator edits the outlet register."))


def _changed(outlet: Outlet, fields: dict) -> list[str]:
    return sorted(
        name
        for name, value in fields.items()
        if getattr(outlet, name if name not in ("unit", "region") else f"{name}_id")
        != (value.pk if hasattr(value, "pk") else value)
    )


@transaction.atomic
def outlet_create(*, actor: User, fields: dict, request=None) -> Outlet:
    """Add an outlet to the register."""
    _require_admin(actor)
    outlet = Outlet(**fields)
    outlet.full_clean()
    outlet.save()
    audit(
        actor=actor,
        action="outlets.create",
        obj=outlet,
        summary=str(outlet),
        data={"unit": outlet.unit_id, "kind": outlet.kind},
        request=request,
    )
    return outlet


@transaction.atomic
def outlet_update(
    *, outlet: Outlet, actor: User, fields: dict, version: int | None = None, request=None
) -> Outlet:
    """Change an outlet. `version` is the one the form was loaded from: if
    someone saved the outlet since, StaleEdit and nothing changes. The audit
    row names the fields changed, not their values (the manager's name and
    phone are personal data)."""
    _require_admin(actor)
    claim_version(outlet, version, history=outlet_history(outlet))
    changed = _changed(outlet, fields)
    for name, value in fields.items():
        setattr(outlet, name, value)
    outlet.full_clean()
    outlet.save()
    if changed:
        audit(
            actor=actor,
            action="outlets.update",
            obj=outlet,
            summary=str(outlet),
            data={"fields": changed},
            request=request,
        )
    return outlet


@transaction.atomic
def outlet_set_active(*, outlet: Outlet, actor: User, active: bool, request=None) -> Outlet:
    """Deactivate an outlet (it stays on the customers and complaints that name
    it, and is no longer offered for new ones), or activate it again."""
    _require_admin(actor)
    if outlet.is_active == active:
        raise ValidationError(
            _("This outlet is already active.") if active else _("This outlet is already inactive.")
        )
    claim_version(outlet, None)
    outlet.is_active = active
    outlet.save(update_fields=["is_active", "updated_at"])
    audit(
        actor=actor,
        action="outlets.activate" if active else "outlets.deactivate",
        obj=outlet,
        summary=str(outlet),
        request=request,
    )
    return outlet
