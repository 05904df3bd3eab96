"""Scope as a property: for random books and random users of random roles and
units, every page agrees with `visible_to(user)`, and `visible_to(user)`
agrees with the rule of DESIGN.md ("Who uses it") restated here on its own.

- a detail page answers 200 exactly when visible_to contains the object, 404
  otherwise (a deactivated user is sent to the login page; a role that may
  never use the page gets 403);
- the customer and complaint exports hold exactly the visible rows;
- list pages count exactly the visible rows.

Each example builds its own small world inside a transaction that is rolled
back. Derandomized with few examples, so CI runs the same cases every time.
"""

import io
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from complaints.defaults import defaults_ensure
from complaints.models import Complaint, ComplaintCategory
from crm_site.accounts.models import Membership, Role, User
from crm_site.accounts.services import membership_set, user_set_role
from crm_site.core.models import Notification
from customers.models import Customer
from customers.prospects.models import CareReminder, Prospect
from customers.voice.models import (
    SURVEY_FIELDS,
    WATCH_CODES,
    CustomerWatch,
    EnterpriseSurvey,
    ServiceSurvey,
)
from reports.models import BigCustomerReview
from tests import factories as f
from visits.models import (
    Competitor,
    DailyReport,
    DailyReportEntry,
    EntryCompetitor,
    UrgentReport,
    Visit,
)

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ROLES = [Role.STAFF, Role.STAFF, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, None]
KIND_FOR_ROLE = {
    Role.STAFF: Membership.Kind.MEMBER,
    Role.SUPERVISOR: Membership.Kind.SUPERVISOR,
    Role.MANAGER: Membership.Kind.MANAGER,
    Role.ADMIN: Membership.Kind.MEMBER,
    None: Membership.Kind.MEMBER,
}


# --- what to build -------------------------------------------------------------


@dataclass
class Book:
    users: list  # (role or None, frozenset of unit indexes, active)
    customers: list  # (unit, visiting person or None, sales owner or None)
    reports: list  # (author)
    entries: list  # (report, customer)
    visits: list  # (customer, user)
    complaints: list  # (customer, received_by, handler or None)
    notifications: list  # (recipient)
    urgent: list  # (unit, raised_by, assignee or None)
    # Customer voice, development, care dates, competitor tags, big-customer reviews.
    voice: list = field(default_factory=list)  # (customer, recorded by, unit kept on the row)
    prospects: list = field(default_factory=list)  # (unit, owner)
    care: list = field(default_factory=list)  # (customer whose contact is reminded)
    competitors: int = 0
    tags: list = field(default_factory=list)  # (entry, competitor)
    reviews: frozenset = frozenset()  # units with a big-customer review
    built: dict = field(default_factory=dict)


@st.composite
def books(draw):
    users = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ROLES),
                st.frozensets(st.sampled_from([0, 1]), max_size=2),
                st.sampled_from([True, True, True, False]),
            ),
            min_size=2,
            max_size=4,
        )
    )
    person = st.integers(0, len(users) - 1)
    maybe_person = st.none() | person
    customers = draw(
        st.lists(
            st.tuples(st.sampled_from([0, 1]), maybe_person, maybe_person), min_size=1, max_size=3
        )
    )
    customer = st.integers(0, len(customers) - 1)
    reports = draw(st.lists(person, max_size=2))
    entries = (
        draw(st.lists(st.tuples(st.integers(0, len(reports) - 1), customer), max_size=3))
        if reports
        else []
    )
    return Book(
        users=users,
        customers=customers,
        reports=reports,
        entries=entries,
        visits=draw(st.lists(st.tuples(customer, person), max_size=2)),
        complaints=draw(st.lists(st.tuples(customer, person, maybe_person), max_size=3)),
        notifications=draw(st.lists(person, max_size=2)),
        urgent=draw(st.lists(st.tuples(st.sampled_from([0, 1]), person, maybe_person), max_size=2)),
        voice=draw(st.lists(st.tuples(customer, person, st.sampled_from([0, 1])), max_size=2)),
        prospects=draw(st.lists(st.tuples(st.sampled_from([0, 1]), person), max_size=2)),
        care=draw(st.lists(customer, max_size=2)),
        competitors=draw(st.integers(0, 2)),
        tags=draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), max_size=3)),
        reviews=draw(st.frozensets(st.sampled_from([0, 1]), max_size=2)),
    )


