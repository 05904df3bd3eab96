"""Audit log of security events (append-only on PostgreSQL) and structured JSON logs."""

import json
import logging

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from crm_site.accounts.services import user_set_role
from crm_site.core.models import AuditLog
from crm_site.core.services import audit
from crm_site.logs import ContextFilter, JsonFormatter
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_a_failed_sign_in_are_audited_without_the_password(client, staff_a):
    client.post(reverse("login"), {"username": "staff_a", "password": "not-my-password"})
    client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    failed = AuditLog.objects.get(action="login_failed")
    assert failed.data == {"username": "staff_a"}
    assert "not-my-password" not in json.dumps(failed.data)
    login = AuditLog.objects.get(action="login")
    assert login.actor == staff_a and login.ip_address == "127.0.0.1"


def test_behind_a_trusted_proxy_the_audit_records_the_forwarded_client_address(
    client, staff_a, settings
):
    settings.CRM_TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": "staff_a", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    assert AuditLog.objects.get(action="login").ip_address == "203.0.113.7"


def test_a_role_change_made_by_an_admin_is_audited_with_the_admin(client, admin_user, staff_a):
    from crm_site.logs import current_user_var

    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    token = current_user_var.set(admin_user)
    try:
        user_set_role(user=staff_a, role="supervisor")
    finally:
        current_user_var.reset(token)
    rows = AuditLog.objects.filter(action="role_changed", object_id=str(staff_a.pk), pk__gt=before)
    assert {(r.data["change"], tuple(r.data["groups"])) for r in rows} == {
        ("remove", ("staff",)),
        ("add", ("supervisor",)),
    }
    assert {r.actor_username for r in rows} == {"admin_user"}


def test_only_admins_open_the_audit_log(client, admin_user, supervisor_a, manager_a):
    audit(actor=admin_user, action="export", summary="customers.xlsx", data={"rows": 3})
    client.force_login(supervisor_a)
    assert client.get(reverse("audit_log")).status_code == 403
    client.force_login(manager_a)
    assert client.get(reverse("audit_log")).status_code == 403
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"action": "export"})
    assert response.status_code == 200
    assert "customers.xlsx" in response.content.decode()


def test_audit_log_filters_by_action(client, admin_user):
    audit(actor=admin_user, action="export", summary="一份导出")
    audit(actor=admin_user, action="import", summary="一次导入")
    client.force_login(admin_user)
    html = client.get(reverse("audit_log"), {"action": "import"}).content.decode()
    assert "一次导入" in html and "一份导出" not in html


@pytest.mark.services
def test_the_database_refuses_to_change_or_delete_audit_rows(postgres_required, admin_user):
    entry = audit(actor=admin_user, action="export", summary="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(summary="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).delete()
    assert AuditLog.objects.get(pk=entry.pk).summary == "x"


def test_every_response_carries_our_request_id_never_the_clients(client, staff_a):
    client.force_login(staff_a)
    generated = client.get("/")["X-Request-ID"]
    assert len(generated) == 32
    ours = client.get("/", HTTP_X_REQUEST_ID="abc-12345-req")["X-Request-ID"]
    assert ours != "abc-12345-req" and len(ours) == 32
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_log_lines_are_json_with_request_and_user_ids():
    from crm_site.logs import request_id_var, user_id_var

    record = logging.makeLogRecord(
        {"name": "crm", "levelname": "INFO", "msg": "saved %s", "args": (7,)}
    )
    r_token, u_token = request_id_var.set("req-0001"), user_id_var.set("42")
    try:
        ContextFilter().filter(record)
    finally:
        request_id_var.reset(r_token)
        user_id_var.reset(u_token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "saved 7"
    assert line["request_id"] == "req-0001" and line["user_id"] == "42"
    assert line["level"] == "INFO"
