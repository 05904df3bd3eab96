"""Every write of service plans, planned contacts and calendar feeds.

The nightly planner (`planned_contacts_generate`) is set-based: a handful of
reads (the customers to plan, their contacts this period, what is already on
the calendar), the arithmetic of visits/plans/rules.py in memory, and one
COPY plus INSERT … ON CONFLICT DO NOTHING for the new rows. It never updates
a row a person has touched: what is on the calendar counts towards the need
and the day's load, so a second run adds nothing.
"""

import io
import time
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm_site.core.db import allow_long_statements
from crm_site.core.services import work_calendar
from customers import care
from customers.models import Contact, Customer

from .. import cadence as cad
from ..models import Kind, Visit
from ..queries import current_cadences, span
from . import rules
from .models import (
    CalendarFeed,
    ContactKind,
    PlannedContact,
    PlannedContactEvent,
    PlanRun,
    ServicePlan,
    ServicePlanEvent,
    entry_kind,
)

State = PlannedContact.State
# Plain strings in the planner's loops (faster to hash than the enum members).
VISIT, CALL = str(ContactKind.VISIT.value), str(ContactKind.CALL.value)
GREETING = str(ContactKind.GREETING.value)
ON_SITE = [k for k in ContactKind.values if entry_kind(k) == Kind.VISIT]


# --- the nightly planner ---------------------------------------------------------


