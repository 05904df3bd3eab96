"""The visit calendar, planned contacts, calendar feeds and service plans.

Staff see their own calendar; supervisors and managers switch to a person or
to a whole unit of theirs (anything else is a 404). A planned contact outside
the user's scope is a 404. Service plans: managers draft and approve them,
staff read the approved plans of their units.
"""

import json
from datetime import date, timedelta

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.accounts.scope import people_for, units_for
from crm_site.core.forms import add_service_errors
from crm_site.core.links import pk_url
from customers.voice.display import ITEM_LABELS

from .. import cadence as cad
from . import selectors, services
from .forms import CancelForm, ServicePlanForm
from .ical import contacts_ics
from .models import ContactKind, PlannedContact

State = PlannedContact.State


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _whose(request) -> tuple:
    """(person, unit) the calendar shows; a person or unit outside the user's
    reach is a 404."""
    user = request.user
    wanted_unit = request.GET.get("unit", "")
    wanted_person = request.GET.get("person", "")
    if wanted_unit:
        unit = selectors.pick_unit(user=user, wanted=wanted_unit)
        if unit is None:
            raise Http404
        return None, unit
    if wanted_person and wanted_person != str(user.pk):
        person = selectors.pick_person(user=user, wanted=wanted_person)
        if person is None:
            raise Http404
        return person, None
    return user, None


@role_required(Role.STAFF)
@csp_update({"style-src": [NONCE]})
def calendar(request):
    """The week's planned and done contacts: FullCalendar with scripts, and the
    same week as a list without (the list is the fallback)."""
    person, unit = _whose(request)
    today = timezone.localdate()
    monday = cad.iso_week_bounds(_parse_day(request.GET.get("week", "")) or today)[0]
    sunday = monday + timedelta(days=6)
    if unit is not None:
        contacts = []
        totals, holidays = selectors.calendar_unit_week(
            user=request.user, unit=unit, start=monday, end=sunday
        )
    else:
        contacts = list(
            selectors.calendar_contacts(user=request.user, start=monday, end=sunday, person=person)
        )
        totals = []
        holidays = selectors.days_off(monday, sunday)
    days = []
    label = _unit_label_text()
    for i in range(7):
        day = monday + timedelta(days=i)
        days.append(
            {
                "day": day,
                "holiday": holidays.get(day),
                "contacts": [c for c in contacts if c.day == day],
                "totals": [
                    {
                        **t,
                        "label": _unit_label(t, label),
                        "query": f"person={t['person_id']}&week={day.isoformat()}",
                    }
                    for t in totals
                    if t["day"] == day
                ],
            }
        )
    whose = {"unit": unit.pk} if unit else ({"person": person.pk} if person != request.user else {})
    feed = selectors.calendar_feed_live(user=request.user)
    context = {
        "person": person,
        "unit": unit,
        "days": days,
        "monday": monday,
        "today": today,
        "initial_day": today if monday <= today <= sunday else monday,
        "prev_week": urlencode({**whose, "week": (monday - timedelta(days=7)).isoformat()}),
        "next_week": urlencode({**whose, "week": (monday + timedelta(days=7)).isoformat()}),
        "whose_query": urlencode(whose),
        "people": selectors.calendar_people(user=request.user)
        if request.user.is_at_least(Role.SUPERVISOR)
        else None,
        "units": selectors.calendar_units(user=request.user)
        if request.user.is_at_least(Role.SUPERVISOR)
        else None,
        "feed": feed,
        "feed_url": request.build_absolute_uri(
            reverse("visits:calendar_feed_ics", args=[feed.token])
        )
        if feed
        else "",
    }
    return render(request, "visits/plans/calendar.html", context)


