"""Every read of service plans, planned contacts and calendar feeds, scoped."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from crm_site.accounts.models import Role, User
from crm_site.accounts.scope import people_for, unit_for, units_for
from crm_site.core import batch
from crm_site.core.models import WorkCalendarDay

from ..models import DailyReport, Visit
from ..queries import span
from .models import CalendarFeed, PlannedContact, ServicePlan, entry_kind

State = PlannedContact.State


# --- planned contacts -------------------------------------------------------------


def planned_contact_detail(*, user, pk: int) -> PlannedContact:
    """One planned contact in the user's scope, else 404."""
    return get_object_or_404(
        PlannedContact.objects.visible_to(user).select_related("customer", "person", "unit"), pk=pk
    )


def planned_contact_events(*, contact: PlannedContact) -> QuerySet:
    return contact.events.select_related("actor")


def planned_for_report(*, report: DailyReport) -> list[PlannedContact]:
    """The report owner's contacts planned for the report's day that have no
    entry in it yet: offered as entries to fill in."""
    written = set(report.entries.values_list("customer_id", "kind"))
    contacts = (
        PlannedContact.objects.filter(
            person_id=report.user_id, day=report.date, state=State.PLANNED
        )
        .select_related("customer")
        .order_by("start_time", "customer__name", "pk")
    )
    return [c for c in contacts if (c.customer_id, entry_kind(c.kind)) not in written]


def missed_planned(*, user, person, since: date) -> QuerySet:
    """`person`'s planned contacts since `since` that were missed (the due
    list); everyone's in the user's scope when `person` is None."""
    planned = PlannedContact.objects.visible_to(user)
    if person is not None:
        planned = planned.filter(person=person)
    return (
        planned.filter(state=State.MISSED, day__gte=since)
        .select_related("customer")
        .order_by("-day", "customer__name")
    )


def calendar_people(*, user):
    """Whose calendar the user may open: staff their own only; supervisors and
    up any active member of their units (admins any user in a unit)."""
    if not user.is_at_least(Role.SUPERVISOR):
        return User.objects.filter(pk=user.pk)
    return people_for(user, "view", in_a_unit=True)


def calendar_units(*, user):
    if not user.is_at_least(Role.SUPERVISOR):
        return units_for(user, "view").none()
    return units_for(user, "view")


def calendar_contacts(
    *, user, start: date | None, end: date | None, person=None, unit=None
) -> QuerySet:
    """Planned contacts from `start` to `end` (inclusive; None leaves that end
    open) of one person (the user when neither is given) or one unit, within
    the user's scope."""
    contacts = PlannedContact.objects.visible_to(user).between(start, end)
    if unit is not None:
        contacts = contacts.filter(unit=unit)
    else:
        contacts = contacts.filter(person=person or user)
    return contacts.select_related("customer", "person").order_by("day", "start_time", "pk")


def calendar_unit_week(*, user, unit, start: date, end: date) -> tuple[list[dict], dict]:
    """A whole unit's calendar, one row per person and day: on-site contacts,
    calls and how many are done (one grouped count; a unit plans thousands of
    contacts a week, too many to list one by one), with the days off between
    `start` and `end` (days_off) read in the same round trip; then the names
    of the people in the rows."""
    from django.db.models import Count, Q

    from .models import CALL_KINDS

    calls = Q(kind__in=CALL_KINDS)
    totals = (
        PlannedContact.objects.visible_to(user)
        .filter(unit=unit, day__gte=start, day__lte=end)
        .exclude(state=State.CANCELLED)
        .values("person_id", "day")
        .annotate(
            # All and the calls: the contacts on site are the others (every
            # contact has a kind), one test a row fewer than counting them too.
            total=Count("*"),
            calls=Count("pk", filter=calls),
            done=Count("pk", filter=Q(state=State.DONE)),
        )
        .order_by()
    )
    read = batch.rows_many({"totals": totals, "days_off": _days_off_rows(start, end)})
    rows = read["totals"]
    for row in rows:
        row["on_site"] = row.pop("total") - row["calls"]
    names = {
        pk: (full_name, username)
        for pk, full_name, username in User.objects.filter(
            pk__in={r["person_id"] for r in rows}
        ).values_list("pk", "full_name", "username")
    }
    for row in rows:
        row["person__full_name"], row["person__username"] = names.get(row["person_id"], ("", ""))
    rows.sort(key=lambda r: (r["day"], r["person__full_name"], r["person_id"]))
    return rows, {row["date"]: row["note"] for row in read["days_off"]}


