"""Plain test factories: make_x(**overrides) returns a saved object."""

import itertools

from crm_site.accounts.models import Membership, Region, Role, ServiceUnit, User
from crm_site.accounts.services import membership_set, user_set_role

_seq = itertools.count(1)

PASSWORD = "test-pass-2026"

KIND_FOR_ROLE = {
    Role.STAFF: Membership.Kind.MEMBER,
    Role.SUPERVISOR: Membership.Kind.SUPERVISOR,
    Role.MANAGER: Membership.Kind.MANAGER,
}


def make_unit(**overrides) -> ServiceUnit:
    n = next(_seq)
    fields = {"code": f"U{n}", "name": f"Unit {n}"} | overrides
    return ServiceUnit.objects.create(**fields)


def make_region(**overrides) -> Region:
    n = next(_seq)
    salespeople = overrides.pop("salespeople", [])
    region = Region.objects.create(**({"code": f"R{n}", "name": f"Region {n}"} | overrides))
    region.salespeople.set(salespeople)
    return region


def make_user(role: str = Role.STAFF, unit: ServiceUnit | None = None, **overrides) -> User:
    """A user with a role; `unit` may be a unit or a list of units (managers)."""
    n = next(_seq)
    fields = {"username": f"{role}{n}", "full_name": f"{role.title()} {n}"} | overrides
    password = fields.pop("password", PASSWORD)
    user = User(**fields)
    user.set_password(password)
    if role == Role.ADMIN:
        user.is_superuser = False
    user.save()
    user_set_role(user=user, role=role)
    units = unit if isinstance(unit, list | tuple) else [unit] if unit else []
    for one in units:
        membership_set(user=user, unit=one, kind=KIND_FOR_ROLE.get(role, Membership.Kind.MEMBER))
    return User.objects.get(pk=user.pk)


# --- customers -------------------------------------------------------------


def make_customer(unit=None, **overrides):
    """A customer of `unit` (a new unit if omitted), graded under the current rule."""
    from customers import grading
    from customers.models import Customer, GradingRule

    n = next(_seq)
    unit = unit or make_unit()
    fields = {
        "code": f"C{n:06d}",
        "name": f"客户{n}",
        "unit": unit,
        "nature": "manufacturer",
        "scale": "medium",
        "trend": "stable",
        "annual_revenue": 100,
    } | overrides
    customer = Customer(**fields)
    if "grade" not in overrides:
        rule = GradingRule.objects.current()
        result = grading.grade(customer.attributes(), rule.as_rule())
        customer.grade = result.grade
        customer.grade_points = result.points
        customer.grade_breakdown = result.breakdown
        customer.grade_rule = rule
    customer.save()
    return customer


def make_outlet(unit=None, **overrides):
    """An outlet (网点) of `unit` (a new unit if omitted), active."""
    from customers.models import Outlet

    n = next(_seq)
    fields = {"code": f"WD{n:04d}", "name": f"网点 {n}", "unit": unit or make_unit()}
    return Outlet.objects.create(**(fields | overrides))


def make_contact(customer, **overrides):
    from customers.models import Contact

    n = next(_seq)
    fields = {"name": f"联系人{n}", "mobile": f"138{n:08d}"} | overrides
    return Contact.objects.create(customer=customer, **fields)


# --- visits and daily reports ------------------------------------------------


def make_visit(customer, user, **overrides):
    """A contact logged directly (not from a report); `occurred_at` defaults to now."""
    from django.utils import timezone

    from visits.models import Kind, Visit

    fields = {
        "kind": Kind.CALL,
        "occurred_at": timezone.now(),
        "source": Visit.Source.DIRECT,
        "unit": customer.unit,
    } | overrides
    return Visit.objects.create(customer=customer, user=user, **fields)


def make_daily_report(user, day=None, **overrides):
    """A daily report of `user` (in the user's first unit) for `day` (today if omitted)."""
    from django.utils import timezone

    from visits.models import DailyReport

    fields = {"unit": user.primary_unit, "date": day or timezone.localdate()} | overrides
    return DailyReport.objects.create(user=user, **fields)


def make_entry(report, customer, *, kind="visit", at="10:00", **text):
    """An entry filed through the service (so it records its visit), at HH:MM of the report's day."""
    import uuid
    from datetime import datetime, time

    from django.utils import timezone

    from visits.services import EntryContent, daily_report_entry_create

    hour, minute = (int(part) for part in at.split(":"))
    content = EntryContent(
        customer=customer,
        kind=kind,
        occurred_at=timezone.make_aware(datetime.combine(report.date, time(hour, minute))),
        **({"effect": "客户满意"} | text),
    )
    entry, _created = daily_report_entry_create(
        report=report, actor=report.user, content=content, form_token=uuid.uuid4()
    )
    return entry


# --- complaints ------------------------------------------------------------

_COMPLAINT_LOG_FIELDS = (
    "channel",
    "received_at",
    "complainant",
    "contact_phone",
    "content",
    "demand",
    "category",
    "severity",
    "handler",
    "acknowledged_on",
    "recording",
    "responsible_outlet",
    "origin_outlet",
    "destination_outlet",
    "regulatory_due",
    "waybills",
)


