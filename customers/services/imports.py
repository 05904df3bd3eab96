"""Customer import from .xlsx: check every row, preview, then apply all or nothing."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, Region, ServiceUnit, User
from crm_site.accounts.scope import units_for
from crm_site.core.db import allow_long_statements
from crm_site.core.idempotency import create_once
from crm_site.core.inputs import DIRECTION_MESSAGE, has_direction_controls
from crm_site.core.jobs import send_now, send_on_commit
from crm_site.core.services import audit, in_language_of, notify

from .. import cargo, forms, xlsx
from ..models import (
    Customer,
    CustomerChange,
    CustomerImport,
    GradeChange,
    GradingRule,
    LogisticsService,
    Nature,
    Outlet,
    Scale,
    Status,
    Trend,
)
from .book import (
    TRACKED_FIELDS,
    apply_grade,
    diff,
    grade_change,
    scope_users,
    services_text,
    snapshot,
)

LOOKUP_CHUNK = 1000
KEEP_ERRORS = 5000  # errors kept for the preview page; the count is always exact
KEEP_ROWS = 500  # rows listed per "to create" / "to update" table
# A check or an application silent this long lost its message (broker down,
# worker killed) and is sent again by the sweeper.
SWEEP_AFTER = timedelta(minutes=10)
DEFAULTS = {
    "nature": Nature.OTHER,
    "scale": Scale.SMALL,
    "trend": Trend.STABLE,
    "status": Status.ACTIVE,
}
# What an update by import writes: every tracked field but the code it matched on,
# and who allowed an assignment exception, when.
IMPORTED_FIELDS = [
    *(name for name in TRACKED_FIELDS if name != "code"),
    "assignment_override_by",
    "assignment_override_at",
]


@dataclass
class Planned:
    row: int
    customer: Customer
    services: list[int] | None  # None: the column is absent, leave services alone
    changes: dict
    service_changed: bool = False


@dataclass
class Plan:
    rows: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    creates: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    unchanged: int = 0

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def as_result(self) -> dict:
        return {
            "rows": self.rows,
            "error_count": self.error_count,
            "errors": self.errors,
            "create_count": len(self.creates),
            "update_count": len(self.updates),
            "unchanged_count": self.unchanged,
            "creates": [
                {"row": p.row, "code": p.customer.code, "name": p.customer.name}
                for p in self.creates[:KEEP_ROWS]
            ],
            "updates": [
                {
                    "row": p.row,
                    "code": p.customer.code,
                    "name": p.customer.name,
                    "fields": sorted(p.changes),
                }
                for p in self.updates[:KEEP_ROWS]
            ],
        }


class Lookups:
    """Everything a row may name, loaded once per file (a few queries, not one per row)."""

    def __init__(self, actor: User):
        self.actor = actor
        units = list(ServiceUnit.objects.all())
        in_scope = set(units_for(actor, "import").values_list("pk", flat=True))
        self.units, self.foreign_units = {}, set()
        for unit in units:
            for key in (unit.code.lower(), unit.name.lower()):
                if unit.pk in in_scope:
                    self.units[key] = unit
                else:
                    self.foreign_units.add(key)
        self.regions = {}
        for region in Region.objects.all():
            self.regions[region.code.lower()] = region
            self.regions.setdefault(region.name.lower(), region)
        people = list(scope_users(actor))
        self.users = {u.username.lower(): u for u in people}
        by_name: dict[str, list[User]] = {}
        for user in people:
            if user.full_name:
                by_name.setdefault(user.full_name, []).append(user)
        self.users_by_name = {name: found[0] for name, found in by_name.items() if len(found) == 1}
        self.members = set(
            Membership.objects.filter(user__in=[u.pk for u in people]).values_list(
                "user_id", "unit_id"
            )
        )
        self.selling = set(Region.salespeople.through.objects.values_list("region_id", "user_id"))
        self.services = {}
        for service in LogisticsService.objects.all():
            self.services[service.code.lower()] = service
            self.services[service.name.lower()] = service
        self.choices = {key: xlsx.choice_lookup(key) for key in xlsx.CHOICES}
        self.lists = {key: xlsx.choice_lookup(key) for key in xlsx.LIST_CHOICES}
        self.outlets = {o.code.lower(): o for o in Outlet.objects.visible_to(actor)}

    def user(self, text: str) -> User | None:
        username, name = xlsx.split_person(text)
        if username:
            return self.users.get(username.lower())
        return self.users.get(name.lower()) or self.users_by_name.get(name)


def _existing(actor, codes: list[str]) -> tuple[dict, set]:
    found = {
        c.code: c
        for c in Customer.objects.filter(code__in=codes)
        .select_related("unit", "region", "sales_owner", "visiting_person", "serving_outlet")
        .prefetch_related("services")
    }
    visible = set(
        Customer.objects.visible_to(actor).filter(code__in=codes).values_list("pk", flat=True)
    )
    return found, visible


def build_plan(actor: User, sheet: xlsx.Sheet) -> Plan:
    """Check every row against the database; nothing is written."""
    seen: dict
    plan, lookups, seen = Plan(), Lookups(actor), {}
    present = {key for key in sheet.columns if key}
    chunk = []
    for item in sheet.rows:
        chunk.append(item)
        if len(chunk) >= LOOKUP_CHUNK:
            _plan_chunk(plan, lookups, chunk, present, seen)
            chunk = []
    if chunk:
        _plan_chunk(plan, lookups, chunk, present, seen)
    return plan


def _plan_chunk(plan, lookups, chunk, present, seen) -> None:
    codes = [xlsx.as_text(values.get("code")) for _row, values, _f in chunk]
    existing, visible = _existing(lookups.actor, [c for c in codes if c])
    for (row, values, formulas), code in zip(chunk, codes, strict=True):
        plan.rows += 1
        _plan_row(plan, lookups, row, values, formulas, code, present, seen, existing, visible)


def _plan_row(plan, lookups, row, values, formulas, code, present, seen, existing, visible):
    errors_before = plan.error_count
    failed = set()

    def err(column, message):
        failed.add(column)
        plan.error(row, column, message)

    for key in sorted(formulas):
        err(key, _("Formulas are not accepted: enter the value itself."))
    if formulas:
        return
    if not code:
        err("code", _("The customer code is required."))
        return
    try:
        Customer._meta.get_field("code").clean(code, None)
    except ValidationError as exc:
        err("code", " ".join(exc.messages))
        return
    if code in seen:
        err("code", _("Code %(code)s is also in row %(row)s.") % {"code": code, "row": seen[code]})
        return
    seen[code] = row
    customer = existing.get(code)
    if customer is not None and customer.pk not in visible:
        # Taken, and not whose: the customer is out of the importer's scope.
        err("code", _("Customer code %(code)s is taken.") % {"code": code})
        return
    is_new = customer is None
    if is_new:
        customer = Customer(code=code, created_by=lookups.actor, **DEFAULTS)
        before, before_services = {}, []
    else:
        before, before_services = snapshot(customer), list(customer.services.all())
    assignment = (customer.visiting_person_id, customer.region_id)
    data, services = _row_data(customer, values, present, lookups, err)
    _form_errors(customer, data, lookups, failed, err)
    if plan.error_count > errors_before:
        return
    _check_override(customer, values, present, lookups, err, assignment, is_new)
    if plan.error_count > errors_before:
        return
    changes = diff(before, snapshot(customer))
    service_changed = services is not None and {s.pk for s in services} != {
        s.pk for s in before_services
    }
    if service_changed:
        changes["services"] = [services_text(before_services), services_text(services)]
    planned = Planned(
        row=row,
        customer=customer,
        services=[s.pk for s in services] if services is not None else None,
        changes=changes,
        service_changed=service_changed,
    )
    if is_new:
        plan.creates.append(planned)
    elif changes:
        plan.updates.append(planned)
    else:
        plan.unchanged += 1


def _current(customer: Customer, name: str):
    field = Customer._meta.get_field(name)
    if field.is_relation and getattr(customer, field.attname) is None:  # type: ignore[union-attr]
        return None  # a new card has no unit yet
    return getattr(customer, name)


def _row_data(customer, values, present, lookups, err):
    """The row as the customer form's data: labels turned into stored values, units,
    regions and people found within the uploader's scope; a column left out (or
    blank, for the choices and the revenue) keeps the card's value. Returns the
    data and the services named (None if no column)."""
    data = {name: _current(customer, name) for name in forms.CustomerImportRowForm.base_fields}
    text = {key: xlsx.as_text(values.get(key)) for key in present}
    given = set(present)
    for key in sorted(present):
        if has_direction_controls(text[key]):
            err(key, DIRECTION_MESSAGE)
            given.discard(key)
            if key in forms.FOUND_FIELDS:
                data[key] = None  # the card's unit or person is no measure for this row
    for key in ("name", "industry", "address", "notes", *CARGO_TEXT):
        if key in given:
            data[key] = text[key]  # the form measures it against the model's limit
    _cargo_data(data, text, given, lookups, err)
    if "serving_outlet" in given:
        data["serving_outlet"] = _found_outlet(customer, text["serving_outlet"], lookups, err)
    if "unit" in given:
        data["unit"] = _found_unit(text["unit"], lookups, err)
    for key, lookup in lookups.choices.items():
        if key in given and text[key]:
            # An unknown label goes to the form as written: its choices refuse it.
            data[key] = lookup.get(text[key].lower(), text[key])
    if "annual_revenue" in given:
        revenue = xlsx.revenue_input(values.get("annual_revenue"))
        if revenue is not None:
            data["annual_revenue"] = revenue
    if "region" in given:
        region = lookups.regions.get(text["region"].lower()) if text["region"] else None
        if text["region"] and region is None:
            err("region", _("No region %(region)s.") % {"region": text["region"]})
        data["region"] = region
    for key in ("sales_owner", "visiting_person"):
        if key in given:
            person = lookups.user(text[key]) if text[key] else None
            if text[key] and person is None:
                err(
                    key, _("No user %(user)s among the people of your units.") % {"user": text[key]}
                )
            data[key] = person
    return data, _services(text, given, lookups, err)


CARGO_TEXT = ("cargo_goods", "cargo_size", "cargo_weight", "packaging", "delivery_windows")


def _cargo_data(data, text, given, lookups, err) -> None:
    """The cargo profile's lists (labels or codes separated by 、), yes/no
    columns and volumes as the form's data."""
    for key, lookup in lookups.lists.items():
        if key not in given:
            continue
        codes: list[str] = []
        unknown: list[str] = []
        for name in xlsx.split_list(text[key]):
            code = lookup.get(name.lower())
            (codes if code else unknown).append(code or name)
        if unknown:
            err(key, _("Unknown values: %(values)s.") % {"values": "、".join(unknown)})
        data[key] = cargo.join(codes, xlsx.LIST_CHOICES[key])
    for key in xlsx.BOOLEAN_COLUMNS:
        if key in given:
            try:
                data[key] = xlsx.boolean_value(text[key])
            except ValueError:
                err(key, _("Write 是 or 否."))
    if "shipments_per_month" in given:
        data["shipments_per_month"] = text["shipments_per_month"] or None
    if "tonnage_per_month" in given:
        data["tonnage_per_month"] = xlsx.revenue_input(text["tonnage_per_month"])


