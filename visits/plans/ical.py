"""The iCalendar text of a person's planned contacts (the `icalendar` package)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

# A contact without a time window shows from 09:00 for an hour.
DEFAULT_START = time(9, 0)
DEFAULT_LENGTH = timedelta(hours=1)


def contacts_ics(contacts, *, name: str, host: str, stamp: datetime) -> bytes:
    """VCALENDAR of `contacts`; each UID is the planned contact's id and the
    host, so a subscriber updates a moved contact instead of adding another."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//crm//planned contacts//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for contact in contacts:
        start = datetime.combine(contact.day, contact.start_time or DEFAULT_START, tzinfo=zone)
        if contact.end_time and contact.start_time and contact.end_time > contact.start_time:
            end = datetime.combine(contact.day, contact.end_time, tzinfo=zone)
        else:
            end = start + DEFAULT_LENGTH
        event = Event()
        event.add("uid", f"planned-contact-{contact.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{contact.get_kind_display()} · {contact.customer.name}")
        if contact.purpose:
            event.add("description", contact.purpose)
        if contact.customer.address:
            event.add("location", contact.customer.address)
        event.add("status", "CANCELLED" if contact.state == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
