"""Filing a daily report: one per day, entries record visits, submit, read-only once reviewed."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import entry_form_data, make_daily_report, make_entry, make_visit
from visits import services
from visits.models import DailyReport, DailyReportEntry, DailyReportEvent, Visit

pytestmark = pytest.mark.django_db


def entry_post(customer, **overrides):
    return (
        entry_form_data(
            customer,
            opinions="希望增加周末提货班次",
            market="竞争对手降价5%",
            effect="客户同意下季度增加线路",
            handling="已协调运输部",
        )
        | overrides
    )


# --- one report per staff member per day --------------------------------------


def test_opening_todays_report_creates_nothing_until_the_user_starts_it(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("visits:report_new"))
    assert page.status_code == 200
    assert "开始填写今日日报表" in page.content.decode()
    assert not DailyReport.objects.exists()
    started = client.post(reverse("visits:report_new"))
    report = DailyReport.objects.get(user=staff_a)
    assert started["Location"] == report.get_absolute_url()
    # Once started, the same address opens it.
    assert client.get(reverse("visits:report_new"))["Location"] == report.get_absolute_url()


def test_starting_todays_report_from_a_customer_goes_on_to_a_new_entry(client, staff_a, customer_a):
    client.force_login(staff_a)
    query = f"?customer={customer_a.pk}&kind=visit"
    page = client.get(reverse("visits:report_new") + query)
    assert not DailyReport.objects.exists()
    assert f'value="{customer_a.pk}"' in page.content.decode()
    started = client.post(
        reverse("visits:report_new"), {"customer": str(customer_a.pk), "kind": "visit"}
    )
    report = DailyReport.objects.get(user=staff_a)
    assert started["Location"] == (
        reverse("visits:entry_new", args=[report.pk]) + f"?customer={customer_a.pk}&kind=visit"
    )


def test_starting_todays_report_twice_gives_the_same_draft(client, staff_a):
    client.force_login(staff_a)
    first = client.post(reverse("visits:report_new"))
    second = client.post(reverse("visits:report_new"))
    report = DailyReport.objects.get(user=staff_a)
    assert first["Location"] == second["Location"] == report.get_absolute_url()
    assert report.status == DailyReport.Status.DRAFT
    assert report.date == timezone.localdate()
    assert report.unit == staff_a.primary_unit


def test_the_database_refuses_a_second_report_for_the_same_day(staff_a):
    make_daily_report(staff_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_daily_report(staff_a)


def test_a_user_without_a_unit_is_told_why_no_report_opens(client, db):
    from crm_site.accounts.models import Role
    from tests.factories import make_user

    loner = make_user(Role.STAFF)
    client.force_login(loner)
    response = client.post(reverse("visits:report_new"), follow=True)
    assert not DailyReport.objects.exists()
    assert "营业单位" in response.content.decode()


# --- entries and their visits ---------------------------------------------------


def test_saving_an_entry_records_exactly_one_visit(client, staff_a, report_a, customer_a):
    client.force_login(staff_a)
    response = client.post(reverse("visits:entry_new", args=[report_a.pk]), entry_post(customer_a))
    assert response.status_code == 302
    entry = DailyReportEntry.objects.get(report=report_a)
    visit = Visit.objects.get()
    assert entry.visit == visit
    assert (visit.customer, visit.kind, visit.user, visit.source) == (
        customer_a,
        "visit",
        staff_a,
        Visit.Source.ENTRY,
    )
    assert timezone.localtime(visit.occurred_at).strftime("%Y-%m-%d %H:%M") == (
        f"{report_a.date:%Y-%m-%d} 00:10"
    )
    assert "客户同意下季度增加线路" in client.get(report_a.get_absolute_url()).content.decode()


def test_editing_an_entry_updates_its_visit_instead_of_adding_one(
    client, staff_a, report_a, customer_a, customer_d
):
    entry = make_entry(report_a, customer_a, kind="visit", at="09:00")
    visit_id = entry.visit_id
    client.force_login(staff_a)
    data = entry_post(customer_d, kind="call", time="00:05", form_token=str(entry.form_token))
    response = client.post(reverse("visits:entry_edit", args=[report_a.pk, entry.pk]), data)
    assert response.status_code == 302
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.pk == visit_id
    assert (visit.customer, visit.kind) == (customer_d, "call")
    assert timezone.localtime(visit.occurred_at).strftime("%H:%M") == "00:05"


def test_deleting_an_entry_removes_its_visit(client, staff_a, report_a, customer_a):
    entry = make_entry(report_a, customer_a)
    client.force_login(staff_a)
    client.post(reverse("visits:entry_delete", args=[report_a.pk, entry.pk]))
    assert not DailyReportEntry.objects.exists()
    assert not Visit.objects.exists()


def test_a_call_logged_earlier_that_day_is_adopted_by_the_entry_not_entered_twice(
    staff_a, report_a, customer_a
):
    logged = make_visit(customer_a, staff_a, kind="call", occurred_at=timezone.now())
    entry = make_entry(report_a, customer_a, kind="call", at="11:00")
    assert Visit.objects.count() == 1
    logged.refresh_from_db()
    assert entry.visit == logged
    assert logged.source == Visit.Source.ENTRY


def test_a_second_entry_for_the_same_customer_and_kind_is_refused_in_chinese(
    client, staff_a, report_a, customer_a
):
    make_entry(report_a, customer_a, kind="visit")
    client.force_login(staff_a)
    data = entry_post(customer_a, kind="visit", effect="第二次记录")
    response = client.post(reverse("visits:entry_new", args=[report_a.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已有该客户" in html
    assert "第二次记录" in html  # what was typed is still there
    assert DailyReportEntry.objects.count() == 1


def test_a_visit_and_a_call_to_the_same_customer_are_two_entries(staff_a, report_a, customer_a):
    make_entry(report_a, customer_a, kind="visit", at="09:00")
    make_entry(report_a, customer_a, kind="call", at="16:00")
    assert Visit.objects.filter(customer=customer_a).count() == 2


def test_the_picker_refuses_a_customer_outside_the_staff_members_book(
    client, staff_a, report_a, customer_of_unit_b
):
    client.force_login(staff_a)
    response = client.post(
        reverse("visits:entry_new", args=[report_a.pk]), entry_post(customer_of_unit_b)
    )
    assert response.status_code == 200
    assert "找不到该客户" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_picker_takes_a_lower_case_code_or_the_full_name_on_the_entry_form(
    client, staff_a, report_a, customer_a, customer_d
):
    client.force_login(staff_a)
    url = reverse("visits:entry_new", args=[report_a.pk])
    by_code = entry_post(customer_a) | {"customer": customer_a.code.lower()}
    by_name = entry_post(customer_d) | {"customer": "苏州恒达商贸"}
    assert client.post(url, by_code).status_code == 302
    assert client.post(url, by_name).status_code == 302
    assert set(Visit.objects.values_list("customer__name", flat=True)) == {
        "上海远航物流",
        "苏州恒达商贸",
    }


# --- the visit time on today's report ------------------------------------------------


def _at_nine_on(day):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def test_a_visit_time_more_than_15_minutes_ahead_is_refused_on_todays_report(
    staff_a, customer_a, monkeypatch
):
    from datetime import date

    from visits.forms import EntryForm

    day = date(2026, 12, 7)
    monkeypatch.setattr(timezone, "now", lambda: _at_nine_on(day))
    report = make_daily_report(staff_a, day)
    late = EntryForm(entry_post(customer_a, time="09:16"), user=staff_a, report=report)
    assert not late.is_valid()
    assert late.errors["time"] == [
        "09:16 尚未到来：今日日报表只记录已经发生的巡访和电话（最晚可填 09:15）。"
    ]
    on_time = EntryForm(entry_post(customer_a, time="09:15"), user=staff_a, report=report)
    assert on_time.is_valid(), on_time.errors


def test_an_earlier_days_report_takes_any_time_of_that_day(staff_a, customer_a, monkeypatch):
    from datetime import date

    from visits.forms import EntryForm

    day = date(2026, 12, 7)
    monkeypatch.setattr(timezone, "now", lambda: _at_nine_on(day))
    yesterday = make_daily_report(staff_a, day - timedelta(days=1))
    form = EntryForm(entry_post(customer_a, time="23:30"), user=staff_a, report=yesterday)
    assert form.is_valid(), form.errors


def test_the_entry_page_says_why_a_time_still_to_come_is_refused(
    client, staff_a, report_a, customer_a
):
    later = timezone.localtime() + timedelta(minutes=30)
    if later.date() != report_a.date:
        pytest.skip("no time later today")
    client.force_login(staff_a)
    response = client.post(
        reverse("visits:entry_new", args=[report_a.pk]),
        entry_post(customer_a, time=later.strftime("%H:%M")),
    )
    assert response.status_code == 200
    assert "尚未到来：今日日报表只记录已经发生的巡访和电话" in response.content.decode()
    assert not Visit.objects.exists()


def test_an_entry_needs_some_content_and_a_flag_needs_a_reason(
    client, staff_a, report_a, customer_a
):
    client.force_login(staff_a)
    empty = dict.fromkeys(("opinions", "market", "effect", "handling", "other"), "")
    response = client.post(
        reverse("visits:entry_new", args=[report_a.pk]),
        entry_post(customer_a, needs_escalation="on", **empty),
    )
    html = response.content.decode()
    assert "请至少填写一项" in html
    assert "请说明需要上报的原因" in html
    assert not DailyReportEntry.objects.exists()


def test_a_flagged_entry_keeps_its_reason(staff_a, report_a, customer_a):
    entry = make_entry(
        report_a, customer_a, needs_escalation=True, escalation_reason="竞争对手低价抢客户"
    )
    assert DailyReportEntry.objects.flagged().get() == entry
    assert entry.escalation_reason == "竞争对手低价抢客户"


# --- submit, return, resubmit, read-only ---------------------------------------


def test_submitting_moves_the_report_to_submitted_with_a_history_row(
    client, staff_a, report_a, customer_a
):
    make_entry(report_a, customer_a)
    client.force_login(staff_a)
    client.post(reverse("visits:report_submit", args=[report_a.pk]), {"note": ""})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.SUBMITTED
    assert report_a.submitted_at is not None
    assert list(report_a.events.values_list("kind", flat=True)) == ["submitted"]


def test_an_empty_day_needs_remarks_to_be_submitted(client, staff_a, report_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("visits:report_submit", args=[report_a.pk]), {"note": ""}, follow=True
    )
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.DRAFT
    assert "没有客户联系" in response.content.decode()
    client.post(reverse("visits:report_submit", args=[report_a.pk]), {"note": "全天内部培训"})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.SUBMITTED
    assert report_a.note == "全天内部培训"


def test_a_returned_report_shows_the_comment_and_can_be_corrected_and_resubmitted(
    client, staff_a, supervisor_a, report_a, customer_a
):
    entry = make_entry(report_a, customer_a)
    services.daily_report_submit(report=report_a, actor=staff_a)
    services.daily_report_return(report=report_a, actor=supervisor_a, comment="请补充竞品报价")
    client.force_login(staff_a)
    html = client.get(report_a.get_absolute_url()).content.decode()
    assert "请补充竞品报价" in html
    data = entry_post(customer_a, market="竞品报价每吨低50元", form_token=str(entry.form_token))
    client.post(reverse("visits:entry_edit", args=[report_a.pk, entry.pk]), data)
    client.post(reverse("visits:report_submit", args=[report_a.pk]), {"note": ""})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.SUBMITTED
    assert DailyReportEntry.objects.get().market == "竞品报价每吨低50元"
    kinds = list(report_a.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "returned", "resubmitted"]


def test_a_reviewed_report_is_read_only(client, staff_a, supervisor_a, report_a, customer_a):
    entry = make_entry(report_a, customer_a)
    services.daily_report_submit(report=report_a, actor=staff_a)
    services.daily_report_review(report=report_a, actor=supervisor_a)
    client.force_login(staff_a)
    html = client.get(report_a.get_absolute_url()).content.decode()
    assert reverse("visits:entry_edit", args=[report_a.pk, entry.pk]) not in html
    data = entry_post(customer_a, effect="改过了", form_token=str(entry.form_token))
    client.post(reverse("visits:entry_edit", args=[report_a.pk, entry.pk]), data)
    client.post(reverse("visits:entry_delete", args=[report_a.pk, entry.pk]))
    client.post(reverse("visits:entry_new", args=[report_a.pk]), entry_post(customer_a))
    entry.refresh_from_db()
    assert entry.effect == "客户满意"
    assert DailyReportEntry.objects.count() == Visit.objects.count() == 1


def test_a_submitted_report_cannot_be_changed_until_it_is_returned(staff_a, report_a, customer_a):
    entry = make_entry(report_a, customer_a)
    services.daily_report_submit(report=report_a, actor=staff_a)
    with pytest.raises(services.ValidationError):
        services.daily_report_entry_delete(entry=entry, actor=staff_a)


def test_report_list_shows_own_reports_with_entry_counts(client, staff_a, customer_a, customer_d):
    old = make_daily_report(staff_a, timezone.localdate() - timedelta(days=1))
    make_entry(old, customer_a)
    make_entry(old, customer_d)
    client.force_login(staff_a)
    html = client.get(reverse("visits:report_list")).content.decode()
    assert old.get_absolute_url() in html
    assert "2 条记录" in html


def test_report_list_filters_by_status_and_date(client, staff_a):
    today = timezone.localdate()
    draft = make_daily_report(staff_a, today)
    reviewed = make_daily_report(staff_a, today - timedelta(days=3), status="reviewed")
    client.force_login(staff_a)
    html = client.get(reverse("visits:report_list"), {"status": "reviewed"}).content.decode()
    assert reviewed.get_absolute_url() in html and draft.get_absolute_url() not in html
    since = (today - timedelta(days=1)).isoformat()
    html = client.get(reverse("visits:report_list"), {"date_from": since}).content.decode()
    assert draft.get_absolute_url() in html and reviewed.get_absolute_url() not in html


@pytest.mark.usefixtures("report_a_submitted")
def test_report_history_names_who_did_what(supervisor_a, report_a):
    services.daily_report_review(report=report_a, actor=supervisor_a, comment="好")
    events = list(report_a.events.values_list("kind", "actor__username"))
    assert events == [("submitted", "staff_a"), ("reviewed", "supervisor_a")]
    assert DailyReportEvent.objects.filter(report=report_a, comment="好").exists()
