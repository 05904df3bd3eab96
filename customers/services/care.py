"""Care reminders (客户关怀): contacts' birthdays and anniversaries.

The daily job (customers.tasks.care_reminders_send) tells each customer's
visiting person, a week ahead, whose care date is coming, in the bell and by
e-mail. Each reminder is claimed by a CareReminder row (unique per contact and
occurrence) in the same transaction as its notification, one contact at a
time: a second run sends nothing again, and a run killed half way leaves the
rest for the next one (the window is a week, so the next day still finds them).

The major festivals (春节, 端午, 中秋, 国庆: customers/care.py) are care dates
of every contact: a week before a festival's greeting day each visiting
person is told how many of their customers' contacts to greet, once per
festival (festival_reminders_send); the nightly planner puts the greeting
itself on the calendar (visits.plans.services).
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from crm_site.core.services import in_language_of, notify, work_calendar

from .. import care
from ..models import CareReminder, Contact, Customer, Status


def _in_window(contacts, start: date, days: int):
    pairs = care.month_days(start, days)
    match = Q()
    for month, day in sorted(pairs):
        match |= Q(care_date__month=month, care_date__day=day)
    return contacts.filter(care_date__isnull=False).filter(match)


def contacts_with_care_dates(customers, *, start: date, days: int):
    """Contacts of `customers` whose care date falls in start .. start + days,
    soonest first (ordered by the database, so a page of them is one query)."""
    month, day = start.month, start.day
    contacts = _in_window(Contact.objects.filter(customer__in=customers), start, days)
    return contacts.annotate(
        care_month=ExtractMonth("care_date"),
        care_day=ExtractDay("care_date"),
        # Dates later this year first, then those of next January onwards.
        care_wrap=Case(
            When(
                Q(care_month__gt=month) | Q(care_month=month, care_day__gte=day),
                then=Value(0),
            ),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("care_wrap", "care_month", "care_day", "pk")


def care_rows(contacts, today: date) -> list[dict]:
    """What the page and the panel show for each contact."""
    rows = []
    for contact in contacts:
        occasion = care.next_occurrence(contact.care_date, today)
        rows.append(
            {
                "contact": contact,
                "customer": contact.customer,
                "occasion": occasion,
                "days_left": (occasion - today).days,
                "years": care.years_since(contact.care_date, occasion),
            }
        )
    return rows


def care_reminders_send(*, today: date) -> int:
    """Remind visiting persons of care dates in the coming week. Returns how many sent."""
    contacts = (
        _in_window(Contact.objects.all(), today, care.REMIND_DAYS_AHEAD)
        .exclude(customer__status=Status.LOST)
        .filter(customer__visiting_person__is_active=True)
        # Already reminded for this occurrence (the only one on or after today).
        .exclude(care_reminders__occasion__gte=today)
        .select_related("customer__visiting_person")
        .order_by("pk")
    )
    sent = 0
    for contact in contacts.iterator(chunk_size=500):
        sent += _remind_one(contact, today)
    return sent


def _remind_one(contact: Contact, today: date) -> int:
    if contact.care_date is None:  # the query selects contacts with a care date
        return 0
    occasion = care.next_occurrence(contact.care_date, today)
    if occasion > today + timedelta(days=care.REMIND_DAYS_AHEAD):
        return 0
    customer: Customer = contact.customer
    person = customer.visiting_person
    with transaction.atomic():
        reminder, created = CareReminder.objects.get_or_create(
            contact=contact, occasion=occasion, defaults={"recipient": person}
        )
        if not created:
            return 0
        with in_language_of(person):
            values = {
                "contact": contact.name,
                "customer": customer.name,
                "kind": contact.get_care_kind_display() or _("Care date"),
                "date": occasion.isoformat(),
                "days": (occasion - today).days,
            }
            title = _("%(kind)s of %(contact)s (%(customer)s) on %(date)s") % values
            body = (
                _(
                    "%(contact)s of %(customer)s: %(kind)s on %(date)s, in %(days)s days. "
                    "A greeting or a small attention keeps the relationship warm."
                )
                % values
            )
        reminder.notification = notify(
            recipient=person,
            kind="customers.care_date",
            title=title,
            body=body,
            url=reverse("customers:detail", args=[customer.pk]) + "#contacts",
            dedupe_key=f"customers.care:{contact.pk}:{occasion.isoformat()}",
            email=True,
        )
        reminder.save(update_fields=["notification"])
    return 1


# --- festivals ------------------------------------------------------------------


def festivals_ahead(*, today: date, days: int) -> list[dict]:
    """The major festivals whose greeting day falls from today to today + days,
    soonest first: festival, its first day off, the greeting day, days left."""
    end = today + timedelta(days=days)
    lookahead = timedelta(days=care.GREETING_LOOKAHEAD)
    calendar = work_calendar(today - lookahead, end + lookahead)
    greetings = care.festival_greetings(today, end, calendar)
    return [
        {
            "name": name,
            "festival": care.FESTIVAL_LABELS[name],
            "day": care.festival_day(day, name),
            "greeting_day": day,
            "days_left": (day - today).days,
        }
        for day, name in sorted(greetings.items())
    ]


def festival_reminders_send(*, today: date) -> int:
    """Tell each visiting person, a week before a festival's greeting day, how
    many of their active customers have contacts to greet (once per person and
    festival: the notification's dedupe key). Returns how many sent."""
    festivals = festivals_ahead(today=today, days=care.REMIND_DAYS_AHEAD)
    if not festivals:
        return 0
    counts = dict(
        Customer.objects.exclude(status=Status.LOST)
        .filter(visiting_person__is_active=True)
        .filter(Exists(Contact.objects.filter(customer=OuterRef("pk"))))
        .order_by()
        .values_list("visiting_person")
        .annotate(n=Count("pk"))
    )
    people = get_user_model().objects.filter(pk__in=counts).order_by("pk")
    sent = 0
    for festival in festivals:
        for person in people:
            with in_language_of(person):
                values = {
                    "festival": festival["festival"],
                    "date": festival["day"].isoformat(),
                    "greeting_day": festival["greeting_day"].isoformat(),
                    "customers": counts[person.pk],
                }
                title = (
                    _("%(festival)s (days off from %(date)s): greet your customers' contacts")
                    % values
                )
                body = (
                    _(
                        "Greet the contacts of your %(customers)s customers by %(greeting_day)s. "
                        "The greetings are on your visit calendar."
                    )
                    % values
                )
            created = notify(
                recipient=person,
                kind="customers.festival",
                title=title,
                body=body,
                url=reverse("visits:calendar"),
                dedupe_key=f"customers.festival:{festival['name']}:{festival['day'].isoformat()}",
                email=True,
            )
            sent += created is not None
    return sent
