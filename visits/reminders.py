"""Reminder services run by Celery beat (visits/tasks.py), Asia/Shanghai.

Both are safe to run twice: each notification carries a dedupe key made of
the job, the day and (implicitly, through the unique constraint) the person,
so a second run, a redelivered message or a beat that fired twice notifies
nobody again and e-mails nobody again.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm_site.accounts.models import Role, User
from crm_site.core.services import notify_each, work_calendar
from customers.models import Customer

from .models import DailyReport
from .queries import cadence_rows, calendar_for, current_cadences, overdue_on


def staff_to_remind():
    """Active staff members who belong to a unit (those who file daily reports)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.STAFF, memberships__isnull=False)
        .distinct()
        .order_by("pk")
    )


def remind_missing_reports(*, day: date, staff=None) -> int:
    """17:30 on working days: staff without a submitted report for `day`. Returns how many."""
    if not work_calendar(day, day).is_working_day(day):
        return 0
    done = DailyReport.objects.filter(date=day, status__in=DailyReport.DONE).values("user_id")
    recipients = (staff if staff is not None else staff_to_remind()).exclude(pk__in=done)
    return _remind(
        recipients,
        "visits.report_missing",
        partial(_missing_report_text, day),
        "visits:report_new",
        day,
    )


def _missing_report_text(day: date) -> tuple[str, str]:
    title = _("Your daily report for %(day)s is not submitted yet") % {"day": day}
    body = _(
        "Please file and submit today's daily report: one entry per customer you visited or called."
    )
    return title, body


def _remind(
    recipients, kind: str, text: Callable[[], tuple[str, str]], url_name: str, day: date
) -> int:
    """Notify and e-mail `recipients` once per day and kind; how many were new."""
    sent = notify_each(
        recipients,
        kind=kind,
        text=text,
        url=reverse(url_name),
        dedupe_key=f"{kind}:{day.isoformat()}",
        email=True,
    )
    return sum(notification is not None for notification in sent)


def remind_missing_reports_catch_up(*, day: date) -> int:
    """The reminder of the last working day before `day`, if both its beat fires
    were missed (the beat was down). A no-op when they were not: the day's
    dedupe key is already taken. People who joined after that day are left out.
    """
    calendar = work_calendar(day - timedelta(days=31), day)
    previous = day - timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= timedelta(days=1)
        if day - previous > timedelta(days=31):
            return 0
    joined_by = timezone.make_aware(datetime.combine(previous + timedelta(days=1), time.min))
    return remind_missing_reports(
        day=previous, staff=staff_to_remind().filter(date_joined__lt=joined_by)
    )


def remind_overdue_contacts(*, day: date) -> int:
    """09:00 on working days: each staff member's overdue visits and calls. Returns how many."""
    calendar = calendar_for(day)
    if not calendar.is_working_day(day):
        return 0
    staff = list(staff_to_remind())
    cadences = current_cadences()
    customers = overdue_on(
        Customer.objects.active()
        .filter(visiting_person__in=staff)
        .only("pk", "code", "name", "grade", "visiting_person_id"),
        day,
        cadences=cadences,
        calendar=calendar,
    )
    overdue_by_person: dict[int | None, list] = {}
    for row in cadence_rows(customers, day, cadences=cadences, calendar=calendar):
        if row.status.overdue:
            overdue_by_person.setdefault(row.customer.visiting_person_id, []).append(row)
    sent = 0
    for user in staff:
        rows = overdue_by_person.get(user.pk)
        if rows:
            sent += _remind(
                [user], "visits.contacts_overdue", partial(_overdue_text, rows), "visits:due", day
            )
    return sent


def _overdue_text(rows: list) -> tuple[str, str]:
    title = ngettext(
        "%(n)d customer overdue for a visit or call",
        "%(n)d customers overdue for a visit or call",
        len(rows),
    ) % {"n": len(rows)}
    return title, "\n".join(_overdue_line(row) for row in rows[:20])


def _overdue_line(row) -> str:
    parts = []
    if row.status.visits.overdue:
        parts.append(_("%(n)d visits due this month") % {"n": row.status.visits.due})
    if row.status.calls.overdue:
        parts.append(_("%(n)d calls due this week") % {"n": row.status.calls.due})
    return f"{row.customer.code} {row.customer.name}: {', '.join(parts)}"
