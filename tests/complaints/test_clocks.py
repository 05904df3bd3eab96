"""The two clocks of a complaint: the internal deadline (working days, paused
while the ticket waits for an outlet or the customer) and the regulatory due
date (calendar days, never paused), across the Spring Festival 2026 and its
make-up working days (调休); the pause and resume actions; the warnings."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintPause, RegulatoryLimit
from crm_site.core import deadlines
from crm_site.core.models import Notification, WorkCalendarDay
from crm_site.core.workcal import WorkCalendar
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


# 春节 2026: 15–23 February off; Saturdays 14 and 28 February are make-up
# working days (调休).
HOLIDAYS = [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
MAKE_UP = [date(2026, 2, 14), date(2026, 2, 28)]
SPRING_FESTIVAL = WorkCalendar(
    overrides={**dict.fromkeys(HOLIDAYS, False), **dict.fromkeys(MAKE_UP, True)}
)


@pytest.fixture
def spring_festival(db):
    for day in HOLIDAYS:
        WorkCalendarDay.objects.create(date=day, is_working=False, note="春节")
    for day in MAKE_UP:
        WorkCalendarDay.objects.create(date=day, is_working=True, note="调休")


def at_time(moment):
    """Run a service as if it were `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- the engine (pure) -------------------------------------------------------------


def test_five_working_days_over_the_spring_festival_count_both_make_up_saturdays():
    # Friday 13 February: Saturday 14 (调休) is the first working day, then the
    # holiday, then 24–27 February.
    clock = deadlines.Clock(at(2026, 2, 13), deadlines.Policy(5, deadlines.WORKING_DAYS))
    assert deadlines.clock_due_at(clock, SPRING_FESTIVAL) == at(2026, 2, 27, 18)


def test_a_pause_moves_the_working_deadline_by_its_working_time_to_the_second():
    # Paused on the make-up Saturday at 15:00:17 until Tuesday 24th 11:00:05:
    # 2:59:43 of that Saturday and 2:00:05 of the Tuesday were working time,
    # the holiday in between was not. The deadline (Fri 27th 18:00) moves on
    # by 4:59:48 of working time: to the make-up Saturday 28th at 13:59:48.
    pause = (at(2026, 2, 14, 15, 0, 17), at(2026, 2, 24, 11, 0, 5))
    clock = deadlines.Clock(
        at(2026, 2, 13), deadlines.Policy(5, deadlines.WORKING_DAYS), pauses=(pause,)
    )
    assert deadlines.clock_due_at(clock, SPRING_FESTIVAL) == at(2026, 2, 28, 13, 59, 48)


def test_a_pause_inside_the_holiday_takes_no_working_time_and_moves_nothing():
    pause = (at(2026, 2, 16, 9), at(2026, 2, 22, 20))
    clock = deadlines.Clock(
        at(2026, 2, 13), deadlines.Policy(5, deadlines.WORKING_DAYS), pauses=(pause,)
    )
    assert deadlines.clock_due_at(clock, SPRING_FESTIVAL) == at(2026, 2, 27, 18)


def test_a_pause_begun_after_the_deadline_does_not_rescue_it():
    pause = (at(2026, 3, 2, 9), at(2026, 3, 3, 9))
    clock = deadlines.Clock(
        at(2026, 2, 13), deadlines.Policy(5, deadlines.WORKING_DAYS), pauses=(pause,)
    )
    assert deadlines.clock_due_at(clock, SPRING_FESTIVAL) == at(2026, 2, 27, 18)


def test_the_regulatory_clock_is_seven_calendar_days_whatever_the_holidays():
    clock = deadlines.Clock(
        at(2026, 2, 13, 10, 30, 15), deadlines.Policy(7, deadlines.CALENDAR_DAYS)
    )
    assert deadlines.clock_due_at(clock, SPRING_FESTIVAL) == at(2026, 2, 20, 10, 30, 15)


def test_working_time_between_counts_only_opening_hours_of_working_days():
    assert SPRING_FESTIVAL.working_time_between(at(2026, 2, 13, 17), at(2026, 2, 24, 10)) == (
        timedelta(hours=1 + 9 + 1)
    )


# --- logging: the two clocks ---------------------------------------------------------


@pytest.mark.django_db
def test_a_complaint_before_the_festival_gets_both_clocks(spring_festival, customer_a, staff_a):
    complaint = f.make_complaint(customer_a, by=staff_a, received_at=at(2026, 2, 13, 10, 30, 15))
    assert complaint.deadline == at(2026, 2, 27, 18)
    # 快递暂行条例 第二十八条: 7 days, the holiday included.
    assert complaint.regulatory_due == at(2026, 2, 20, 10, 30, 15)
    assert complaint.regulatory_source == "快递暂行条例 第二十八条"


@pytest.mark.django_db
def test_a_12305_transfer_is_due_when_its_notice_says(customer_a, staff_a):
    received = timezone.now() - timedelta(hours=2)
    notice_due = received + timedelta(days=3)
    complaint = f.make_complaint(
        customer_a,
        by=staff_a,
        channel="postal_12305",
        received_at=received,
        regulatory_due=notice_due,
    )
    assert complaint.regulatory_due == notice_due
    default = f.make_complaint(customer_a, by=staff_a, channel="postal_12305", received_at=received)
    assert default.regulatory_due == received + timedelta(days=7)


@pytest.mark.django_db
def test_the_regulatory_days_are_data_an_admin_edits(customer_a, staff_a):
    RegulatoryLimit.objects.filter(kind="direct").update(calendar_days=5)
    received = timezone.now() - timedelta(hours=1)
    complaint = f.make_complaint(customer_a, by=staff_a, channel="email", received_at=received)
    assert complaint.regulatory_due == received + timedelta(days=5)


@pytest.mark.django_db
def test_only_a_12305_transfer_takes_a_due_date_of_its_own(customer_a, staff_a):
    received = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        f.make_complaint(
            customer_a,
            by=staff_a,
            channel="phone",
            received_at=received,
            regulatory_due=received + timedelta(days=3),
        )
    assert "regulatory_due" in refused.value.message_dict
    assert not Complaint.objects.exists()


# --- pause and resume -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_pause_across_the_festival_moves_the_internal_deadline_and_not_the_regulatory_one(
    spring_festival, customer_a, staff_a
):
    complaint = f.make_complaint(customer_a, by=staff_a, received_at=at(2026, 2, 13, 10, 30, 15))
    with at_time(at(2026, 2, 14, 15, 0, 17)):
        services.complaint_pause(
            complaint=complaint, actor=staff_a, reason="outlet_reply", comment="等网点交接记录"
        )
    complaint.refresh_from_db()
    assert complaint.paused_since == at(2026, 2, 14, 15, 0, 17)
    with at_time(at(2026, 2, 24, 11, 0, 5)):
        services.complaint_resume(complaint=complaint, actor=staff_a)
    complaint.refresh_from_db()
    assert complaint.paused_since is None
    assert complaint.deadline == at(2026, 2, 28, 13, 59, 48)
    assert complaint.regulatory_due == at(2026, 2, 20, 10, 30, 15)
    pause = ComplaintPause.objects.get(complaint=complaint)
    assert (pause.reason, pause.ended_by) == ("outlet_reply", staff_a)
    assert list(
        complaint.events.filter(kind__in=["paused", "resumed"]).values_list("kind", flat=True)
    ) == [
        "paused",
        "resumed",
    ]


@pytest.mark.django_db
def test_a_paused_complaint_is_neither_overdue_nor_warned_but_its_regulatory_clock_runs(
    customer_a, staff_a, supervisor_a
):
    complaint = f.make_complaint(customer_a, by=staff_a)
    services.complaint_pause(complaint=complaint, actor=staff_a, reason="customer_evidence")
    Complaint.objects.filter(pk=complaint.pk).update(
        deadline=timezone.now() - timedelta(hours=1),
        regulatory_due=timezone.now() - timedelta(minutes=1),
    )
    assert not Complaint.objects.overdue().filter(pk=complaint.pk).exists()
    result = services.complaint_deadlines_sweep()
    assert result["escalated"] == 0 and result["reminded"] == 0
    assert result["regulatory_escalated"] == 1


@pytest.mark.django_db
def test_pausing_needs_a_reason_and_happens_once(client, complaint_a, staff_a):
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint_a.pk, "pause"])
    assert client.post(url, {"pause-comment": "没有原因"}).status_code == 200
    assert not ComplaintPause.objects.exists()
    for _ in range(2):
        client.post(url, {"pause-reason": "outlet_reply"})
    assert ComplaintPause.objects.filter(complaint=complaint_a).count() == 1
    assert complaint_a.events.filter(kind="paused").count() == 1


@pytest.mark.django_db
def test_the_complaint_page_shows_the_pause_since_when_and_why(client, complaint_a, staff_a):
    client.force_login(staff_a)
    client.post(
        reverse("complaints:action", args=[complaint_a.pk, "pause"]),
        {"pause-reason": "outlet_reply", "pause-comment": "等网点交接记录"},
    )
    html = client.get(complaint_a.get_absolute_url()).content.decode()
    assert 'id="pause"' in html
    assert 'data-reason="outlet_reply"' in html and "等网点交接记录" in html
    complaint_a.refresh_from_db()
    assert timezone.localtime(complaint_a.paused_since).strftime("%Y-%m-%d %H:%M") in html
    # While paused the steps that move the status wait; resuming is offered.
    actions = [a["name"] for a in client.get(complaint_a.get_absolute_url()).context["actions"]]
    assert "resume" in actions and "start" not in actions and "pause" not in actions
    assert "快递暂行条例 第二十八条" in html


@pytest.mark.django_db
def test_another_units_people_cannot_pause_and_a_colleague_who_does_not_work_it_is_refused(
    client, complaint_a, staff_b, supervisor_b, staff_a2
):
    url = reverse("complaints:action", args=[complaint_a.pk, "pause"])
    for user in (staff_b, supervisor_b):
        client.force_login(user)
        assert client.post(url, {"pause-reason": "outlet_reply"}).status_code == 404
    client.force_login(staff_a2)
    assert client.post(url, {"pause-reason": "outlet_reply"}).status_code in (403, 404)
    assert not ComplaintPause.objects.exists()


# --- warnings: 24 hours before each deadline and at it, once each ----------------------


@pytest.mark.django_db
def test_the_regulatory_due_date_is_warned_a_day_before_and_at_it_once_each(
    customer_a, staff_a, supervisor_a, manager_a, supervisor_b
):
    complaint = f.make_complaint(customer_a, by=staff_a)
    due = timezone.now() + timedelta(days=7)
    Complaint.objects.filter(pk=complaint.pk).update(regulatory_due=due)
    # 25 hours before: nothing yet.
    nothing = services.complaint_deadlines_sweep(now=due - timedelta(hours=25))
    assert nothing["regulatory_reminded"] == 0
    # 24 hours before: once, however often the sweep runs.
    for minutes in (0, 10, 20):
        services.complaint_deadlines_sweep(
            now=due - timedelta(hours=24) + timedelta(minutes=minutes)
        )
    warned = Notification.objects.filter(kind="complaint_regulatory_reminder")
    assert sorted(n.recipient.username for n in warned) == ["manager_a", "staff_a", "supervisor_a"]
    # At the due time: once.
    for minutes in (0, 10):
        services.complaint_deadlines_sweep(now=due + timedelta(minutes=minutes))
    breached = Notification.objects.filter(kind="complaint_regulatory_escalation")
    assert sorted(n.recipient.username for n in breached) == [
        "manager_a",
        "staff_a",
        "supervisor_a",
    ]
    assert complaint.events.filter(kind="regulatory_reminded").count() == 1
    assert complaint.events.filter(kind="regulatory_escalated").count() == 1


@pytest.mark.django_db
def test_the_internal_deadline_is_warned_a_day_before_and_at_it_once_each(
    customer_a, staff_a, supervisor_a
):
    complaint = f.make_complaint(customer_a, by=staff_a)
    deadline = timezone.now() + timedelta(days=3)
    Complaint.objects.filter(pk=complaint.pk).update(deadline=deadline)
    for minutes in (0, 10):
        services.complaint_deadlines_sweep(
            now=deadline - timedelta(hours=24) + timedelta(minutes=minutes)
        )
    for minutes in (0, 10):
        services.complaint_deadlines_sweep(now=deadline + timedelta(minutes=minutes))
    assert Notification.objects.filter(kind="complaint_reminder", recipient=staff_a).count() == 1
    assert (
        Notification.objects.filter(kind="complaint_escalation", recipient=supervisor_a).count()
        == 1
    )


@pytest.mark.django_db
def test_a_customer_told_the_result_is_not_warned_about_the_regulatory_due_date(
    customer_a, staff_a
):
    complaint = f.make_complaint(customer_a, by=staff_a)
    Complaint.objects.filter(pk=complaint.pk).update(
        status="notified", regulatory_due=timezone.now() - timedelta(hours=1)
    )
    assert services.complaint_deadlines_sweep()["regulatory_escalated"] == 0


@pytest.mark.django_db
def test_an_answer_in_time_stays_in_time_when_a_return_visit_reopens_the_complaint(
    customer_a, staff_a, supervisor_a
):
    complaint = f.make_complaint(
        customer_a, by=staff_a, received_at=timezone.now() - timedelta(days=3)
    )
    Complaint.objects.filter(pk=complaint.pk).update(status="resolved")
    complaint.refresh_from_db()
    told = timezone.localdate()
    services.complaint_notify_customer(
        complaint=complaint, actor=staff_a, notified_on=told, means="phone"
    )
    complaint.refresh_from_db()
    services.complaint_return_visit(complaint=complaint, actor=staff_a, satisfied=False)
    complaint.refresh_from_db()
    assert complaint.status == "investigating" and complaint.notified_on is None
    assert complaint.regulatory_answered_on == told
    # Past the regulatory due date now: no warning, the customer had the answer.
    later = complaint.regulatory_due + timedelta(hours=1)
    assert services.complaint_deadlines_sweep(now=later)["regulatory_escalated"] == 0
