"""Customer cards, contacts, assignment and pinned grades."""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import (
    Region,
    Role,
    ServiceUnit,
    User,
)
from crm_site.accounts.scope import PURPOSES, active_role, people_for, units_for
from crm_site.core.idempotency import create_once
from crm_site.core.services import audit
from crm_site.core.versioning import claim_version

from .. import cargo, grading
from ..models import Contact, Customer, CustomerChange, GradeChange, GradingRule, LogisticsService

# Fields whose changes the card's history lists (CustomerChange.changes).
TRACKED_FIELDS = (
    "code",
    "name",
    "nature",
    "scale",
    "annual_revenue",
    "trend",
    "industry",
    "region",
    "address",
    "unit",
    "sales_owner",
    "visiting_person",
    "status",
    "notes",
    "assignment_override_reason",
    "serving_outlet",
    *cargo.FIELDS,
)
# The history rows of changes to the card itself (not its contacts or voice records).
CARD_KINDS = (
    CustomerChange.Kind.CREATED,
    CustomerChange.Kind.UPDATED,
    CustomerChange.Kind.ASSIGNED,
    CustomerChange.Kind.IMPORTED,
)
# Every field of a contact, in the card's order (also the personal-data export's).
CONTACT_FIELDS = (
    "name",
    "organisation",
    "position",
    "address",
    "mobile",
    "phone",
    "email",
    "wechat",
    "care_kind",
    "care_date",
    "notes",
    "is_primary",
)


def scope_units(user):
    """Units the user may file customers under: `units_for(user, "assign")`."""
    return units_for(user, "assign")


def scope_unit_list(user) -> list[ServiceUnit]:
    """scope_units as a list, by code: for a unit role, the units of the
    memberships the user object has loaded (no query of its own)."""
    if active_role(user) not in PURPOSES["assign"].roles:
        return list(scope_units(user))
    seen: dict = {}
    for membership in user.scope_memberships:
        if membership.unit.is_active:
            seen.setdefault(membership.unit_id, membership.unit)
    return sorted(seen.values(), key=lambda u: u.code)


def scope_users(user):
    """People the user may name as sales owner or visiting person: members of
    the user's units (an admin: members of any unit)."""
    return people_for(user, "people", in_a_unit=True)


def assignment_conflict(*, region: Region | None, person: User | None) -> bool:
    """True if `person` sells in `region` (客户服务管理制度 第3条: the visiting person
    must, in principle, not be a salesperson of the customer's region)."""
    if region is None or person is None:
        return False
    return region.salespeople.filter(pk=person.pk).exists()


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def snapshot(customer: Customer) -> dict[str, str]:
    """The tracked fields as text (names for people and places, codes for choices)."""
    return {name: _display(getattr(customer, name)) for name in TRACKED_FIELDS}


def services_text(services: Iterable[LogisticsService]) -> str:
    return "、".join(sorted(s.name for s in services))


def diff(before: dict, after: dict) -> dict[str, list[str]]:
    return {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}


def settle_assignment(
    *, customer: Customer, actor: User, override_reason: str, changed: bool
) -> None:
    """Apply the visiting-person rule to `customer` (unsaved), or refuse.

    A salesperson of the customer's region is refused as its visiting person
    unless a supervisor (or higher) gives a written reason, which is kept. An
    unchanged assignment keeps the reason given earlier.
    """
    person = customer.visiting_person
    if not assignment_conflict(region=customer.region, person=person):
        customer.assignment_override_reason = ""
        customer.assignment_override_by = None
        customer.assignment_override_at = None
        return
    if not changed and customer.assignment_override_reason:
        return
    reason = (override_reason or "").strip()
    if not actor.is_at_least(Role.SUPERVISOR):
        raise ValidationError(
            {
                "visiting_person": _(
                    "%(person)s is a salesperson of %(region)s and may not visit its "
                    "customers. Only a supervisor or an administrator can make an exception."
                )
                % {"person": person, "region": customer.region}
            }
        )
    if not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(person)s is a salesperson of %(region)s. Give the reason for this "
                    "exception, or choose another visiting person."
                )
                % {"person": person, "region": customer.region}
            }
        )
    customer.assignment_override_reason = reason
    customer.assignment_override_by = actor
    customer.assignment_override_at = timezone.now()