def _found_outlet(customer, code: str, lookups, err) -> Outlet | None:
    """The outlet of `code` among the importer's units' outlets; an inactive one
    only if the card names it already. None when blank."""
    if not code:
        return None
    outlet = lookups.outlets.get(code.lower())
    if outlet is None:
        err("serving_outlet", _("No outlet %(code)s among your units' outlets.") % {"code": code})
    elif not outlet.is_active and outlet.pk != customer.serving_outlet_id:
        err(
            "serving_outlet",
            _("Outlet %(code)s is no longer active. Name an active one.") % {"code": code},
        )
        return None
    return outlet


def _found_unit(text: str, lookups, err) -> ServiceUnit | None:
    """The unit named, in scope; None when blank (the form says it is required)."""
    unit = lookups.units.get(text.lower())
    if text and unit is None:
        if text.lower() in lookups.foreign_units:
            err("unit", _("Unit %(unit)s is not in your scope.") % {"unit": text})
        else:
            err("unit", _("No service unit %(unit)s.") % {"unit": text})
    return unit


def _services(text, given, lookups, err) -> list[LogisticsService] | None:
    if "services" not in given:
        return None
    services, unknown = [], []
    for name in xlsx.split_list(text["services"]):
        service = lookups.services.get(name.lower())
        if service is None:
            unknown.append(name)
        else:
            services.append(service)
    if unknown:
        err("services", _("Unknown services: %(names)s.") % {"names": "、".join(unknown)})
    return services


