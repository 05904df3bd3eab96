"""Nothing typed is lost: errors re-show input, drafts autosave, double posts act once."""

import uuid

import pytest
from django.urls import reverse

from customers.fields import customer_label
from tests.factories import make_entry
from visits import services
from visits.models import DailyReport, DailyReportEntry, DailyReportEvent, EntryDraft, Visit

pytestmark = pytest.mark.django_db


def typed(customer, **overrides):
    return {
        "customer": customer_label(customer),
        "kind": "call",
        "time": "",  # the mistake: no time
        "opinions": "客户希望旺季前锁定运力",
        "market": "同行推出仓配一体化套餐",
        "effect": "客户同意月底前确认报价",
        "handling": "已提交理赔资料",
        "other": "联系人变更为王经理",
        "needs_escalation": "on",
        "escalation_reason": "竞争对手报价低于成本",
        "form_token": str(uuid.uuid4()),
    } | overrides


def test_a_validation_error_re_shows_everything_that_was_typed(
    client, staff_a, report_a, customer_a
):
    client.force_login(staff_a)
    data = typed(customer_a)
    response = client.post(reverse("visits:entry_new", args=[report_a.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    for value in (
        customer_label(customer_a),
        "客户希望旺季前锁定运力",
        "同行推出仓配一体化套餐",
        "客户同意月底前确认报价",
        "已提交理赔资料",
        "联系人变更为王经理",
        "竞争对手报价低于成本",
        data["form_token"],
    ):
        assert value in html
    assert 'value="call" autocomplete="off" checked' in html
    assert 'name="needs_escalation"' in html and "checked" in html
    assert "这个字段是必填项" in html
    assert not Visit.objects.exists()


def test_a_double_clicked_save_creates_one_entry_and_one_visit(
    client, staff_a, report_a, customer_a
):
    client.force_login(staff_a)
    data = typed(customer_a, time="00:05")
    url = reverse("visits:entry_new", args=[report_a.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert DailyReportEntry.objects.count() == 1
    assert Visit.objects.count() == 1


def test_the_service_returns_the_first_entry_for_a_resent_token(staff_a, report_a, customer_a):
    entry = make_entry(report_a, customer_a)
    content = services.EntryContent(
        customer=customer_a, kind=entry.kind, occurred_at=entry.occurred_at, effect="重发"
    )
    again, created = services.daily_report_entry_create(
        report=report_a, actor=staff_a, content=content, form_token=entry.form_token
    )
    assert (again, created) == (entry, False)


def test_a_double_clicked_submit_changes_the_status_once(client, staff_a, report_a, customer_a):
    make_entry(report_a, customer_a)
    client.force_login(staff_a)
    url = reverse("visits:report_submit", args=[report_a.pk])
    client.post(url, {"note": ""})
    response = client.post(url, {"note": ""}, follow=True)
    assert "已提交过" in response.content.decode()
    assert DailyReportEvent.objects.filter(report=report_a, kind="submitted").count() == 1


@pytest.mark.usefixtures("report_a_submitted")
def test_a_double_clicked_review_records_one_review(client, supervisor_a, report_a):
    client.force_login(supervisor_a)
    url = reverse("visits:report_review", args=[report_a.pk])
    client.post(url, {"action": "review", "comment": "好"})
    client.post(url, {"action": "return", "comment": "晚到的第二次点击"})
    report_a.refresh_from_db()
    assert report_a.status == DailyReport.Status.REVIEWED
    assert list(report_a.events.values_list("kind", flat=True)) == ["submitted", "reviewed"]


def test_an_autosaved_draft_survives_a_closed_tab_and_an_expired_session(
    client, staff_a, report_a, customer_a
):
    client.force_login(staff_a)
    data = typed(customer_a, time="14:20")
    response = client.post(reverse("visits:entry_draft", args=[report_a.pk]), data)
    assert response.json()["saved"] is True
    client.logout()  # the session expires, the tab is closed
    assert client.get(reverse("visits:entry_new", args=[report_a.pk])).status_code == 302
    client.force_login(staff_a)
    html = client.get(reverse("visits:entry_new", args=[report_a.pk])).content.decode()
    assert "恢复" in html  # "restored what you typed"
    for value in ("客户希望旺季前锁定运力", "联系人变更为王经理", "竞争对手报价低于成本", "14:20"):
        assert value in html
    assert customer_label(customer_a) in html


def test_saving_the_entry_clears_its_draft_and_a_late_autosave_does_not_bring_it_back(
    client, staff_a, report_a, customer_a
):
    client.force_login(staff_a)
    data = typed(customer_a, time="00:12")
    client.post(reverse("visits:entry_draft", args=[report_a.pk]), data)
    client.post(reverse("visits:entry_new", args=[report_a.pk]), data)
    assert not EntryDraft.objects.exists()
    late = client.post(reverse("visits:entry_draft", args=[report_a.pk]), data)
    assert late.json()["saved"] is False
    assert not EntryDraft.objects.exists()
    html = client.get(reverse("visits:entry_new", args=[report_a.pk])).content.decode()
    assert "客户希望旺季前锁定运力" not in html


def test_an_edit_in_progress_is_kept_as_a_draft_of_that_entry(
    client, staff_a, report_a, customer_a
):
    entry = make_entry(report_a, customer_a, effect="原来的效果")
    client.force_login(staff_a)
    data = typed(customer_a, time="10:00", effect="改到一半的效果", entry=str(entry.pk))
    client.post(reverse("visits:entry_draft", args=[report_a.pk]), data)
    html = client.get(reverse("visits:entry_edit", args=[report_a.pk, entry.pk])).content.decode()
    assert "改到一半的效果" in html
    entry.refresh_from_db()
    assert entry.effect == "原来的效果"  # a draft is not a save


def test_the_days_remarks_autosave(client, staff_a, report_a):
    client.force_login(staff_a)
    client.post(reverse("visits:report_note", args=[report_a.pk]), {"note": "下午在公司开会"})
    report_a.refresh_from_db()
    assert report_a.note == "下午在公司开会"


def test_nobody_else_can_autosave_into_a_report(client, staff_a2, staff_a, report_a, customer_a):
    client.force_login(staff_a2)
    response = client.post(reverse("visits:entry_draft", args=[report_a.pk]), typed(customer_a))
    assert response.status_code == 404
    assert not EntryDraft.objects.exists()