@require_GET
@role_required(Role.STAFF)
def calendar_events(request):
    """FullCalendar's event source: planned contacts, unplanned contacts made,
    and the days off, between ?start and ?end."""
    person, unit = _whose(request)
    start = _parse_day(request.GET.get("start", ""))
    end = _parse_day(request.GET.get("end", ""))
    if start is None and end is None:  # the current week
        start = cad.iso_week_bounds(timezone.localdate())[0]
        end = start + timedelta(days=7)
    if start is None or end is None or end < start or (end - start).days > 62:
        return JsonResponse({"ok": False}, status=400)
    end -= timedelta(days=1)  # FullCalendar's end is exclusive
    today = timezone.localdate()
    if unit is not None:
        return JsonResponse(_unit_events(request, unit, start, end), safe=False)
    # Addresses, kinds and states worked out once, not once per event.
    detail_url = pk_url("visits:planned_contact")
    move_url = pk_url("visits:planned_contact_move")
    kinds = {value: str(label) for value, label in ContactKind.choices}
    states = {value: str(label) for value, label in State.choices}
    events = []
    for c in selectors.calendar_contacts(
        user=request.user, start=start, end=end, person=person, unit=unit
    ):
        title = f"{kinds.get(c.kind, c.kind)} · {c.customer.name}"
        event = {
            "id": str(c.pk),
            "title": title,
            "url": detail_url(c.pk),
            "classNames": [f"plan-{c.state}", f"plan-kind-{c.kind}"],
            "editable": c.state == State.PLANNED and c.day >= today,
            "extendedProps": {
                "state": states.get(c.state, c.state),
                "moveUrl": move_url(c.pk),
            },
        }
        if c.start_time:
            event["start"] = f"{c.day.isoformat()}T{c.start_time:%H:%M}"
            if c.end_time:
                event["end"] = f"{c.day.isoformat()}T{c.end_time:%H:%M}"
        else:
            event["start"] = c.day.isoformat()
            event["allDay"] = True
        events.append(event)
    for v in selectors.calendar_unplanned(
        user=request.user, start=start, end=end, person=person, unit=unit
    ):
        local = timezone.localtime(v.occurred_at)
        events.append(
            {
                "id": f"visit-{v.pk}",
                "title": f"{v.get_kind_display()} · {v.customer.name}",
                "start": local.date().isoformat(),
                "allDay": True,
                "editable": False,
                "classNames": ["plan-unplanned"],
                "extendedProps": {"state": _("Done without a plan")},
            }
        )
    events.extend(_days_off_events(selectors.days_off(start, end)))
    return JsonResponse(events, safe=False)


def _unit_label_text() -> str:
    return _("%(person)s · %(on_site)s on site, %(calls)s calls, %(done)s done")


def _unit_label(row, label: str | None = None) -> str:
    return (label or _unit_label_text()) % {
        "person": row["person__full_name"] or row["person__username"],
        "on_site": row["on_site"],
        "calls": row["calls"],
        "done": row["done"],
    }


def _days_off_events(days_off: dict) -> list[dict]:
    return [
        {
            "start": day.isoformat(),
            "allDay": True,
            "display": "background",
            "classNames": ["plan-holiday"],
            "title": note or _("Day off"),
        }
        for day, note in days_off.items()
    ]


def _unit_events(request, unit, start: date, end: date) -> list[dict]:
    """A unit's week: one event per person and day, opening that person's week.
    A unit has hundreds of these a week: the label is translated, the calendar's
    address reversed and each day written out once, not once per event."""
    label = _unit_label_text()
    calendar_url = reverse("visits:calendar")
    days: dict[date, str] = {}
    events: list[dict] = []
    totals, days_off = selectors.calendar_unit_week(
        user=request.user, unit=unit, start=start, end=end
    )
    for row in totals:
        day = days.get(row["day"]) or days.setdefault(row["day"], row["day"].isoformat())
        events.append(
            {
                "title": _unit_label(row, label),
                "start": day,
                "allDay": True,
                "editable": False,
                # urlencode({"person": ..., "week": ...}): digits and an ISO date.
                "url": f"{calendar_url}?person={row['person_id']}&week={day}",
                "classNames": ["plan-unit-total"],
            }
        )
    events.extend(_days_off_events(days_off))
    return events


@require_POST
@role_required(Role.STAFF)
def planned_contact_move(request, pk: int):
    """Drag to another day: a JSON {"day": "YYYY-MM-DD"} body, or a form field."""
    contact = selectors.planned_contact_detail(user=request.user, pk=pk)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            payload = {}
    else:
        payload = request.POST
    day = _parse_day(str(payload.get("day", "")))
    if day is None:
        return JsonResponse({"ok": False, "message": _("Give a day.")}, status=400)
    try:
        contact = services.planned_contact_move(contact=contact, actor=request.user, day=day)
    except ValidationError as exc:
        if request.content_type != "application/json":
            messages.error(request, " ".join(exc.messages))
            return redirect(contact)
        return JsonResponse({"ok": False, "message": " ".join(exc.messages)}, status=400)
    message = _("Moved to %(day)s.") % {"day": contact.day.isoformat()}
    if request.content_type != "application/json":
        messages.success(request, message)
        return redirect(contact)
    return JsonResponse({"ok": True, "day": contact.day.isoformat(), "message": message})