def apply_grade(customer: Customer, rule: GradingRule, rule_data: grading.Rule, now) -> str:
    """Grade `customer` (unsaved) under `rule`; a pinned grade stays. Returns the old grade."""
    old = customer.grade
    result = grading.grade(customer.attributes(), rule_data)
    if not customer.grade_pinned:
        customer.grade = result.grade
    customer.grade_points = result.points
    customer.grade_breakdown = result.breakdown
    customer.grade_rule = rule
    customer.graded_at = now
    return old


def grade_change(
    customer: Customer, old_grade: str, actor: User | None, rule, source: str, reason: str
) -> GradeChange:
    """The grade history row (unsaved) of a change to the grade the customer has now."""
    return GradeChange(
        customer=customer,
        old_grade=old_grade,
        new_grade=customer.grade,
        actor=actor,
        rule=rule,
        source=source,
        reason=reason,
    )


def _settle_grade_save(
    customer: Customer, actor: User, override_reason: str, *, assignment_changed: bool
) -> tuple[GradingRule, str]:
    """Settle the assignment, grade under the current rule and save: the rule
    and the grade before."""
    settle_assignment(
        customer=customer, actor=actor, override_reason=override_reason, changed=assignment_changed
    )
    rule = GradingRule.objects.current()
    old_grade = apply_grade(customer, rule, rule.as_rule(), timezone.now())
    customer.save()
    return rule, old_grade


@transaction.atomic
def customer_create(
    *,
    actor: User,
    fields: dict,
    services: Iterable[LogisticsService] = (),
    override_reason: str = "",
    form_token: uuid.UUID | None = None,
) -> Customer:
    """Create a customer card, graded under the current rule. A resent form
    (same token) returns the card the first one created."""

    def create() -> Customer:
        return _customer_create(
            actor=actor,
            fields=fields,
            services=services,
            override_reason=override_reason,
            form_token=form_token,
        )

    return create_once(Customer, form_token, create)[0]


def _customer_create(*, actor, fields, services, override_reason, form_token) -> Customer:
    customer = Customer(**fields, created_by=actor, form_token=form_token)
    rule, _old_grade = _settle_grade_save(customer, actor, override_reason, assignment_changed=True)
    services = list(services)
    customer.services.set(services)
    after = snapshot(customer) | {"services": services_text(services)}
    _record_edit(
        customer,
        actor,
        kind=CustomerChange.Kind.CREATED,
        changes={k: ["", v] for k, v in after.items() if v},
        rule=rule,
        old_grade="",
        reason=_("Graded when the customer was created"),
    )
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor: User,
    fields: dict,
    services: Iterable[LogisticsService] | None = None,
    override_reason: str = "",
    version: int | None = None,
) -> Customer:
    """Change a customer card; regrade it under the current rule unless pinned.

    `version` is the card's version the form was loaded from: if someone has
    saved the card since, StaleEdit (crm_site.core.versioning) and nothing changes."""
    claim_version(customer, version, history=customer.changes.filter(kind__in=CARD_KINDS))
    before = snapshot(customer)
    before_services = list(customer.services.all())
    assignment = (customer.visiting_person_id, customer.region_id)
    for name, value in fields.items():
        setattr(customer, name, value)
    rule, old_grade = _settle_grade_save(
        customer,
        actor,
        override_reason,
        assignment_changed=assignment != (customer.visiting_person_id, customer.region_id),
    )
    changes = diff(before, snapshot(customer))
    if services is not None:
        services = list(services)
        if {s.pk for s in services} != {s.pk for s in before_services}:
            customer.services.set(services)
            changes["services"] = [services_text(before_services), services_text(services)]
    only_assignment = set(changes) <= {"visiting_person", "assignment_override_reason"}
    _record_edit(
        customer,
        actor,
        kind=CustomerChange.Kind.ASSIGNED if only_assignment else CustomerChange.Kind.UPDATED,
        changes=changes,
        rule=rule,
        old_grade=old_grade,
        reason=_("Regraded after the customer was edited"),
    )
    return customer


