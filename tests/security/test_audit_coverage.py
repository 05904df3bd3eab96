"""The audit log records every security-relevant event and data change, with
what an auditor needs (who, what, filters and row counts) and no personal data.

Sign-ins, failed sign-ins and role changes: tests/core/test_audit_and_logs.py.
"""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.accounts.models import Region
from crm_site.core.models import AuditLog
from customers.models import Contact
from tests.accounts.test_two_factor import code_for
from tests.customers.conftest import workbook_bytes
from tests.customers.rules import definition, rule_post
from tests.factories import PASSWORD, make_complaint, make_contact
from tests.security.conftest import sign_in
from visits.models import DailyReportEntry

pytestmark = pytest.mark.django_db

PHONE = "13700001111"


def only(action: str) -> AuditLog:
    return AuditLog.objects.get(action=action)


def no_personal_data(entry: AuditLog, *values: str) -> bool:
    text = entry.summary + json.dumps(entry.data, ensure_ascii=False)
    return not [v for v in values if v in text]


def test_a_customer_export_is_audited_with_its_filters_and_row_count(client, world):
    make_contact(world.customer, mobile=PHONE)
    sign_in(client, world, "supervisor")
    client.get(reverse("customers:export"), {"grade": "A", "q": PHONE})
    entry = only("customers.export")
    assert entry.data["rows"] == 1 and entry.data["filters"]["grade"] == "A"
    assert no_personal_data(entry, PHONE)


def test_a_complaint_export_is_audited_with_its_filters_and_row_count_but_not_the_search(
    client, world
):
    make_complaint(world.customer, by=world.staff, contact_phone=PHONE)
    sign_in(client, world, "supervisor")
    client.get(reverse("complaints:export"), {"status": "received", "q": PHONE})
    entry = only("complaints.export")
    assert entry.data["filters"] == {"status": "received", "q": "…"}
    assert entry.data["rows"] == 1
    assert no_personal_data(entry, PHONE)


def test_an_import_is_audited_with_its_counts(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world, "supervisor")
    content = workbook_bytes([{"code": "AU-1", "name": "审计客户", "unit": world.unit_a.name}])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("customers:import"),
            {"file": SimpleUploadedFile("a.xlsx", content), "form_token": uuid.uuid4()},
        )
    record = world.upload.__class__.objects.exclude(pk=world.upload.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import_apply", args=[record.pk]))
    entry = only("customers.import")
    assert (entry.data["created"], entry.data["rows"]) == (1, 1)
    assert entry.actor == world.supervisor


def test_a_grading_rule_edit_and_a_manual_regrade_are_audited(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world, "admin")
    rule = definition(A=101)
    preview = client.post(reverse("customers:grading"), rule_post(rule, note="提高 A 级门槛"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("customers:grading"),
            rule_post(rule, action="save", note="提高 A 级门槛", digest=preview.context["digest"]),
        )
        client.post(reverse("customers:regrade_now"))
    assert only("grading_rule.save").data["version"] == 2
    assert only("customers.regrade_requested").actor == world.admin


def test_deleting_a_contact_is_audited_without_the_contacts_details(client, world):
    contact = make_contact(world.customer, name="待删联系人", mobile=PHONE)
    sign_in(client, world, "staff")
    client.post(reverse("customers:contact_delete", args=[world.customer.pk, contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()
    entry = only("customers.contact_delete")
    assert (entry.object_type, entry.object_id) == ("customers.contact", str(contact.pk))
    assert entry.data == {"customer": world.customer.pk}
    assert no_personal_data(entry, "待删联系人", PHONE)


def test_deleting_a_daily_report_entry_is_audited(client, world):
    sign_in(client, world, "staff")
    entry_id, visit_id = world.entry.pk, world.entry.visit_id
    client.post(reverse("visits:entry_delete", args=[world.report.pk, entry_id]))
    assert not DailyReportEntry.objects.filter(pk=entry_id).exists()
    entry = only("visits.entry_delete")
    assert (entry.object_type, entry.object_id) == ("visits.dailyreportentry", str(entry_id))
    assert entry.data == {
        "report": world.report.pk,
        "customer": world.customer.pk,
        "visit": visit_id,
    }


def test_changes_and_deletions_in_the_admin_site_are_audited(client, world):
    region = Region.objects.create(code="AUD", name="审计地区")
    sign_in(client, world, "admin")
    url = reverse("admin:accounts_region_change", args=[region.pk])
    response = client.post(url, {"code": "AUD", "name": "改名地区", "salespeople": []})
    assert response.status_code == 302
    response = client.post(
        reverse("admin:accounts_region_delete", args=[region.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not Region.objects.filter(pk=region.pk).exists()
    change, deletion = only("admin.change"), only("admin.deletion")
    # No bulk "delete selected" (it would log without a signal, so without an audit row).
    listing = client.get(reverse("admin:accounts_region_changelist")).content.decode()
    assert "delete_selected" not in listing
    assert (deletion.object_type, deletion.object_id) == ("accounts.region", str(region.pk))
    assert change.actor == deletion.actor == world.admin
    assert no_personal_data(deletion, "审计地区", "改名地区")


def test_a_password_change_is_audited_without_the_password(client, world):
    sign_in(client, world, "staff")
    new = "Qw9!zx-new-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    entry = only("password_changed")
    assert entry.actor == world.staff
    assert no_personal_data(entry, new, PASSWORD)


def test_two_factor_changes_and_wrong_codes_are_audited(client, world):
    sign_in(client, world, "staff")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=world.staff, confirmed=False)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    client.post(reverse("two_factor_codes"))
    client.post(reverse("two_factor_disable"), {"code": code_for(device, offset=1)})
    actions = set(AuditLog.objects.filter(actor=world.staff).values_list("action", flat=True))
    assert {"two_factor.enabled", "two_factor.codes_regenerated", "two_factor.disabled"} <= actions

    # A wrong code at sign-in is recorded (throttling is django-otp's).
    TOTPDevice.objects.create(user=world.supervisor, name="phone", confirmed=True)
    client.logout()
    client.post(reverse("login"), {"username": "supervisor_a", "password": PASSWORD})
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert AuditLog.objects.filter(action="two_factor.failed", actor=world.supervisor).exists()


def test_the_audit_log_page_names_the_actions_in_chinese(client, world):
    sign_in(client, world, "staff")
    client.post(reverse("visits:entry_delete", args=[world.report.pk, world.entry.pk]))
    sign_in(client, world, "admin")
    html = client.get(reverse("audit_log"), {"action": "visits.entry_delete"}).content.decode()
    assert "删除日报表条目" in html
