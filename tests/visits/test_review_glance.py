"""Review at a glance: whole entries in the queue, per-entry "needs changes"
marks, a resubmission marked with the earlier return and its changes, and
"review and open the next"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.core.models import Notification
from tests.factories import make_customer, make_daily_report, make_entry
from visits import services
from visits.models import DailyReport, EntryFlag
from visits.services import EntryContent

pytestmark = pytest.mark.django_db

FULL = {
    "opinions": "希望增加夜间提货",
    "market": "对手整车线路降价8%",
    "effect": "客户愿意试用新线路",
    "handling": "已报价并约定下周回复",
    "other": "客户仓库搬迁",
}


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def full_report(day, unit_a, staff_a):
    report = make_daily_report(staff_a, day)
    make_entry(
        report, make_customer(unit_a, name="华东制造", visiting_person=staff_a), at="09:00", **FULL
    )
    make_entry(report, make_customer(unit_a, name="苏州电子", visiting_person=staff_a), at="10:00")
    services.daily_report_submit(report=report, actor=staff_a)
    return report


def queue_reports(client):
    response = client.get(reverse("visits:review"))
    return response, list(response.context["page_obj"].object_list)


def flag_url(report, entry):
    return reverse("visits:entry_flag", args=[report.pk, entry.pk])


def test_the_queue_shows_every_field_of_every_entry_expandable(client, supervisor_a, full_report):
    client.force_login(supervisor_a)
    response, _reports = queue_reports(client)
    page = response.content.decode()
    for text in FULL.values():
        assert text in page
    assert page.count('<details class="review-entry"') == 2
    assert "华东制造" in page and "苏州电子" in page


def test_a_supervisor_marks_one_entry_and_the_staff_member_sees_it_until_resubmitting(
    client, supervisor_a, staff_a, full_report
):
    first, second = full_report.entries.order_by("occurred_at")
    client.force_login(supervisor_a)
    queue = reverse("visits:review")
    response = client.post(
        flag_url(full_report, first), {"flag_comment": "写明报价金额", "next": queue}
    )
    assert response.status_code == 302 and response["Location"] == queue
    _response, [report] = queue_reports(client)
    assert [len(e.open_flags) for e in report.entry_list] == [1, 0]
    assert "写明报价金额" in _response.content.decode()
    client.post(
        reverse("visits:report_review", args=[full_report.pk]),
        {"action": "return", "comment": "请按标注修改"},
    )

    client.force_login(staff_a)
    page = client.get(full_report.get_absolute_url()).content.decode()
    assert 'entry-flag" role="note"' in page and "需修改" in page and "写明报价金额" in page

    content = EntryContent(
        customer=first.customer,
        kind=first.kind,
        occurred_at=first.occurred_at,
        **(FULL | {"handling": "已报价每吨120元，下周回复"}),
    )
    services.daily_report_entry_update(entry=first, actor=staff_a, content=content)
    assert services.daily_report_submit(report=full_report, actor=staff_a)
    assert EntryFlag.objects.open().count() == 0
    # Resolved: off the entry (the timeline keeps it).
    page = client.get(full_report.get_absolute_url()).content.decode()
    assert 'entry-flag" role="note"' not in page


def test_a_resubmission_shows_the_return_comment_and_the_changed_fields(
    client, supervisor_a, staff_a, full_report
):
    first, second = full_report.entries.order_by("occurred_at")
    services.daily_report_return(report=full_report, actor=supervisor_a, comment="请补充处理结果")
    content = EntryContent(
        customer=second.customer,
        kind=second.kind,
        occurred_at=second.occurred_at,
        effect="客户满意",
        handling="已安排专车",
    )
    services.daily_report_entry_update(entry=second, actor=staff_a, content=content)
    services.daily_report_submit(report=full_report, actor=staff_a)

    client.force_login(supervisor_a)
    response, [report] = queue_reports(client)
    page = response.content.decode()
    assert "重新提交" in page and "请补充处理结果" in page
    assert [e.changed_fields for e in report.entry_list] == [[], ["handling"]]
    assert page.count("field-changed") == 1
    detail = client.get(full_report.get_absolute_url())
    assert "请补充处理结果" in detail.content.decode()
    assert [e.changed_fields for e in detail.context["entries"]] == [[], ["handling"]]
    # The supervisor was told of the resubmission.
    bodies = Notification.objects.filter(recipient=supervisor_a, kind="handoff")
    assert [n.body for n in bodies] == ["审阅日报表", "审阅日报表"]


def test_a_first_submission_is_not_marked_as_resubmitted(client, supervisor_a, full_report):
    client.force_login(supervisor_a)
    response, [report] = queue_reports(client)
    assert report.resubmission is None
    assert "resubmission-notice" not in response.content.decode()


def test_review_and_open_the_next_goes_to_the_next_report_then_back_to_the_queue(
    client, unit_a, supervisor_a, staff_a, staff_a2, full_report, day
):
    other = make_daily_report(staff_a2, day - timedelta(days=1))
    make_entry(other, make_customer(unit_a, visiting_person=staff_a2), at="09:00")
    services.daily_report_submit(report=other, actor=staff_a2)
    client.force_login(supervisor_a)
    first = client.post(
        reverse("visits:report_review", args=[other.pk]), {"action": "review_next", "comment": ""}
    )
    assert first["Location"] == full_report.get_absolute_url()
    last = client.post(
        reverse("visits:report_review", args=[full_report.pk]),
        {"action": "review_next", "comment": ""},
    )
    assert last["Location"] == reverse("visits:review")
    assert set(DailyReport.objects.values_list("status", flat=True)) == {"reviewed"}


def test_only_a_reviewer_in_scope_marks_entries_of_a_report_under_review(
    client, staff_a, staff_a2, supervisor_b, supervisor_a, full_report
):
    entry = full_report.entries.first()
    url = flag_url(full_report, entry)
    client.force_login(staff_a)
    assert client.post(url, {"flag_comment": "x"}).status_code == 403
    client.force_login(supervisor_b)
    assert client.post(url, {"flag_comment": "x"}).status_code == 404
    services.daily_report_review(report=full_report, actor=supervisor_a)
    client.force_login(supervisor_a)
    response = client.post(url, {"flag_comment": "x"}, follow=True)
    assert "只有待审阅日报表的记录可以标注" in response.content.decode()
    assert not EntryFlag.objects.exists()


def test_an_empty_comment_takes_the_mark_off(client, supervisor_a, full_report):
    entry = full_report.entries.first()
    client.force_login(supervisor_a)
    client.post(flag_url(full_report, entry), {"flag_comment": "补充"})
    assert EntryFlag.objects.open().count() == 1
    client.post(flag_url(full_report, entry), {"flag_comment": ""})
    assert not EntryFlag.objects.exists()