def build(book: Book) -> dict:
    """Create the book's rows directly (the services' own rules are not under test here)."""
    defaults_ensure()
    now = timezone.now()
    units = [f.make_unit(code=f"P{i}", name=f"单元{i}") for i in range(2)]
    users = []
    for i, (role, unit_ids, active) in enumerate(book.users):
        user = User.objects.create(username=f"p{i}-{uuid.uuid4().hex[:6]}", is_active=active)
        if role is not None:
            user_set_role(user=user, role=role)
        for index in sorted(unit_ids):
            membership_set(user=user, unit=units[index], kind=KIND_FOR_ROLE[role])
        users.append(User.objects.get(pk=user.pk))
    customers = [
        Customer.objects.create(
            code=f"P-{i}",
            name=f"性质客户{i}",
            unit=units[u],
            visiting_person=users[v] if v is not None else None,
            sales_owner=users[s] if s is not None else None,
        )
        for i, (u, v, s) in enumerate(book.customers)
    ]
    reports = [
        DailyReport.objects.create(
            user=users[a],
            unit=users[a].primary_unit or units[0],
            date=timezone.localdate() - timedelta(days=i),
        )
        for i, a in enumerate(book.reports)
    ]
    entries, seen = [], set()
    for r, c in book.entries:
        if (r, c) in seen:
            continue
        seen.add((r, c))
        report, customer = reports[r], customers[c]
        visit = Visit.objects.create(
            customer=customer,
            user=report.user,
            unit=customer.unit,
            kind="visit",
            occurred_at=now,
            source=Visit.Source.ENTRY,
        )
        entries.append(
            DailyReportEntry.objects.create(
                report=report,
                customer=customer,
                kind="visit",
                occurred_at=now,
                visit=visit,
                form_token=uuid.uuid4(),
                effect=f"条目{len(entries)}",
            )
        )
    visits = [
        Visit.objects.create(
            customer=customers[c],
            user=users[u],
            unit=customers[c].unit,
            kind="call",
            occurred_at=now,
        )  # fmt: skip
        for c, u in book.visits
    ]
    category = ComplaintCategory.objects.first()
    complaints = [
        Complaint.objects.create(
            number=f"TS-P-{i:04d}",
            customer=customers[c],
            unit=customers[c].unit,
            channel="phone",
            received_at=now,
            received_by=users[r],
            handler=users[h] if h is not None else None,
            complainant="王先生",
            content="性质测试",
            category=category,
            deadline=now + timedelta(days=3),
        )
        for i, (c, r, h) in enumerate(book.complaints)
    ]
    notifications = [
        Notification.objects.create(recipient=users[r], kind="test", title=f"通知{i}", url="/")
        for i, r in enumerate(book.notifications)
    ]
    urgent = [
        UrgentReport.objects.create(
            unit=units[u],
            raised_by=users[r],
            assignee=users[a] if a is not None else None,
            category="other",
            title=f"紧急{i}",
            details="性质测试",
        )
        for i, (u, r, a) in enumerate(book.urgent)
    ]
    voice = _build_voice(book, units, users, customers)
    prospects = [
        Prospect.objects.create(name=f"开发客户{i}", unit=units[u], owner=users[o])
        for i, (u, o) in enumerate(book.prospects)
    ]
    care = [
        CareReminder.objects.create(
            contact=f.make_contact(customers[c]), occasion=timezone.localdate(), recipient=None
        )
        for c in book.care
    ]
    competitors = [
        Competitor.objects.create(name=f"对手{i}-{uuid.uuid4().hex[:4]}")
        for i in range(book.competitors)
    ]
    tags = [
        EntryCompetitor.objects.get_or_create(entry=entries[e], competitor=competitors[c])[0]
        for e, c in book.tags
        if e < len(entries) and c < len(competitors)
    ]
    quarter = timezone.localdate().replace(month=1, day=1)
    reviews = [
        BigCustomerReview.objects.create(unit=units[u], quarter=quarter) for u in book.reviews
    ]
    return {
        "service_surveys": voice["service_surveys"],
        "enterprise_surveys": voice["enterprise_surveys"],
        "watches": voice["watches"],
        "prospects": prospects,
        "care": care,
        "competitors": competitors,
        "tags": tags,
        "reviews": reviews,
        "units": units,
        "users": users,
        "customers": customers,
        "reports": reports,
        "entries": entries,
        # Every Visit row: those logged directly and those the entries own.
        "visits": visits + [entry.visit for entry in entries],
        "complaints": complaints,
        "notifications": notifications,
        "urgent": urgent,
    }