def _form_errors(customer, data, lookups, failed, err) -> None:
    """Validate the row with the customer form (its fields, the model's validators,
    the rules across fields), which sets the valid values on `customer`; its errors
    are the row's, one per column, except for columns the file already failed."""
    form = forms.CustomerImportRowForm(data, instance=customer, members=lookups.members)
    if form.is_valid():
        return
    for name, messages in form.errors.items():
        column = "" if name == NON_FIELD_ERRORS else name
        if column not in failed:
            err(column, " ".join(str(message) for message in messages))


def _check_override(customer, values, present, lookups, err, assignment, is_new) -> None:
    """A salesperson of the customer's region as its visiting person needs a reason
    (the file's column, or the one kept if the assignment is unchanged)."""
    person = customer.visiting_person
    conflict = person is not None and (customer.region_id, person.pk) in lookups.selling
    if not conflict:
        customer.assignment_override_reason = ""
        customer.assignment_override_by = None
        customer.assignment_override_at = None
        return
    given = xlsx.as_text(values.get("assignment_override_reason"))
    unchanged = not is_new and assignment == (customer.visiting_person_id, customer.region_id)
    if "assignment_override_reason" not in present and unchanged:
        return
    if not given and unchanged and customer.assignment_override_reason:
        given = customer.assignment_override_reason
    if not given:
        err(
            "assignment_override_reason",
            _("%(person)s is a salesperson of %(region)s: give the reason for this exception.")
            % {"person": person, "region": customer.region},
        )
        return
    if given != customer.assignment_override_reason:
        customer.assignment_override_reason = given
        customer.assignment_override_by = lookups.actor
        customer.assignment_override_at = timezone.now()