def _record_edit(
    customer: Customer,
    actor: User,
    *,
    kind: str,
    changes: dict,
    rule: GradingRule,
    old_grade: str,
    reason: str,
) -> None:
    """The card's history row of an edit (if anything changed), and a grade
    history row if the grade moved."""
    if changes:
        CustomerChange.objects.create(customer=customer, actor=actor, kind=kind, changes=changes)
    if customer.grade != old_grade:
        grade_change(customer, old_grade, actor, rule, GradeChange.Source.EDIT, reason).save()


@transaction.atomic
def customers_reassign(
    *, actor: User, customer_ids: Iterable[int], visiting_person: User, override_reason: str = ""
) -> list[Customer]:
    """Give many customers a new visiting person, all or none.

    A supervisor reassigns within their units: every customer and the new
    visiting person must belong to one of them.
    """
    if not actor.is_at_least(Role.SUPERVISOR):
        raise PermissionDenied
    ids = set(customer_ids)
    customers = list(
        Customer.objects.visible_to(actor)
        .filter(pk__in=ids)
        .select_related("region", "visiting_person")
        .select_for_update(of=("self",))
        .order_by("code")
    )
    if not customers or len(customers) != len(ids):
        raise ValidationError(_("Choose customers from your list."))
    person_units = set(
        visiting_person.memberships.filter(
            unit_id__in=units_for(actor, "people").values("pk")
        ).values_list("unit_id", flat=True)
    )
    outside = [c.code for c in customers if c.unit_id not in person_units]
    if outside:
        raise ValidationError(
            {
                "visiting_person": _("%(person)s is not a member of the unit of %(codes)s.")
                % {"person": visiting_person, "codes": "、".join(outside[:10])}
            }
        )
    selling = set(visiting_person.sales_regions.values_list("pk", flat=True))
    conflicted = [c for c in customers if c.region_id in selling]
    reason = (override_reason or "").strip()
    if conflicted and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(person)s is a salesperson of the region of %(codes)s. Give the reason "
                    "for this exception, or choose another visiting person."
                )
                % {
                    "person": visiting_person,
                    "codes": "、".join(c.code for c in conflicted[:10]),
                }
            }
        )
    now = timezone.now()
    history, moved = [], []
    for customer in customers:
        before = snapshot(customer)
        customer.visiting_person = visiting_person
        if customer.region_id in selling:
            customer.assignment_override_reason = reason
            customer.assignment_override_by = actor
            customer.assignment_override_at = now
        else:
            customer.assignment_override_reason = ""
            customer.assignment_override_by = None
            customer.assignment_override_at = None
        changes = diff(before, snapshot(customer))
        if changes:
            customer.updated_at = now
            moved.append(customer)
            history.append(
                CustomerChange(
                    customer=customer,
                    actor=actor,
                    kind=CustomerChange.Kind.ASSIGNED,
                    changes=changes,
                )
            )
    Customer.objects.bulk_update(
        moved,
        [
            "visiting_person",
            "assignment_override_reason",
            "assignment_override_by",
            "assignment_override_at",
            "updated_at",
        ],
        batch_size=500,
    )
    # A card form opened before the reassignment is refused, not saved over it.
    Customer.objects.filter(pk__in=[c.pk for c in moved]).update(version=models.F("version") + 1)
    CustomerChange.objects.bulk_create(history, batch_size=500)
    return moved