@role_required(Role.STAFF)
def planned_contact(request, pk: int):
    contact = selectors.planned_contact_detail(user=request.user, pk=pk)
    is_person = contact.person_id == request.user.pk
    can_change = contact.state == State.PLANNED
    context = {
        "contact": contact,
        "events": selectors.planned_contact_events(contact=contact),
        "can_change": can_change,
        "can_start_entry": can_change and is_person and contact.day == timezone.localdate(),
        "entry_query": urlencode(
            {"customer": str(contact.customer_id), "kind": contact.entry_kind}
        ),
        "cancel_form": CancelForm() if can_change else None,
        "today": timezone.localdate(),
    }
    return render(request, "visits/plans/contact_detail.html", context)


@require_POST
@role_required(Role.STAFF)
def planned_contact_cancel(request, pk: int):
    contact = selectors.planned_contact_detail(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.planned_contact_cancel(
                contact=contact, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Planned contact cancelled."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the reason for cancelling."))
    return redirect(contact)


# --- feeds --------------------------------------------------------------------


@login_not_required
@require_GET
def calendar_feed_ics(request, token: str):
    """The private feed: anyone with the address (a phone's calendar app), no
    sign-in; a revoked or unknown token is a 404."""
    owner = selectors.feed_owner(token=token)
    today = timezone.localdate()
    body = contacts_ics(
        selectors.feed_contacts(owner=owner, today=today),
        name=str(_("Planned contacts")),
        host=request.get_host().split(":")[0],
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(Role.STAFF)
def calendar_feed_enable(request):
    services.calendar_feed_enable(actor=request.user)
    messages.success(
        request, _("Your calendar feed is on. Any earlier address of it no longer works.")
    )
    return redirect("visits:calendar")


@require_POST
@role_required(Role.STAFF)
def calendar_feed_revoke(request):
    services.calendar_feed_revoke(actor=request.user)
    messages.success(request, _("Your calendar feed is off; its address no longer works."))
    return redirect("visits:calendar")


# --- service plans --------------------------------------------------------------


@role_required(Role.STAFF)
def plan_list(request):
    context = {
        "plans": selectors.service_plan_list(user=request.user)[:200],
        "can_draft": request.user.is_at_least(Role.MANAGER),
    }
    return render(request, "visits/plans/plan_list.html", context)


@role_required(Role.STAFF)
def plan_detail(request, pk: int):
    plan = selectors.service_plan_detail(user=request.user, pk=pk)
    context = {
        "plan": plan,
        "progress": selectors.service_plan_progress(plan=plan),
        "survey_labels": [ITEM_LABELS.get(name, name) for name in plan.survey_items],
        "events": plan.events.select_related("actor"),
        "can_edit": request.user.is_at_least(Role.MANAGER) and plan.is_editable,
    }
    return render(request, "visits/plans/plan_detail.html", context)


def _plan_form(request, instance=None):
    return ServicePlanForm(
        request.POST or None,
        instance=instance,
        units=units_for(request.user, "view"),
        people=people_for(request.user, "people", in_a_unit=True),
    )


@role_required(Role.MANAGER)
def plan_new(request):
    form = _plan_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.service_plan_create(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                people=form.cleaned_data["people"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service plan drafted."))
            return redirect(plan)
    return render(request, "visits/plans/plan_form.html", {"form": form, "plan": None})


@role_required(Role.MANAGER)
def plan_edit(request, pk: int):
    plan = selectors.service_plan_detail(user=request.user, pk=pk)
    if not plan.is_editable:
        raise PermissionDenied
    form = _plan_form(request, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.service_plan_update(
                plan=plan,
                actor=request.user,
                version=int(request.POST.get("version") or -1),
                people=form.cleaned_data["people"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service plan saved."))
            return redirect(plan)
    return render(request, "visits/plans/plan_form.html", {"form": form, "plan": plan})


@require_POST
@role_required(Role.MANAGER)
def plan_approve(request, pk: int):
    plan = selectors.service_plan_detail(user=request.user, pk=pk)
    try:
        services.service_plan_approve(plan=plan, actor=request.user)
        messages.success(request, _("Service plan approved; staff of the unit can read it now."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(plan)
