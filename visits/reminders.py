"""Reminder services run by Celery beat (visits/tasks.py), Asia/Shanghai.

Both are safe to run twice: each notification carries a dedupe key made of
the job, the day and (implicitly, through the unique constraint) the person,
so a second run, a redelivered message or a beat that fired twice notifies
nobody again and e-mails nobody again.
"""

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm_site.accounts.models import Role, User
from crm_site.core.services import in_language_of, notify, work_calendar
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
    sent = 0
    for user in (staff if staff is not None else staff_to_remind()).exclude(pk__in=done):
        with in_language_of(user):
            title = _("Your daily report for %(day)s is not submitted yet") % {"day": day}
            body = _(
                "Please file and submit today's daily report: one entry per customer you "
                "visited or called."
            )
        created = notify(
            recipient=user,
            kind="visits.report_missing",
            title=title,
            body=body,
            url=reverse("visits:report_new"),
            dedupe_key=f"visits.report_missing:{day.isoformat()}",
            email=True,
        )
        sent += created is not None
    return sent


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
        if not rows:
            continue
        with in_language_of(user):
            title = ngettext(
                "%(n)d customer overdue for a visit or call",
                "%(n)d customers overdue for a visit or call",
                len(rows),
            ) % {"n": len(rows)}
            body = "\n".join(_overdue_line(row) for row in rows[:20])
        created = notify(
            recipient=user,
            kind="visits.contacts_overdue",
            title=title,
            body=body,
            url=reverse("visits:due"),
            dedupe_key=f"visits.contacts_overdue:{day.isoformat()}",
            email=True,
        )
        sent += created is not None
    return sent


def _overdue_line(row) -> str:
    parts = []
    if row.status.visits.overdue:
        parts.append(_("%(n)d visits due this month") % {"n": row.status.visits.due})
    if row.status.calls.overdue:
        parts.append(_("%(n)d calls due this week") % {"n": row.status.calls.due})
    return f"{row.customer.code} {row.customer.name}: {', '.join(parts)}"