@transaction.atomic
def customer_pin_grade(*, customer: Customer, actor: User, grade: str, reason: str) -> Customer:
    """Fix the customer's grade by hand; rule regrades leave it alone until unpinned."""
    if not actor.is_at_least(Role.SUPERVISOR):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for pinning the grade.")})
    rule = GradingRule.objects.current()
    if rule.as_rule().grade_def(grade) is None:
        raise ValidationError({"grade": _("This grade is not in the current grading rule.")})
    old = customer.grade
    customer.grade = grade
    customer.grade_pinned = True
    customer.grade_pin_reason = reason
    customer.grade_pinned_by = actor
    customer.grade_pinned_at = timezone.now()
    customer.save(
        update_fields=[
            "grade",
            "grade_pinned",
            "grade_pin_reason",
            "grade_pinned_by",
            "grade_pinned_at",
            "updated_at",
        ]
    )
    grade_change(customer, old, actor, rule, GradeChange.Source.PIN, reason).save()
    return customer


@transaction.atomic
def customer_unpin_grade(*, customer: Customer, actor: User, reason: str = "") -> Customer:
    """Release a pinned grade: the current rule grades the customer again."""
    if not actor.is_at_least(Role.SUPERVISOR):
        raise PermissionDenied
    if not customer.grade_pinned:
        return customer
    customer.grade_pinned = False
    customer.grade_pin_reason = ""
    customer.grade_pinned_by = None
    customer.grade_pinned_at = None
    rule = GradingRule.objects.current()
    old = apply_grade(customer, rule, rule.as_rule(), timezone.now())
    customer.save()
    reason = (reason or "").strip()
    grade_change(customer, old, actor, rule, GradeChange.Source.UNPIN, reason).save()
    return customer


def _contact_snapshot(contact: Contact) -> dict[str, str]:
    return {name: _display(getattr(contact, name)) for name in CONTACT_FIELDS}


def _contact_history(*, customer, actor, action: str, name: str, changes: dict) -> None:
    CustomerChange.objects.create(
        customer=customer,
        actor=actor,
        kind=CustomerChange.Kind.CONTACT,
        changes={"contact": name, "action": action, "fields": changes},
    )


def _make_primary(contact: Contact) -> None:
    # One primary contact per customer (a partial unique constraint): demote the old one first.
    if contact.is_primary:
        contact.customer.contacts.exclude(pk=contact.pk).filter(is_primary=True).update(
            is_primary=False
        )


@transaction.atomic
def contact_create(
    *, customer: Customer, actor: User, fields: dict, form_token: uuid.UUID | None = None
) -> Contact:
    """Add a contact to the card. A resent form (same token) returns the first one."""

    def create() -> Contact:
        contact = Contact(customer=customer, **fields, form_token=form_token)
        _make_primary(contact)
        contact.save()
        after = _contact_snapshot(contact)
        _contact_history(
            customer=customer,
            actor=actor,
            action="added",
            name=contact.name,
            changes={k: ["", v] for k, v in after.items() if v},
        )
        return contact

    return create_once(Contact, form_token, create)[0]


@transaction.atomic
def contact_update(
    *, contact: Contact, actor: User, fields: dict, version: int | None = None
) -> Contact:
    """Change a contact; `version` as in customer_update (StaleEdit if it moved on)."""
    claim_version(
        contact,
        version,
        history=contact.customer.changes.filter(kind=CustomerChange.Kind.CONTACT),
    )
    before = _contact_snapshot(contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    _make_primary(contact)
    contact.save()
    changes = diff(before, _contact_snapshot(contact))
    if changes:
        _contact_history(
            customer=contact.customer,
            actor=actor,
            action="changed",
            name=contact.name,
            changes=changes,
        )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User) -> None:
    _contact_history(
        customer=contact.customer,
        actor=actor,
        action="removed",
        name=contact.name,
        changes={},
    )
    audit(
        actor=actor,
        action="customers.contact_delete",
        obj=contact,
        summary=f"{contact.customer.code} #{contact.pk}",
        data={"customer": contact.customer_id},
    )
    contact.delete()