def horizon_days(today: date, n: int, calendar) -> list[date]:
    """The next `n` working days from `today` (inclusive)."""
    days: list[date] = []
    day = today
    while len(days) < n:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _half_bounds(day: date) -> tuple[date, date]:
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def planned_contacts_mark_missed(*, today: date) -> int:
    """Planned contacts of past days not done: missed (one UPDATE and their events)."""
    with transaction.atomic():
        allow_long_statements()
        ids = list(
            PlannedContact.objects.filter(state=State.PLANNED, day__lt=today)
            .order_by()
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        PlannedContact.objects.filter(pk__in=ids, state=State.PLANNED).update(state=State.MISSED)
        PlannedContactEvent.objects.bulk_create(
            PlannedContactEvent(
                contact_id=pk, kind="missed", from_state=State.PLANNED, to_state=State.MISSED
            )
            for pk in ids
        )
    return len(ids)


def planned_contacts_generate(*, today: date | None = None, days: int | None = None) -> PlanRun:
    """Plan the next working days for every graded active customer with a
    visiting person (the module doc); returns the run with what it wrote."""
    started = time.monotonic()
    today = today or timezone.localdate()
    n_days = days or settings.CRM_PLAN_HORIZON_DAYS
    missed = planned_contacts_mark_missed(today=today)
    month_start = today.replace(day=1)
    calendar = work_calendar(
        month_start - timedelta(days=7), today + timedelta(days=n_days * 3 + 62)
    )
    horizon = horizon_days(today, n_days, calendar)
    end = horizon[-1]
    in_horizon = set(horizon)
    cadences = current_cadences()

    # Periods touched by the horizon: months for visits, ISO weeks for calls.
    months: list[tuple[date, date]] = []
    day = month_start
    while day <= end:
        months.append(cad.month_bounds(day))
        day = months[-1][1] + timedelta(days=1)
    weeks: list[tuple[date, date]] = []
    day = cad.iso_week_bounds(today)[0]
    while day <= end:
        weeks.append((day, day + timedelta(days=6)))
        day += timedelta(days=7)
    last_day = max(months[-1][1], weeks[-1][1])

    customers = list(
        Customer.objects.active()
        .filter(
            visiting_person__isnull=False,
            visiting_person__is_active=True,
            grade__in=list(cadences),
        )
        .order_by()
        .values_list("pk", "visiting_person_id", "unit_id", "region_id", "grade")
    )

    # Contacts made this month and this week by the customer's visiting person.
    week_start = weeks[0][0]
    window = span(min(month_start, week_start), today)
    done = {
        row["customer_id"]: (row["v"], row["c"])
        for row in Visit.objects.filter(
            occurred_at__gte=window[0],
            occurred_at__lt=window[1],
            user_id=F("customer__visiting_person_id"),
        )
        .order_by()
        .values("customer_id")
        .annotate(
            v=Count("pk", filter=Q(kind=Kind.VISIT, occurred_at__gte=span(month_start, today)[0])),
            c=Count("pk", filter=Q(kind=Kind.CALL, occurred_at__gte=span(week_start, today)[0])),
        )
    }

    # What is already on the calendar, still planned, from today on.
    planned_days: dict[tuple, list[date]] = defaultdict(list)  # (customer, kind, period) -> days
    used_visits: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    used_calls: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    taken: dict[str, set[tuple[int, date]]] = defaultdict(set)
    week_of = {}
    day = today
    while day <= last_day:
        week_of[day] = cad.iso_week_bounds(day)[0]
        day += timedelta(days=1)
    for customer_id, person_id, day, kind in (
        PlannedContact.objects.filter(state=State.PLANNED, day__gte=today, day__lte=last_day)
        .order_by()
        .values_list("customer_id", "person_id", "day", "kind")
        .iterator(chunk_size=20000)
    ):
        taken[kind].add((customer_id, day))
        if kind == GREETING:
            continue  # outside the day's load and the cadence
        if kind == CALL:
            used_calls[person_id][day] += 1
            planned_days[(customer_id, kind, week_of[day])].append(day)
        else:
            used_visits[person_id][day] += 1
            planned_days[(customer_id, kind, day.replace(day=1))].append(day)
    # Meetings already held or planned in their period (any state but missed/cancelled).
    half_start, half_end = _half_bounds(today)
    met = set(
        PlannedContact.objects.filter(
            kind__in=[ContactKind.MEETING, ContactKind.NEEDS],
            state__in=[State.PLANNED, State.DONE],
            day__gte=min(half_start, month_start),
            day__lte=max(half_end, last_day),
        )
        .order_by()
        .values_list("customer_id", "kind", "day")
    )
    meeting_seen = {
        (c, k, _half_bounds(d)[0] if k == ContactKind.MEETING else d.replace(day=1))
        for c, k, d in met
    }

    # Per grade and period: required, and the working days left to spread over.
    month_days = {
        start: [d for d in calendar.working_days(start, stop) if d >= today]
        for start, stop in months
    }
    month_req = {
        start: {
            g: min(r.visits_per_month, calendar.count_working_days(start, stop))
            for g, r in cadences.items()
        }
        for start, stop in months
    }
    week_days = {
        start: [d for d in calendar.working_days(start, stop) if d >= today]
        for start, stop in weeks
    }
    week_req = {
        start: {
            g: min(r.calls_per_week, calendar.count_working_days(start, stop))
            for g, r in cadences.items()
        }
        for start, stop in weeks
    }
    spreads: dict[tuple, list[date]] = {}

    def spread_of(period_days, start, need):
        key = (id(period_days), start, need)  # a month and a week may start on one day
        if key not in spreads:
            spreads[key] = rules.spread(period_days[start], need)
        return spreads[key]

    Want = rules.Want
    meeting_grades = set(settings.CRM_PLAN_MEETING_GRADES)
    half_days = [d for d in calendar.working_days(half_start, half_end) if d >= today]

    plans = dict(
        ServicePlan.objects.approved()
        .covering(today)
        .order_by("unit_id", "-start")
        .values_list("unit_id", "pk")
    )

    visit_wants: dict[int, list[rules.Want]] = defaultdict(list)
    call_wants: dict[int, list[rules.Want]] = defaultdict(list)
    unit_of: dict[int, int] = {}
    person_of: dict[int, int] = {}
    fixed: list[tuple[int, int, date, str]] = []  # meetings: (customer, person, day, kind)
    for customer_id, person_id, unit_id, region_id, grade in customers:
        unit_of[customer_id] = unit_id
        person_of[customer_id] = person_id
        visits_done, calls_done = done.get(customer_id, (0, 0))
        district = region_id or 0
        for start, last in months:
            need = month_req[start][grade] - (visits_done if start == month_start else 0)
            slots = spread_of(month_days, start, need)
            covered = planned_days.get((customer_id, VISIT, start))
            if covered:
                slots = rules.uncovered(slots, covered)
            wants = visit_wants[person_id]
            for ideal in slots:
                if ideal in in_horizon:
                    wants.append(Want(customer_id, ideal, last, district))
        for start, last in weeks:
            need = week_req[start][grade] - (calls_done if start == week_start else 0)
            slots = spread_of(week_days, start, need)
            covered = planned_days.get((customer_id, CALL, start))
            if covered:
                slots = rules.uncovered(slots, covered)
            wants = call_wants[person_id]
            for ideal in slots:
                if ideal in in_horizon:
                    wants.append(Want(customer_id, ideal, last, district))
        if grade in meeting_grades:
            if (customer_id, ContactKind.MEETING, half_start) not in meeting_seen:
                anchored = rules.anchor(half_days, customer_id)
                if anchored in in_horizon:
                    fixed.append((customer_id, person_id, anchored, ContactKind.MEETING))
            for start, _stop in months:
                if (customer_id, ContactKind.NEEDS, start) not in meeting_seen:
                    anchored = rules.anchor(month_days[start], customer_id)
                    if anchored in in_horizon:
                        fixed.append((customer_id, person_id, anchored, ContactKind.NEEDS))

    # Festival greetings (客户关怀, customers/care.py): on the last working day
    # before each major festival, for every customer with contacts on record.
    greetings = {
        day: name
        for day, name in care.festival_greetings(today, last_day, calendar).items()
        if day in in_horizon
    }
    # The greeting says which festival, in the site's language (a stored text).
    with translation.override(settings.LANGUAGE_CODE):
        purposes = {day: str(care.FESTIVAL_LABELS[name]) for day, name in greetings.items()}
    if greetings:
        with_contacts = set(
            Contact.objects.order_by().values_list("customer_id", flat=True).distinct()
        )
        for customer_id, person_id in person_of.items():
            if customer_id in with_contacts:
                for day in greetings:
                    fixed.append((customer_id, person_id, day, GREETING))

    rows: list[tuple] = []
    for customer_id, person_id, day, kind in fixed:
        if (customer_id, day) not in taken[kind]:
            if kind != GREETING:
                used_visits[person_id][day] += 1
            rows.append((customer_id, person_id, day, kind))
    for person_id, wants in visit_wants.items():
        for customer_id, day in rules.place(
            wants,
            horizon,
            capacity=settings.CRM_PLAN_VISITS_PER_DAY,
            used=used_visits.get(person_id),
            taken=taken[ContactKind.VISIT],
        ):
            rows.append((customer_id, person_id, day, ContactKind.VISIT))
    for person_id, wants in call_wants.items():
        for customer_id, day in rules.place(
            wants,
            horizon,
            capacity=settings.CRM_PLAN_CALLS_PER_DAY,
            used=used_calls.get(person_id),
            taken=taken[ContactKind.CALL],
            group=False,
        ):
            rows.append((customer_id, person_id, day, ContactKind.CALL))

    created = _insert_planned(rows, unit_of, plans, purposes)
    return PlanRun.objects.create(
        first_day=today,
        last_day=end,
        created=created,
        missed=missed,
        seconds=round(time.monotonic() - started, 3),
    )


def _purpose(kind: str, day: date, purposes: dict[date, str]) -> str:
    return purposes.get(day, "") if kind == GREETING else ""


def _insert_planned(rows, unit_of, plans, purposes: dict[date, str]) -> int:
    """COPY the new rows into a scratch table and insert those not there yet
    (elsewhere than PostgreSQL, the embedded default: a bulk insert that skips
    the rows already there)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return _insert_planned_portable(rows, unit_of, plans, purposes)
    buffer = io.StringIO()
    for customer_id, person_id, day, kind in rows:
        unit_id = unit_of[customer_id]
        plan_id = plans.get(unit_id)
        # The purposes are our own labels: no tab, newline or backslash to escape.
        buffer.write(
            f"{customer_id}\t{person_id}\t{unit_id}\t"
            f"{plan_id if plan_id is not None else chr(92) + 'N'}\t{day.isoformat()}\t{kind}\t"
            f"{_purpose(kind, day, purposes)}\n"
        )
    buffer.seek(0)
    table = PlannedContact._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        allow_long_statements()
        cursor.execute(
            "CREATE TEMP TABLE plan_new (customer_id bigint, person_id bigint, unit_id bigint,"
            " plan_id bigint, day date, kind varchar(12), purpose varchar(200)) ON COMMIT DROP"
        )
        cursor.copy_expert(
            "COPY plan_new (customer_id, person_id, unit_id, plan_id, day, kind, purpose)"
            " FROM STDIN",
            buffer,
        )
        cursor.execute(
            f"INSERT INTO {table} (customer_id, person_id, unit_id, plan_id, day, kind,"  # noqa: S608
            " purpose, state, reason, source, moved, created_at)"
            " SELECT customer_id, person_id, unit_id, plan_id, day, kind, purpose, %s, '', %s,"
            " false, now() FROM plan_new ORDER BY customer_id, person_id, day, kind"
            " ON CONFLICT DO NOTHING",
            [State.PLANNED, PlannedContact.Source.AUTO],
        )
        created = cursor.rowcount
        # Inside an outer transaction ON COMMIT has not come yet: drop it now.
        cursor.execute("DROP TABLE plan_new")
        if created > 10_000:
            # Fresh statistics, so the calendar's reads plan for the new rows.
            cursor.execute(f"ANALYZE {table}")
        return created


def _insert_planned_portable(rows, unit_of, plans, purposes: dict[date, str]) -> int:
    with transaction.atomic():
        before = PlannedContact.objects.count()
        PlannedContact.objects.bulk_create(
            (
                PlannedContact(
                    customer_id=customer_id,
                    person_id=person_id,
                    unit_id=unit_of[customer_id],
                    plan_id=plans.get(unit_of[customer_id]),
                    day=day,
                    kind=kind,
                    purpose=_purpose(kind, day, purposes),
                    state=State.PLANNED,
                    source=PlannedContact.Source.AUTO,
                )
                for customer_id, person_id, day, kind in rows
            ),
            batch_size=500,
            ignore_conflicts=True,
        )
        return PlannedContact.objects.count() - before


# --- what people do to a planned contact ------------------------------------------


def _event(contact, *, actor, kind, from_state="", to_state="", **data):
    return PlannedContactEvent.objects.create(
        contact=contact, actor=actor, kind=kind, from_state=from_state, to_state=to_state, data=data
    )


def planned_contact_create(
    *,
    actor,
    customer,
    person,
    day: date,
    kind: str,
    purpose: str = "",
    start_time=None,
    end_time=None,
) -> PlannedContact:
    """Plan a contact by hand (the calendar's "plan a contact")."""
    duplicate = ValidationError(
        _("This person already has a contact of this kind with this customer that day.")
    )
    try:
        with transaction.atomic():
            if PlannedContact.objects.filter(
                customer=customer, person=person, day=day, kind=kind
            ).exists():
                raise duplicate
            contact = PlannedContact.objects.create(
                customer=customer,
                person=person,
                unit_id=customer.unit_id,
                day=day,
                kind=kind,
                purpose=purpose[:200],
                start_time=start_time,
                end_time=end_time,
                source=PlannedContact.Source.MANUAL,
            )
            _event(contact, actor=actor, kind="created", to_state=State.PLANNED)
    except IntegrityError:
        # Two identical requests at once: the unique constraint lets one in.
        raise duplicate from None
    return contact


def planned_contact_move(
    *, contact: PlannedContact, actor, day: date, start_time=None
) -> PlannedContact:
    """Move a planned contact to another day (drag on the calendar); the planner
    leaves it there from then on."""
    with transaction.atomic():
        locked = PlannedContact.objects.select_for_update().get(pk=contact.pk)
        if locked.state != State.PLANNED:
            raise ValidationError(_("Only a planned contact can be moved."))
        if day < timezone.localdate():
            raise ValidationError(_("A contact cannot be moved to a day that is over."))
        if locked.day == day and start_time is None:
            return locked
        clash = (
            PlannedContact.objects.filter(
                customer_id=locked.customer_id,
                person_id=locked.person_id,
                day=day,
                kind=locked.kind,
            )
            .exclude(pk=locked.pk)
            .exists()
        )
        if clash:
            raise ValidationError(
                _("This person already has a contact of this kind with this customer that day.")
            )
        old = locked.day
        locked.day = day
        if start_time is not None:
            locked.start_time = start_time
        locked.moved = True
        locked.save(update_fields=["day", "start_time", "moved"])
        _event(locked, actor=actor, kind="moved", old_day=old.isoformat(), new_day=day.isoformat())
    return locked


def planned_contact_cancel(*, contact: PlannedContact, actor, reason: str) -> PlannedContact:
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationError(_("Give the reason for cancelling."))
    with transaction.atomic():
        updated = PlannedContact.objects.filter(pk=contact.pk, state=State.PLANNED).update(
            state=State.CANCELLED, reason=reason
        )
        if not updated:
            raise ValidationError(_("Only a planned contact can be cancelled."))
        contact.refresh_from_db()
        _event(
            contact,
            actor=actor,
            kind="cancelled",
            from_state=State.PLANNED,
            to_state=State.CANCELLED,
            reason=reason,
        )
    return contact


def planned_contacts_mark_done(*, visit: Visit, actor, planned_id: int | None = None) -> int:
    """The contact `visit` records fulfils its person's planned contact of that
    customer and day (the one named by `planned_id` first); called in the
    transaction that saves the visit. Returns how many turned done (0 or 1)."""
    day = timezone.localdate(visit.occurred_at)
    candidates = PlannedContact.objects.filter(
        customer_id=visit.customer_id, person_id=visit.user_id, state=State.PLANNED
    )
    kinds = [ContactKind.CALL] if visit.kind == Kind.CALL else ON_SITE
    contact = None
    if planned_id:
        contact = candidates.filter(pk=planned_id, kind__in=kinds).first()
    if contact is None:
        contact = candidates.filter(day=day, kind__in=kinds).order_by("kind").first()
    if contact is None:
        return 0
    updated = PlannedContact.objects.filter(pk=contact.pk, state=State.PLANNED).update(
        state=State.DONE, visit=visit
    )
    if updated:
        _event(
            contact,
            actor=actor,
            kind="done",
            from_state=State.PLANNED,
            to_state=State.DONE,
            visit=visit.pk,
        )
    return updated


# --- calendar feeds -------------------------------------------------------------


def calendar_feed_enable(*, actor) -> CalendarFeed:
    """Turn the user's feed on, or give it a new address (the old one stops)."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        return CalendarFeed.objects.create(user=actor)


def calendar_feed_revoke(*, actor) -> int:
    with transaction.atomic():
        return CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


# --- service plans --------------------------------------------------------------

PLAN_FIELDS = (
    "title",
    "period",
    "start",
    "end",
    "goal_development",
    "goal_relationship",
    "goal_after_sales",
    "key_services",
    "survey_items",
    "grades",
    "visits_target",
)


def service_plan_create(*, actor, unit, people=(), customers=(), **fields) -> ServicePlan:
    with transaction.atomic():
        plan = ServicePlan.objects.create(
            unit=unit, created_by=actor, **{k: fields[k] for k in PLAN_FIELDS if k in fields}
        )
        plan.people.set(people)
        plan.customers.set(customers)
        ServicePlanEvent.objects.create(
            plan=plan, actor=actor, kind="created", to_state=plan.status
        )
    return plan


def service_plan_update(
    *, plan: ServicePlan, actor, version: int, people=(), customers=(), **fields
) -> ServicePlan:
    with transaction.atomic():
        claimed = ServicePlan.objects.filter(
            pk=plan.pk, version=version, status=ServicePlan.Status.DRAFT
        ).update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            **{k: fields[k] for k in PLAN_FIELDS if k in fields},
        )
        if not claimed:
            raise ValidationError(
                _(
                    "Someone has changed this plan since you opened it, or it is approved. Nothing was saved."
                )
            )
        plan.refresh_from_db()
        plan.people.set(people)
        plan.customers.set(customers)
        ServicePlanEvent.objects.create(plan=plan, actor=actor, kind="edited")
    return plan


def service_plan_approve(*, plan: ServicePlan, actor) -> ServicePlan:
    with transaction.atomic():
        now = timezone.now()
        claimed = ServicePlan.objects.filter(pk=plan.pk, status=ServicePlan.Status.DRAFT).update(
            status=ServicePlan.Status.APPROVED, approved_by=actor, approved_at=now, updated_at=now
        )
        if not claimed:
            raise ValidationError(_("This plan is already approved."))
        plan.refresh_from_db()
        ServicePlanEvent.objects.create(
            plan=plan, actor=actor, kind="approved", from_state="draft", to_state="approved"
        )
    return plan
