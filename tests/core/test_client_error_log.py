"""Every 4xx answer is logged with the user and our request id, and a user
probing object addresses (many 404s) is audited and reported to the admins."""

import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from crm_site.core.models import AuditLog, Notification
from crm_site.core.services import not_found_probe_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_probe_count(staff_a):
    cache.delete(not_found_probe_key(staff_a.pk))
    yield
    cache.delete(not_found_probe_key(staff_a.pk))


def _client_error_lines(caplog):
    return [r for r in caplog.records if r.name == "crm_site.requests"]


def test_a_404_is_logged_with_the_user_and_our_request_id(client, staff_a, caplog):
    client.force_login(staff_a)
    with caplog.at_level(logging.INFO, logger="crm_site.requests"):
        response = client.get(reverse("customers:detail", args=[999999]))
    assert response.status_code == 404
    (line,) = _client_error_lines(caplog)
    assert line.status_code == 404
    assert line.user_id == str(staff_a.pk)
    assert line.request_id == response["X-Request-ID"]
    assert line.path == "/customers/999999/"


def test_a_403_and_a_405_are_logged_too(client, staff_a, caplog):
    client.force_login(staff_a)
    with caplog.at_level(logging.INFO, logger="crm_site.requests"):
        assert client.get(reverse("customers:grading")).status_code == 403
        assert client.get(reverse("core:notification_read_all")).status_code == 405
    assert [line.status_code for line in _client_error_lines(caplog)] == [403, 405]
    assert all(line.user_id == str(staff_a.pk) for line in _client_error_lines(caplog))


def test_a_client_sent_request_id_is_logged_apart_from_ours(client, staff_a, caplog):
    client.force_login(staff_a)
    with caplog.at_level(logging.INFO, logger="crm_site.requests"):
        response = client.get("/customers/999999/", HTTP_X_REQUEST_ID="phone-app-0001")
    (line,) = _client_error_lines(caplog)
    assert line.client_request_id == "phone-app-0001"
    assert line.request_id == response["X-Request-ID"] != "phone-app-0001"


def test_successful_answers_are_not_logged_as_client_errors(client, staff_a, caplog):
    client.force_login(staff_a)
    with caplog.at_level(logging.INFO, logger="crm_site.requests"):
        assert client.get("/").status_code == 200
    assert _client_error_lines(caplog) == []


def test_more_than_fifty_404s_on_objects_are_audited_and_reported_to_admins_once(
    client, staff_a, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.email = "admin@example.com"
    admin_user.save()
    client.force_login(staff_a)
    for n in range(50):
        assert client.get(f"/customers/{900000 + n}/").status_code == 404
    assert not AuditLog.objects.filter(action="security.not_found_probe").exists()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(50, 70):
            client.get(f"/complaints/{900000 + n}/")
    (row,) = AuditLog.objects.filter(action="security.not_found_probe")
    assert row.actor == staff_a
    assert row.data["not_found"] == 51
    (note,) = Notification.objects.filter(kind="security.not_found_probe")
    assert note.recipient == admin_user
    assert [message.to for message in mail.outbox] == [["admin@example.com"]]


def test_a_superuser_outside_the_admin_group_is_told_of_a_probe_too(client, staff_a):
    from crm_site.accounts.models import User

    root = User.objects.create_superuser("root_only", "root@example.com", "x")
    client.force_login(staff_a)
    for n in range(51):
        client.get(f"/customers/{900000 + n}/")
    assert Notification.objects.filter(kind="security.not_found_probe", recipient=root).exists()


def test_404s_on_addresses_without_an_object_are_not_counted(client, staff_a):
    client.force_login(staff_a)
    for n in range(60):
        client.get(f"/no-such-page-{n}/")
    assert not AuditLog.objects.filter(action="security.not_found_probe").exists()


def test_with_the_cache_down_a_404_is_still_a_404(client, staff_a, monkeypatch):
    from django.core.cache import cache as the_cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(the_cache, "add", down)
    client.force_login(staff_a)
    assert client.get("/customers/999999/").status_code == 404