def _digest(fileobj) -> str:
    sha = hashlib.sha256()
    fileobj.seek(0)
    for block in iter(lambda: fileobj.read(1024 * 1024), b""):
        sha.update(block)
    fileobj.seek(0)
    return sha.hexdigest()


def customer_import_upload(
    *, actor: User, upload, form_token: uuid.UUID | None = None
) -> CustomerImport:
    """Keep an uploaded file (server side, for this user) and check its rows in the background.

    The archive is checked here first (not an .xlsx, zip bomb, DTD), so a
    hostile file is never stored; parsing 50,000 rows takes about a minute,
    too long for a request, so the rows are checked by a task. A resent form
    (same token) returns the first upload, stored and checked once.
    """
    record, _created = create_once(
        CustomerImport, form_token, lambda: _upload_keep(actor, upload, form_token)
    )
    return record


def _upload_keep(actor: User, upload, form_token: uuid.UUID | None) -> CustomerImport:
    record = CustomerImport(
        created_by=actor,
        original_name=upload.name[:200],
        size=upload.size or 0,
        form_token=form_token,
    )
    try:
        xlsx.check_archive(upload)
    except xlsx.ImportFileError as exc:
        record.result = {"file_error": exc.message, "error_count": 1}
        record.state = CustomerImport.State.DISCARDED
        record.save()
        return record
    record.state = CustomerImport.State.CHECKING
    record.sha256 = _digest(upload)
    record.file.save(f"{record.pk}.xlsx", upload, save=False)
    record.save()
    send_on_commit(_tasks().customer_import_check, str(record.pk))
    return record


def _tasks():
    from .. import tasks

    return tasks