def _build_voice(book, units, users, customers) -> dict:
    """A service survey, an enterprise survey and a watch per voice record, each
    keeping a unit that may differ from the customer's current one."""
    built = {"service_surveys": [], "enterprise_surveys": [], "watches": []}
    today = timezone.localdate()
    for c, b, u in book.voice:
        common = {"customer": customers[c], "unit": units[u]}
        built["service_surveys"].append(
            ServiceSurvey.objects.create(
                **common,
                **dict.fromkeys(SURVEY_FIELDS, 5),
                surveyed_on=today,
                surveyed_by=users[b],
                form_token=uuid.uuid4(),
            )
        )
        built["enterprise_surveys"].append(
            EnterpriseSurvey.objects.create(
                **common,
                visited_on=today,
                visitor=users[b],
                created_by=users[b],
                opinions="性质测试",
                form_token=uuid.uuid4(),
            )
        )
        built["watches"].append(
            CustomerWatch.objects.create(
                **common,
                reported_on=today,
                reported_by=users[b],
                items={code: {"changed": False, "note": ""} for code in WATCH_CODES},
                form_token=uuid.uuid4(),
            )
        )
    return built


# --- the rule of DESIGN.md, restated -------------------------------------------


def role_of(user):
    return user.role if user.is_active else None


def in_units(user, obj_unit_id) -> bool:
    return obj_unit_id in set(user.memberships.values_list("unit_id", flat=True))


def may_see_customer(user, customer) -> bool:
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role == Role.STAFF:
        return user.pk in (customer.visiting_person_id, customer.sales_owner_id)
    if role in (Role.SUPERVISOR, Role.MANAGER):
        return in_units(user, customer.unit_id)
    return False