def calendar_unplanned(*, user, start: date, end: date, person=None, unit=None) -> QuerySet:
    """Contacts made without a plan in the same window (shown as done)."""
    visits = Visit.objects.visible_to(user).filter(
        occurred_at__gte=span(start, end)[0],
        occurred_at__lt=span(start, end)[1],
        planned_contacts__isnull=True,
    )
    if unit is not None:
        visits = visits.filter(unit=unit)
    else:
        visits = visits.filter(user=person or user)
    return visits.select_related("customer", "user").order_by("occurred_at")


def pick_person(*, user, wanted: str):
    if wanted.isdigit():
        return calendar_people(user=user).filter(pk=int(wanted)).first()
    return None


def pick_unit(*, user, wanted: str):
    """The unit of calendar_units with the id `wanted`, or None."""
    if wanted.isdigit() and user.is_at_least(Role.SUPERVISOR):
        return unit_for(user, int(wanted), "view")
    return None


def _days_off_rows(start: date, end: date) -> QuerySet:
    return (
        WorkCalendarDay.objects.filter(date__gte=start, date__lte=end, is_working=False)
        .values("date", "note")
        .order_by("date")
    )


def days_off(start: date, end: date) -> dict[date, str]:
    """Holidays on weekdays from the work calendar (weekends are not listed)."""
    return {row["date"]: row["note"] for row in _days_off_rows(start, end)}


# --- feeds --------------------------------------------------------------------


def calendar_feed_live(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.visible_to(user).live().first()


def feed_owner(*, token: str):
    """The user of a live feed token, else 404 (a revoked address is a 404)."""
    feed = CalendarFeed.objects.live().select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed.user


def feed_contacts(*, owner, today: date, days: int = 30) -> QuerySet:
    """The owner's own planned contacts, today and the next `days` days."""
    return (
        PlannedContact.objects.filter(
            person=owner, day__gte=today, day__lte=today + timedelta(days=days)
        )
        .exclude(state=State.CANCELLED)
        .select_related("customer")
        .order_by("day", "start_time", "pk")
    )


# --- service plans ------------------------------------------------------------


def service_plan_list(*, user) -> QuerySet:
    return ServicePlan.objects.visible_to(user).select_related("unit", "approved_by")


def service_plan_detail(*, user, pk: int) -> ServicePlan:
    return get_object_or_404(
        ServicePlan.objects.visible_to(user).select_related("unit", "created_by", "approved_by"),
        pk=pk,
    )


def service_plan_progress(*, plan: ServicePlan) -> dict:
    """Planned contacts linked to the plan by state, and the visits target."""
    from django.db.models import Count

    counts = dict(
        plan.contacts.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    done = counts.get(State.DONE, 0)
    total = sum(counts.values())
    return {
        "total": total,
        "done": done,
        "missed": counts.get(State.MISSED, 0),
        "planned": counts.get(State.PLANNED, 0),
        "cancelled": counts.get(State.CANCELLED, 0),
        "percent": round(100.0 * done / total, 1) if total else None,
        "visits_target": plan.visits_target,
    }


def plans_for_month(*, unit_ids, month: date) -> list[dict]:
    """Approved plans of these units overlapping the month, with their progress
    (the monthly summary's plan section)."""
    from calendar import monthrange

    end = month.replace(day=monthrange(month.year, month.month)[1])
    plans = ServicePlan.objects.approved().filter(
        unit_id__in=unit_ids, start__lte=end, end__gte=month
    )
    return [{"plan": p, **service_plan_progress(plan=p)} for p in plans.select_related("unit")]