def _read_plan(record: CustomerImport) -> tuple[Plan | None, dict | None]:
    """Read and check the stored file; (plan, None), or (None, a file error result)."""
    try:
        with record.file.open("rb") as fileobj:
            if _digest(fileobj) != record.sha256:
                raise xlsx.ImportFileError(_("The stored file has changed. Upload it again."))
            return build_plan(record.created_by, xlsx.open_sheet(fileobj)), None
    except (xlsx.ImportFileError, FileNotFoundError, ValueError) as exc:
        message = getattr(exc, "message", _("The stored file is gone. Upload it again."))
        return None, {"file_error": message, "error_count": 1}


def _import_in(import_id: str, state: str) -> CustomerImport | None:
    """The upload if it is in `state` (with its uploader), else None."""
    return (
        CustomerImport.objects.select_related("created_by")
        .filter(pk=import_id, state=state)
        .first()
    )


def customer_import_check(*, import_id: str) -> bool:
    """Check every row of an uploaded file; the preview page shows the result.

    A file with any error is not kept: the preview lists the errors and the
    user uploads a corrected file. False if the upload is not waiting for a check.
    """
    record = _import_in(import_id, CustomerImport.State.CHECKING)
    if record is None:
        return False
    with in_language_of(record.created_by):
        plan, error = _read_plan(record)
        result = error or plan.as_result()  # type: ignore[union-attr]
    if error or plan.error_count or not plan.rows:  # type: ignore[union-attr]
        _discard(record, result, CustomerImport.State.CHECKING)
    else:
        CustomerImport.objects.filter(pk=record.pk, state=CustomerImport.State.CHECKING).update(
            state=CustomerImport.State.PREVIEWED, result=result, updated_at=timezone.now()
        )
    return True


def customer_import_request_apply(*, actor: User, record: CustomerImport) -> bool:
    """Queue a previewed file for applying; False if it is not (or no longer) previewed."""
    claimed = CustomerImport.objects.filter(
        pk=record.pk, created_by=actor, state=CustomerImport.State.PREVIEWED
    ).update(state=CustomerImport.State.APPLYING, updated_at=timezone.now())
    if claimed:
        send_on_commit(_tasks().customer_import_apply, str(record.pk))
    return bool(claimed)


def customer_import_apply(*, import_id: str) -> bool:
    """Apply a file in one transaction: every row or none.

    The file is read and checked again (the book may have changed since the
    preview); the record is claimed by a conditional UPDATE inside the same
    transaction, so a redelivered message applies it once.
    """
    record = _import_in(import_id, CustomerImport.State.APPLYING)
    if record is None:
        return False
    actor = record.created_by
    with in_language_of(actor):
        plan, error = _read_plan(record)
        if error or plan.error_count:  # type: ignore[union-attr]
            _discard(record, error or plan.as_result(), CustomerImport.State.APPLYING)  # type: ignore[union-attr]
            return True
        try:
            with transaction.atomic():
                allow_long_statements()  # up to 50,000 rows written in one transaction
                now = timezone.now()
                claimed = CustomerImport.objects.filter(
                    pk=record.pk, state=CustomerImport.State.APPLYING
                ).update(
                    state=CustomerImport.State.APPLIED,
                    applied_at=now,
                    updated_at=now,
                    result=plan.as_result() | {"applied": True},  # type: ignore[union-attr]
                )
                if not claimed:
                    return False
                _write(actor, plan)  # type: ignore[arg-type]
                _audit(actor, record, plan)  # type: ignore[arg-type]
        except IntegrityError:
            message = _("Customers were changed by someone else meanwhile. Upload the file again.")
            _discard(
                record, {"file_error": message, "error_count": 1}, CustomerImport.State.APPLYING
            )
            return True
        _drop_file(record)
        notify(
            recipient=actor,
            kind="customers.import_done",
            title=_("Import done: %(created)s customers created, %(updated)s updated.")
            % {"created": len(plan.creates), "updated": len(plan.updates)},  # type: ignore[union-attr]
            body=record.original_name,
            url=record.get_absolute_url(),
            dedupe_key=f"customer-import:{record.pk}",
        )
    return True


def _audit(actor: User, record: CustomerImport, plan: Plan) -> None:
    audit(
        actor=actor,
        action="customers.import",
        obj=record,
        summary=f"{record.original_name}: +{len(plan.creates)} ~{len(plan.updates)}",
        data={
            "rows": plan.rows,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
            "sha256": record.sha256,
        },
    )