def may_see_own_or_unit(user, owner_id, unit_id) -> bool:
    """Daily reports and visits: staff their own; supervisors and managers their units'."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role == Role.STAFF:
        return user.pk == owner_id
    if role in (Role.SUPERVISOR, Role.MANAGER):
        return in_units(user, unit_id)
    return False


def may_see_complaint(user, complaint) -> bool:
    role = role_of(user)
    if role == Role.STAFF:
        return user.pk in (complaint.received_by_id, complaint.handler_id) or may_see_customer(
            user, complaint.customer
        )
    return may_see_own_or_unit(user, None, complaint.unit_id)


def may_see_urgent(user, report) -> bool:
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role == Role.MANAGER:
        return in_units(user, report.unit_id) or report.assignee_id == user.pk
    if role == Role.SUPERVISOR:
        return in_units(user, report.unit_id)
    return False


def may_see_voice(user, row) -> bool:
    """Staff: rows of the customers they visit or sell to; supervisors and
    managers: rows kept under their units (not the customer's current unit)."""
    role = role_of(user)
    if role == Role.STAFF:
        return may_see_customer(user, row.customer)
    return may_see_own_or_unit(user, None, row.unit_id)


def may_see_unit_only(user, unit_id) -> bool:
    """Monthly summaries and big-customer reviews: supervisors and up, in their units."""
    role = role_of(user)
    if role == Role.STAFF:
        return False
    return may_see_own_or_unit(user, None, unit_id)


def may_see_entry(user, entry) -> bool:
    return may_see_own_or_unit(user, entry.report.user_id, entry.report.unit_id)


ORACLE = {
    "customers": (Customer, may_see_customer),
    "reports": (DailyReport, lambda u, r: may_see_own_or_unit(u, r.user_id, r.unit_id)),
    "entries": (
        DailyReportEntry,
        lambda u, e: may_see_own_or_unit(u, e.report.user_id, e.report.unit_id),
    ),
    "visits": (Visit, lambda u, v: may_see_own_or_unit(u, v.user_id, v.unit_id)),
    "complaints": (Complaint, may_see_complaint),
    # One's own, whatever the account's state (a deactivated user cannot sign in).
    "notifications": (Notification, lambda u, n: n.recipient_id == u.pk),
    "urgent": (UrgentReport, may_see_urgent),
    "service_surveys": (ServiceSurvey, may_see_voice),
    "enterprise_surveys": (EnterpriseSurvey, may_see_voice),
    "watches": (CustomerWatch, may_see_voice),
    "prospects": (Prospect, lambda u, p: may_see_own_or_unit(u, p.owner_id, p.unit_id)),
    "care": (CareReminder, lambda u, r: may_see_customer(u, r.contact.customer)),
    # One vocabulary for every unit: anyone active with a role.
    "competitors": (Competitor, lambda u, c: role_of(u) is not None),
    "tags": (EntryCompetitor, lambda u, t: may_see_entry(u, t.entry)),
    "reviews": (BigCustomerReview, lambda u, r: may_see_unit_only(u, r.unit_id)),
}


def _urgent_detail_exists() -> bool:
    try:
        reverse("visits:urgent_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


# kind -> (the object's page, the lowest role that may use the page at all;
# below it the answer is 403 whatever the object, DESIGN.md "Pages").
DETAIL_PAGES = {
    "customers": (lambda c: reverse("customers:detail", args=[c.pk]), Role.STAFF),
    "reports": (lambda r: reverse("visits:report_detail", args=[r.pk]), Role.STAFF),
    "entries": (lambda e: e.get_absolute_url().split("#")[0], Role.STAFF),
    "complaints": (lambda c: reverse("complaints:detail", args=[c.pk]), None),
}
if _urgent_detail_exists():  # issue 6 adds the page; until then the QuerySet is checked alone
    DETAIL_PAGES["urgent"] = (
        lambda r: reverse("visits:urgent_detail", args=[r.pk]),
        Role.SUPERVISOR,
    )


def expected_status(user, minimum, visible: bool) -> int:
    if not user.is_active:
        return 302  # signed out: to the login page
    if minimum is not None and not user.is_at_least(minimum):
        return 403  # a page the role may never use
    return 200 if visible else 404


def _sign_in(client, user) -> None:
    client.logout()
    client.force_login(user)


def _rolled_back(check):
    """Run `check(built)` on a freshly built book, then undo every row."""

    def run(book, client):
        with transaction.atomic():
            built = build(book)
            check(built, client)
            transaction.set_rollback(True)

    return run


# --- the properties --------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books())
def test_visible_to_follows_the_design_for_every_scoped_model(book):
    def check(built, client):
        for user in built["users"]:
            for kind, (model, may_see) in ORACLE.items():
                visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
                expected = {obj.pk for obj in built[kind] if may_see(user, obj)}
                assert visible == expected, (kind, user.role, user.is_active)

    _rolled_back(check)(book, None)


@PROPERTY_SETTINGS
@given(book=books())
def test_a_detail_page_opens_exactly_for_the_objects_visible_to_the_user(book, client):
    def check(built, client):
        for user in built["users"]:
            _sign_in(client, user)
            for kind, (url_of, minimum) in DETAIL_PAGES.items():
                model, _may_see = ORACLE[kind]
                visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
                for obj in built[kind]:
                    status = client.get(url_of(obj)).status_code
                    expected = expected_status(user, minimum, obj.pk in visible)
                    assert status == expected, (kind, user.role, user.is_active, status)

    _rolled_back(check)(book, client)


@PROPERTY_SETTINGS
@given(book=books())
def test_only_ones_own_notifications_can_be_marked_read(book, client):
    def check(built, client):
        for user in [u for u in built["users"] if u.is_active]:
            _sign_in(client, user)
            for note in built["notifications"]:
                client.post(reverse("core:notification_read", args=[note.pk]))
        for note in built["notifications"]:
            note.refresh_from_db()
            assert (note.read_at is not None) == note.recipient.is_active

    _rolled_back(check)(book, client)


def _export_column(content: bytes, header: str) -> set:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = ws.iter_rows(values_only=True)
    column = list(next(rows)).index(header)
    return {row[column] for row in rows if row[column] is not None}


@PROPERTY_SETTINGS
@given(book=books())
def test_exports_and_list_counts_hold_exactly_the_visible_rows(book, client):
    def check(built, client):
        for user in [u for u in built["users"] if u.is_active and u.role]:
            _sign_in(client, user)
            customers = {c.code for c in built["customers"] if may_see_customer(user, c)}
            complaints = {c.number for c in built["complaints"] if may_see_complaint(user, c)}
            reports = [
                r for r in built["reports"] if may_see_own_or_unit(user, r.user_id, r.unit_id)
            ]

            response = client.get(reverse("customers:export"))
            assert _export_column(b"".join(response.streaming_content), "客户编码") == customers
            response = client.get(reverse("complaints:export"))
            assert _export_column(response.content, "编号") == complaints

            page = client.get(reverse("customers:list"))
            assert page.context["page_obj"].paginator.count == len(customers)
            if customers:
                assert f"共 {len(customers)} 位客户" in page.content.decode()
            html = client.get(reverse("complaints:list")).content.decode()
            assert {c.number for c in built["complaints"] if c.number in html} == complaints
            page = client.get(reverse("visits:report_list"))
            if user.is_at_least(Role.STAFF):
                assert page.context["page_obj"].paginator.count == len(reports)

    _rolled_back(check)(book, client)
