"""Raising an urgent report: directly, or from a flagged daily-report entry."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer, make_entry
from visits import services
from visits.models import UrgentReport, UrgentReportEvent

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def form_data(unit, **overrides):
    import uuid

    return {
        "unit": unit.pk,
        "category": "competitor_policy",
        "title": "竞争对手降价",
        "details": "竞争对手对整车线路降价约8%，客户要求两周内回应。",
        "proposal": "建议对主要线路给予阶段性优惠。",
        "form_token": str(uuid.uuid4()),
    } | overrides


@pytest.fixture
def flagged_entry(staff_a, customer_a, report_a):
    entry = make_entry(
        report_a,
        customer_a,
        opinions="希望我司提前锁定旺季运力",
        market="竞争对手报出低于成本的价格",
        needs_escalation=True,
        escalation_reason="对手报价明显低于成本，需经理决定应对策略",
    )
    services.daily_report_submit(report=report_a, actor=staff_a)
    return entry


def test_a_supervisor_raises_a_report_that_is_routed_to_the_units_manager(
    client, supervisor_a, manager_a, unit_a, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visits:urgent_create"), form_data(unit_a))
    report = UrgentReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert (report.raised_by, report.unit, report.status) == (supervisor_a, unit_a, "routed")
    assert report.assignee == manager_a
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == ["raised", "routed"]


def test_the_request_only_records_the_report_as_pending_routing_is_sent_after_commit(
    client, supervisor_a, manager_a, unit_a
):
    # No on-commit callbacks run here: the request itself routes nothing.
    client.force_login(supervisor_a)
    client.post(reverse("visits:urgent_create"), form_data(unit_a))
    report = UrgentReport.objects.get()
    assert report.status == "pending" and report.assignee is None


def deadline_when_raised(client, supervisor, unit, monkeypatch, *, at):
    """Raise an urgent report as `supervisor` at the moment `at`: its acknowledgement deadline."""
    monkeypatch.setattr(timezone, "now", lambda: at)
    client.force_login(supervisor)
    client.post(reverse("visits:urgent_create"), form_data(unit))
    return timezone.localtime(UrgentReport.objects.get().ack_deadline, SH)


def test_the_deadline_is_four_working_hours_by_default(client, supervisor_a, unit_a, monkeypatch):
    monday_morning = datetime(2026, 11, 23, 9, 30, tzinfo=SH)
    deadline = deadline_when_raised(client, supervisor_a, unit_a, monkeypatch, at=monday_morning)
    assert deadline == datetime(2026, 11, 23, 13, 30, tzinfo=SH)


def test_the_deadline_follows_the_setting(client, supervisor_a, unit_a, monkeypatch, settings):
    settings.URGENT_ACK_WORKING_HOURS = 10
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=SH)
    deadline = deadline_when_raised(client, supervisor_a, unit_a, monkeypatch, at=friday)
    assert deadline == datetime(2026, 11, 30, 10, 0, tzinfo=SH)


def test_a_resent_form_raises_one_report(client, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    data = form_data(unit_a)
    first = client.post(reverse("visits:urgent_create"), data)
    second = client.post(reverse("visits:urgent_create"), data, follow=True)
    assert UrgentReport.objects.count() == 1
    assert UrgentReportEvent.objects.filter(kind="raised").count() == 1
    assert second.redirect_chain[0][0] == first.url
    assert "没有重复提交" in second.content.decode()


def test_title_details_and_category_are_required_with_chinese_messages(
    client, supervisor_a, unit_a
):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("visits:urgent_create"), form_data(unit_a, title="", details="", category="")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "details", "category"}
    assert "这个字段是必填项" in response.content.decode()
    assert not UrgentReport.objects.exists()


def test_a_customer_of_another_unit_is_refused(client, supervisor_a, unit_a, unit_b, admin_user):
    other = make_customer(unit_b, name="广州客户")
    client.force_login(admin_user)
    response = client.post(reverse("visits:urgent_create"), form_data(unit_a, customer=other.code))
    assert response.status_code == 200
    assert "这个客户属于其他营业单位" in response.content.decode()
    assert not UrgentReport.objects.exists()


def test_a_supervisor_cannot_raise_for_another_unit(client, supervisor_a, unit_b):
    client.force_login(supervisor_a)
    response = client.post(reverse("visits:urgent_create"), form_data(unit_b))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not UrgentReport.objects.exists()


def test_the_raise_form_is_prefilled_from_a_flagged_entry(
    client, supervisor_a, flagged_entry, customer_a
):
    client.force_login(supervisor_a)
    url = f"{reverse('visits:urgent_create')}?entry={flagged_entry.pk}"
    response = client.get(url)
    form = response.context["form"]
    assert form.initial["customer"] == customer_a
    assert form.initial["source_entry"] == flagged_entry.pk
    assert form.initial["title"].startswith(customer_a.name)
    details = form.initial["details"]
    assert "对手报价明显低于成本" in details
    assert "希望我司提前锁定旺季运力" in details
    assert "竞争对手报出低于成本的价格" in details
    page = response.content.decode()
    assert customer_a.code in page and "对手报价明显低于成本" in page


def test_raising_from_the_entry_links_the_report_to_it(
    client, supervisor_a, unit_a, flagged_entry, customer_a
):
    client.force_login(supervisor_a)
    data = form_data(unit_a, source_entry=flagged_entry.pk, customer=customer_a.code)
    client.post(reverse("visits:urgent_create"), data)
    report = UrgentReport.objects.get()
    assert (report.source_entry, report.customer) == (flagged_entry, customer_a)
    # The entry now shows the report instead of the button.
    page = client.get(flagged_entry.report.get_absolute_url()).content.decode()
    assert f"紧急报告 #{report.pk}" in page


def test_an_entry_of_another_unit_is_404(client, supervisor_b, flagged_entry):
    client.force_login(supervisor_b)
    url = f"{reverse('visits:urgent_create')}?entry={flagged_entry.pk}"
    assert client.get(url).status_code == 404


def test_the_button_is_on_the_review_page_and_the_report_for_supervisors(
    client, supervisor_a, flagged_entry
):
    client.force_login(supervisor_a)
    button = f"{reverse('visits:urgent_create')}?entry={flagged_entry.pk}"
    assert button in client.get(reverse("visits:review")).content.decode()
    assert button in client.get(flagged_entry.report.get_absolute_url()).content.decode()


def test_staff_see_their_flag_but_no_raise_button(client, staff_a, flagged_entry):
    client.force_login(staff_a)
    page = client.get(flagged_entry.report.get_absolute_url()).content.decode()
    assert "对手报价明显低于成本" in page
    assert reverse("visits:urgent_create") not in page
