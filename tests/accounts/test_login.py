"""Signing in and out, in Chinese by default, with lockout after repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert '<html lang="zh-hans">' in html


def test_staff_signs_in_and_lands_on_their_home(client, staff_a):
    response = post_login(client, "staff_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "张三" in home.content.decode()


def test_wrong_password_shows_a_chinese_error(client, staff_a):
    response = post_login(client, "staff_a", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_sign_out_ends_the_session(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_account_is_locked_after_ten_failed_attempts_with_a_clear_message(client, staff_a):
    for _ in range(9):
        assert post_login(client, "staff_a", "nope").status_code == 200
    locked = post_login(client, "staff_a", "nope")
    assert locked.status_code == 429
    assert "账户已被锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    again = post_login(client, "staff_a", PASSWORD)
    assert again.status_code == 429


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, staff_a, staff_a2):
    for _ in range(10):
        post_login(client, "staff_a", "nope")
    assert post_login(client, "staff_a2", PASSWORD).status_code == 302


def test_an_admin_unlocks_a_locked_account(client, staff_a, admin_user):
    for _ in range(10):
        post_login(client, "staff_a", "nope")
    admin_client = client.__class__()
    admin_client.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="staff_a")
    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert post_login(client, "staff_a", PASSWORD).status_code == 302


def test_password_change_page_is_in_chinese(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "修改密码" in response.content.decode()


def test_user_changes_password_and_signs_in_with_the_new_one(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Qx7-new-secret-2026",
            "new_password2": "Qx7-new-secret-2026",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert post_login(client, "staff_a", "Qx7-new-secret-2026").status_code == 302


def post_login_from(client, address, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(client, staff_a):
    for _ in range(10):
        post_login_from(client, "203.0.113.7", "staff_a", "nope")
    assert post_login_from(client, "203.0.113.7", "staff_a", PASSWORD).status_code == 429
    assert post_login_from(client, "198.51.100.20", "staff_a", PASSWORD).status_code == 302


def test_an_address_spraying_passwords_across_usernames_is_throttled(client, staff_a):
    for n in range(50):
        post_login_from(client, "203.0.113.9", f"user{n}", "Spring2026!")
    # The 51st account, with its right password, is refused from that address...
    assert post_login_from(client, "203.0.113.9", "staff_a", PASSWORD).status_code == 429
    # ...and signs in from any other.
    assert post_login_from(client, "198.51.100.20", "staff_a", PASSWORD).status_code == 302


def test_a_depot_behind_one_address_is_not_throttled_below_the_address_limit(
    client, staff_a, staff_a2
):
    for n in range(49):
        post_login_from(client, "203.0.113.9", f"user{n}", "typo")
    assert post_login_from(client, "203.0.113.9", "staff_a", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    # A colleague signing in does not wipe the address's count for a sprayer.
    post_login_from(client, "203.0.113.9", "user49", "typo")
    assert post_login_from(client, "203.0.113.9", "staff_a2", PASSWORD).status_code == 429


def test_the_lockout_page_is_the_same_for_an_existing_and_an_unknown_user(client, staff_a):
    for _ in range(10):
        post_login_from(client, "203.0.113.7", "staff_a", "nope")
        post_login_from(client, "203.0.113.7", "nobody_here", "nope")
    existing = post_login_from(client, "203.0.113.7", "staff_a", "nope")
    unknown = post_login_from(client, "203.0.113.7", "nobody_here", "nope")
    assert existing.status_code == unknown.status_code == 429
    assert existing.content == unknown.content


def test_an_admin_unlocks_an_address_throttled_for_spraying(client, staff_a, admin_user):
    for n in range(50):
        post_login_from(client, "203.0.113.9", f"user{n}", "nope")
    admin_client = client.__class__()
    admin_client.force_login(admin_user)
    for attempt in AccessAttempt.objects.filter(ip_address="203.0.113.9"):
        admin_client.post(
            reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
        )
    assert post_login_from(client, "203.0.113.9", "staff_a", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_one_counted(
    client, staff_a, settings
):
    settings.CRM_TRUSTED_PROXY_COUNT = 1
    for _ in range(10):
        client.post(
            reverse("login"),
            {"username": "staff_a", "password": "nope"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    ok = client.post(
        reverse("login"),
        {"username": "staff_a", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert ok.status_code == 302
