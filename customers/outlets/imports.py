"""Import of the outlet register from .xlsx: every row is checked with the
edit form's fields and validators; the file is applied in one transaction,
every row or none. The file is read with the customer import's safe reader
(customers/xlsx.py: size, zip bomb, DTD and formula checks)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crm_site.accounts.models import Region, ServiceUnit, User
from crm_site.core.inputs import DIRECTION_MESSAGE, has_direction_controls
from crm_site.core.services import audit
from customers import xlsx as customer_xlsx

from . import xlsx
from .forms import OutletFieldsForm
from .models import Outlet
from .services import OUTLET_FIELDS, _require_admin

KEEP_ERRORS = 500


@dataclass
class OutletPlan:
    rows: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    creates: list = field(default_factory=list)  # unsaved outlets
    updates: list = field(default_factory=list)  # (outlet, changed field names)
    unchanged: int = 0

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            header = str(xlsx.COLUMN_BY_KEY[column].label) if column in xlsx.COLUMN_BY_KEY else ""
            self.errors.append({"row": row, "column": header, "message": str(message)})


class _Lookups:
    """Units, regions and existing outlets, loaded once per file."""

    def __init__(self):
        self.units = {}
        for unit in ServiceUnit.objects.all():
            self.units[unit.code.lower()] = unit
            self.units.setdefault(unit.name.lower(), unit)
        self.regions = {}
        for region in Region.objects.all():
            self.regions[region.code.lower()] = region
            self.regions.setdefault(region.name.lower(), region)
        self.kinds = xlsx.kind_lookup()
        self.outlets = {o.code: o for o in Outlet.objects.all()}


def outlet_import_check(*, actor: User, upload) -> OutletPlan:
    """Check every row of `upload`; nothing is written. ImportFileError when the
    file as a whole cannot be read."""
    _require_admin(actor)
    sheet = customer_xlsx.open_sheet(upload, spec=xlsx.COLUMNS)
    plan, lookups = OutletPlan(), _Lookups()
    seen: dict[str, int] = {}
    present = {key for key in sheet.columns if key}
    for row, values, formulas in sheet.rows:
        plan.rows += 1
        if plan.rows > xlsx.MAX_ROWS:
            raise customer_xlsx.ImportFileError(
                _("The file has more than %(max)s rows. Split it into several files.")
                % {"max": f"{xlsx.MAX_ROWS:,}"}
            )
        _check_row(plan, lookups, seen, present, row, values, formulas)
    return plan


def _check_row(plan, lookups, seen, present, row, values, formulas) -> None:
    before = plan.error_count
    for key in sorted(formulas):
        plan.error(row, key, _("Formulas are not accepted: enter the value itself."))
    if formulas:
        return
    text = {key: customer_xlsx.as_text(values.get(key)) for key in present}
    for key in sorted(present):
        if has_direction_controls(text[key]):
            plan.error(row, key, DIRECTION_MESSAGE)
    if plan.error_count > before:
        return
    code = text.get("code", "")
    if code in seen:
        plan.error(
            row,
            "code",
            _("Outlet code %(code)s is also in row %(row)s.") % {"code": code, "row": seen[code]},
        )
        return
    if code:
        seen[code] = row
    outlet = lookups.outlets.get(code)
    before = {name: _current(outlet, name) for name in OUTLET_FIELDS}
    data = dict(before)
    for key in ("code", "name", "address", "manager_name", "manager_phone"):
        if key in present:
            data[key] = text[key]
    if "kind" in present:
        data["kind"] = lookups.kinds.get(text["kind"].lower(), text["kind"]) if text["kind"] else ""
    for key, found in (("unit", lookups.units), ("region", lookups.regions)):
        if key in present:
            match = found.get(text[key].lower()) if text[key] else None
            if text[key] and match is None:
                message = (
                    _("No service unit %(unit)s.") if key == "unit" else _("No region %(region)s.")
                )
                plan.error(row, key, message % {key: text[key]})
                return
            data[key] = match.pk if match else None
    if "is_active" in present:
        try:
            active = xlsx.active_value(text["is_active"])
        except ValueError:
            plan.error(row, "is_active", _("Write 是 or 否."))
            return
        data["is_active"] = True if active is None and outlet is None else active
        if active is None and outlet is not None:
            data["is_active"] = outlet.is_active
    form = OutletFieldsForm(data, instance=outlet)
    if not form.is_valid():
        for name, messages in form.errors.items():
            plan.error(
                row, name if name in xlsx.COLUMN_BY_KEY else "", " ".join(str(m) for m in messages)
            )
        return
    fields = {name: form.cleaned_data[name] for name in OUTLET_FIELDS}
    if outlet is None:
        plan.creates.append(Outlet(**fields))
        return
    # The form has set the row's values on the outlet: compare with `before`.
    changed = sorted(
        name for name, value in fields.items() if getattr(value, "pk", value) != before[name]
    )
    if not changed:
        plan.unchanged += 1
        return
    plan.updates.append((outlet, changed))


def _current(outlet: Outlet | None, name: str):
    if outlet is None:
        return True if name == "is_active" else ""
    if name in ("unit", "region"):
        return getattr(outlet, f"{name}_id")
    return getattr(outlet, name)


@transaction.atomic
def outlet_import_apply(*, actor: User, plan: OutletPlan, file_name: str, request=None) -> None:
    """Write a checked plan without errors: every row or none."""
    _require_admin(actor)
    if plan.error_count:
        raise ValueError("a plan with errors is not applied")
    Outlet.objects.bulk_create(plan.creates)
    for outlet, changed in plan.updates:
        outlet.save(update_fields=[*changed, "updated_at"])
    # An edit form opened before the import is refused, not saved over it.
    Outlet.objects.filter(pk__in=[o.pk for o, _c in plan.updates]).update(version=F("version") + 1)
    audit(
        actor=actor,
        action="outlets.import",
        summary=f"{file_name[:200]}: +{len(plan.creates)} ~{len(plan.updates)}",
        data={
            "rows": plan.rows,
            "created": [o.code for o in plan.creates],
            "updated": {o.code: changed for o, changed in plan.updates},
        },
        object_type=Outlet._meta.label_lower,
        request=request,
    )