def entry_form_data(customer, **fields) -> dict:
    """What the daily-report entry form posts: a 00:10 visit to `customer`, texts blank unless given.

    (A time already past whenever a test runs: a later one on today's report is refused.)
    """
    import uuid

    from customers.fields import customer_label

    texts = dict.fromkeys(["opinions", "market", "effect", "handling", "other"], "")
    data = {"customer": customer_label(customer), "kind": "visit", "time": "00:10"} | texts
    return data | {"escalation_reason": "", "form_token": str(uuid.uuid4())} | fields


def make_complaint(customer=None, by=None, **overrides):
    """A complaint logged through complaint_log (number, deadline, first event).

    Fields complaint_log does not take (status, resolved_at, ...) are then set
    directly, without events: for register, export and figure tests.
    `category` may be a code ("delay") or a ComplaintCategory.
    """
    from django.utils import timezone

    from complaints import services
    from complaints.defaults import defaults_ensure
    from complaints.models import Complaint, ComplaintCategory

    defaults_ensure()
    customer = customer or make_customer()
    by = by or customer.visiting_person or make_user(Role.SUPERVISOR, customer.unit)
    log = {key: overrides.pop(key) for key in _COMPLAINT_LOG_FIELDS if key in overrides}
    category = log.pop("category", "delay")
    if isinstance(category, str):
        category = ComplaintCategory.objects.get(code=category)
    channel = log.pop("channel", "phone")
    if channel == "letter":
        log.setdefault("acknowledged_on", timezone.localdate())
    complaint = services.complaint_log(
        actor=by,
        customer=customer,
        channel=channel,
        received_at=log.pop("received_at", timezone.now()),
        complainant=log.pop("complainant", "王先生"),
        content=log.pop("content", "货物比约定晚到两天。"),
        category=category,
        **log,
    )
    if overrides:
        Complaint.objects.filter(pk=complaint.pk).update(**overrides)
        complaint.refresh_from_db()
    return complaint


# --- urgent reports (visits, issue 6) ----------------------------------------


def make_urgent_report(unit=None, raised_by=None, *, route=False, **overrides):
    """An urgent report raised through urgent_report_raise (pending, with its
    deadline and first event); `route=True` then runs the routing service.

    Fields the service does not take (status, ack_deadline, created_at, ...)
    are then set directly, without events: for queue, badge and figure tests.
    """
    from visits.models import UrgentReport
    from visits.urgent.routing import urgent_report_route
    from visits.urgent.services import urgent_report_raise

    if unit is None:
        unit = raised_by.primary_unit if raised_by else make_unit()
    raised_by = raised_by or make_user(Role.SUPERVISOR, unit)
    raise_fields = {
        "category": overrides.pop("category", UrgentReport.Category.COMPETITOR_POLICY),
        "title": overrides.pop("title", "竞争对手大幅降价"),
        "details": overrides.pop("details", "竞争对手对整车线路降价约8%。"),
        "proposal": overrides.pop("proposal", ""),
        "customer": overrides.pop("customer", None),
        "source_entry": overrides.pop("source_entry", None),
        "waybills": overrides.pop("waybills", ()),
    }
    report, _created = urgent_report_raise(actor=raised_by, unit=unit, **raise_fields)
    if route:
        urgent_report_route(report_id=report.pk)
    if overrides:
        UrgentReport.objects.filter(pk=report.pk).update(**overrides)
    report.refresh_from_db()
    return report


def make_service_survey(customer, by, *, score=5, **overrides):
    """A service-level survey of `customer` with every item rated `score`."""
    import uuid

    from django.utils import timezone

    from customers.voice.models import SURVEY_FIELDS, ServiceSurvey

    fields = dict.fromkeys(SURVEY_FIELDS, score)
    fields |= {
        "customer": customer,
        "unit_id": customer.unit_id,
        "surveyed_by": by,
        "surveyed_on": timezone.localdate(),
        "form_token": uuid.uuid4(),
    }
    return ServiceSurvey.objects.create(**(fields | overrides))


def make_voice(customer, by):
    """One of each customer-voice record for `customer`, recorded by `by`."""
    import uuid
    from types import SimpleNamespace

    from django.utils import timezone

    from customers.voice.models import WATCH_CODES, CustomerWatch, EnterpriseSurvey

    def record(model, **fields):
        return model.objects.create(
            customer=customer, unit_id=customer.unit_id, form_token=uuid.uuid4(), **fields
        )

    today = timezone.localdate()
    survey = make_service_survey(customer, by)
    enterprise = record(
        EnterpriseSurvey, visited_on=today, visitor=by, created_by=by, opinions="希望旺季保障运力。"
    )
    items = {code: {"changed": False, "note": ""} for code in WATCH_CODES}
    watch = record(CustomerWatch, reported_on=today, reported_by=by, items=items)
    return SimpleNamespace(survey=survey, enterprise=enterprise, watch=watch)
