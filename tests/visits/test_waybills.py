"""Waybill numbers (运单号) on daily-report entries and urgent reports: typed or
pasted with the same field as complaints, saved with the record or not at all,
shown with links to the waybill page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from customers.models import Waybill
from tests.factories import entry_form_data, make_entry
from visits import services
from visits.models import DailyReportEntry, UrgentReport

pytestmark = pytest.mark.django_db


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


def test_an_entry_carries_its_waybills_and_the_report_links_them(
    client, staff_a, customer_a, report_a
):
    client.force_login(staff_a)
    data = entry_form_data(customer_a, effect="客户反映丢件", waybills="sf1234567890，SF1234567891")
    response = client.post(reverse("visits:entry_new", args=[report_a.pk]), data, follow=True)
    entry = DailyReportEntry.objects.get()
    assert sorted(entry.waybills.values_list("number", flat=True)) == [
        "SF1234567890",
        "SF1234567891",
    ]
    assert reverse("waybills:detail", args=["SF1234567890"]) in response.content.decode()


def test_editing_an_entry_replaces_its_waybills(client, staff_a, customer_a, report_a):
    entry = make_entry(report_a, customer_a, waybills=("SF1234567890",))
    client.force_login(staff_a)
    url = reverse("visits:entry_edit", args=[report_a.pk, entry.pk])
    form = client.get(url).context["form"]
    assert form.initial["waybills"] == "SF1234567890"
    data = entry_form_data(customer_a, effect="客户满意", waybills="YT9876543210")
    data["form_token"] = str(entry.form_token)
    client.post(url, data)
    assert list(entry.waybills.values_list("number", flat=True)) == ["YT9876543210"]


def test_a_huge_paste_on_an_entry_is_refused_and_nothing_is_saved(
    client, staff_a, customer_a, report_a
):
    client.force_login(staff_a)
    pasted = "\n".join(f"SF{n:010d}" for n in range(10_000))
    data = entry_form_data(customer_a, effect="客户反映丢件", waybills=pasted)
    response = client.post(reverse("visits:entry_new", args=[report_a.pk]), data)
    assert response.status_code == 200
    message = "This paste is too long: give at most %(limit)d waybill numbers. Nothing was saved."
    assert zh(message, limit=50) in response.content.decode()
    assert not DailyReportEntry.objects.exists() and not Waybill.objects.exists()


def test_the_draft_keeps_the_waybills_typed(staff_a, report_a):
    draft = services.entry_draft_save(
        report=report_a, actor=staff_a, data={"waybills": "SF1234567890", "effect": "x"}
    )
    assert draft.data["waybills"] == "SF1234567890"


def form_data(unit, **overrides):
    import uuid

    return {
        "unit": unit.pk,
        "category": "other",
        "title": "大客户丢件",
        "details": "客户两票货物丢失，要求赔偿。",
        "form_token": str(uuid.uuid4()),
    } | overrides


def test_an_urgent_report_carries_its_waybills_once_even_sent_twice(
    client, supervisor_a, manager_a, unit_a
):
    client.force_login(supervisor_a)
    data = form_data(unit_a, waybills="SF1234567890 SF1234567891")
    response = client.post(reverse("visits:urgent_create"), data, follow=True)
    client.post(reverse("visits:urgent_create"), data)
    report = UrgentReport.objects.get()
    assert report.waybills.count() == 2 and Waybill.objects.count() == 2
    assert reverse("waybills:detail", args=["SF1234567891"]) in response.content.decode()


def test_an_urgent_report_with_a_bad_number_is_not_raised(client, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    response = client.post(reverse("visits:urgent_create"), form_data(unit_a, waybills="SF12"))
    assert response.status_code == 200
    assert not UrgentReport.objects.exists()


def test_raising_from_an_entry_carries_its_waybills(
    client, supervisor_a, staff_a, customer_a, report_a
):
    entry = make_entry(
        report_a,
        customer_a,
        waybills=("SF1234567890",),
        needs_escalation=True,
        escalation_reason="丢件",
    )
    services.daily_report_submit(report=report_a, actor=staff_a)
    client.force_login(supervisor_a)
    page = client.get(reverse("visits:urgent_create"), {"entry": entry.pk})
    assert page.context["form"].initial["waybills"] == "SF1234567890"
