"""The printable complaint record (客户投诉记录表) and the notice letter to the customer."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(customer_a, staff_a, supervisor_a):
    c = f.make_complaint(customer_a, by=staff_a, complainant="周女士", content="货物外箱破损。")
    services.complaint_start_investigation(complaint=c, actor=staff_a)
    services.complaint_propose(
        complaint=c,
        actor=supervisor_a,
        cause="装车时堆码过高。",
        responsible_department="仓储部",
        solution="赔偿破损货物并加固包装。",
    )
    return services.complaint_resolve(complaint=c, actor=supervisor_a)


def test_the_complaint_record_prints_the_form_fields_and_the_history(client, resolved, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("complaints:print", args=[resolved.pk])).content.decode()
    for text in (
        "客户投诉记录表",
        resolved.number,
        "周女士",
        "货物外箱破损",
        "仓储部",
        "装车时堆码过高",
        "处理记录",
        "受理人（签字）",
    ):
        assert text in html
    assert "complaints-print.css" in html
    assert "app-navbar" not in html


def test_the_notice_letter_tells_the_customer_the_cause_and_the_outcome(client, resolved, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("complaints:notice", args=[resolved.pk])).content.decode()
    assert "客户投诉处理结果通知书" in html
    assert resolved.customer.name in html and "周女士" in html
    assert "装车时堆码过高" in html and "赔偿破损货物并加固包装" in html
    assert resolved.unit.name in html


def test_the_notice_letter_waits_until_the_complaint_is_resolved(client, complaint_a, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("complaints:notice", args=[complaint_a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[complaint_a.pk])
    assert "投诉解决后才能打印处理结果通知书" in response.content.decode()


def test_the_detail_page_links_the_notice_only_once_resolved(
    client, complaint_a, resolved, staff_a
):
    client.force_login(staff_a)
    assert (
        reverse("complaints:notice", args=[complaint_a.pk])
        not in client.get(reverse("complaints:detail", args=[complaint_a.pk])).content.decode()
    )
    assert (
        reverse("complaints:notice", args=[resolved.pk])
        in client.get(reverse("complaints:detail", args=[resolved.pk])).content.decode()
    )


def test_the_notice_is_recorded_with_its_date_and_means(client, resolved, staff_a):
    client.force_login(staff_a)
    today = timezone.localdate()
    client.post(
        reverse("complaints:action", args=[resolved.pk, "notify"]),
        {"notify-notified_on": today.isoformat(), "notify-means": "fax"},
    )
    resolved.refresh_from_db()
    assert (resolved.status, resolved.notified_on, resolved.notice_means) == (
        "notified",
        today,
        "fax",
    )
    html = client.get(reverse("complaints:detail", args=[resolved.pk])).content.decode()
    assert "传真" in html


def test_a_notice_by_phone_is_not_called_a_written_one(client, resolved, staff_a):
    client.force_login(staff_a)
    client.post(
        reverse("complaints:action", args=[resolved.pk, "notify"]),
        {"notify-notified_on": timezone.localdate().isoformat(), "notify-means": "phone"},
    )
    for name in ("complaints:detail", "complaints:print"):
        html = client.get(reverse(name, args=[resolved.pk])).content.decode()
        assert "通知客户" in html and "电话" in html, name
        assert "书面通知" not in html, name


def test_a_return_visit_before_the_notice_is_refused_without_asking_for_a_letter(resolved, staff_a):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.complaint_return_visit(complaint=resolved, actor=staff_a, satisfied=True)
    assert [str(m) for m in refused.value.messages] == [
        "该投诉当前状态为“已解决”。通知客户后才能登记回访结果。"
    ]


def test_date_pickers_get_iso_dates_the_browser_understands(client, resolved, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("complaints:detail", args=[resolved.pk])).content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="notify-notified_on" value="{today}"' in html