def _drop_file(record: CustomerImport) -> None:
    if record.file:
        record.file.delete(save=False)
    CustomerImport.objects.filter(pk=record.pk).update(file="")


def _discard(record: CustomerImport, result: dict, from_state: str) -> None:
    """The file cannot be applied: keep the errors, drop the file."""
    CustomerImport.objects.filter(pk=record.pk, state=from_state).update(
        state=CustomerImport.State.DISCARDED, result=result, updated_at=timezone.now()
    )
    _drop_file(record)


def _write(actor: User, plan: Plan) -> None:
    rule = GradingRule.objects.current()
    rule_data, now = rule.as_rule(), timezone.now()
    grade_rows, history = [], []
    source, reason = GradeChange.Source.IMPORT, _("Imported from a spreadsheet")
    for planned in plan.creates:
        apply_grade(planned.customer, rule, rule_data, now)
    Customer.objects.bulk_create([p.customer for p in plan.creates], batch_size=1000)
    for planned in plan.creates:
        c = planned.customer
        grade_rows.append(grade_change(c, "", actor, rule, source, reason))
        changes = {k: v for k, v in planned.changes.items() if v[1]}
        history.append(CustomerChange(customer=c, actor=actor, kind="imported", changes=changes))
    for planned in plan.updates:
        c = planned.customer
        old = apply_grade(c, rule, rule_data, now)
        c.updated_at = now
        if old != c.grade:
            grade_rows.append(grade_change(c, old, actor, rule, source, reason))
        history.append(
            CustomerChange(customer=c, actor=actor, kind="imported", changes=planned.changes)
        )
    Customer.objects.bulk_update(
        [p.customer for p in plan.updates],
        [
            *IMPORTED_FIELDS,
            "grade",
            "grade_points",
            "grade_breakdown",
            "grade_rule",
            "graded_at",
            "updated_at",
        ],
        # Small batches: bulk_update's CASE grows with the square of the batch.
        batch_size=100,
    )
    # A card form opened before the import is refused, not saved over it.
    updated = [p.customer.pk for p in plan.updates]
    for start in range(0, len(updated), 1000):
        Customer.objects.filter(pk__in=updated[start : start + 1000]).update(
            version=F("version") + 1
        )
    through = Customer.services.through
    replaced = [p for p in plan.updates if p.service_changed]
    through.objects.filter(customer_id__in=[p.customer.pk for p in replaced]).delete()
    through.objects.bulk_create(
        [
            through(customer_id=p.customer.pk, logisticsservice_id=service_id)
            for p in [*plan.creates, *replaced]
            for service_id in (p.services or [])
        ],
        batch_size=2000,
    )
    CustomerChange.objects.bulk_create(history, batch_size=1000)
    GradeChange.objects.bulk_create(grade_rows, batch_size=1000)


def customer_imports_sweep(*, now=None) -> int:
    """Send checks and applications still waiting (broker down) or stalled (worker killed)."""
    now = now or timezone.now()
    tasks = _tasks()
    sent = 0
    waiting = CustomerImport.objects.filter(
        state__in=[CustomerImport.State.CHECKING, CustomerImport.State.APPLYING],
        updated_at__lt=now - SWEEP_AFTER,
    ).values_list("pk", "state")
    for pk, state in list(waiting):
        task = tasks.customer_import_check if state == "checking" else tasks.customer_import_apply
        sent += send_now(task, str(pk))
    return sent


def customer_imports_purge(*, now=None) -> int:
    """Delete stored files of imports never applied within a day, and old records."""
    now = now or timezone.now()
    stale = CustomerImport.objects.filter(
        created_at__lt=now - timedelta(days=1), state=CustomerImport.State.PREVIEWED
    )
    count = 0
    for record in stale:
        _drop_file(record)
        CustomerImport.objects.filter(pk=record.pk).update(state=CustomerImport.State.DISCARDED)
        count += 1
    CustomerImport.objects.filter(created_at__lt=now - timedelta(days=90)).delete()
    return count
