"""The interface language is remembered per user, on every browser."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def save_language(user, code):
    """The user's saved choice of language, as the language switcher leaves it."""
    user.language = code
    user.save(update_fields=["language"])


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_switching_language_is_saved_on_the_user_and_follows_them_to_another_browser(staff_a):
    office = Client()
    office.force_login(staff_a)
    response = office.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "The interface is now in English" in response.content.decode()
    staff_a.refresh_from_db()
    assert staff_a.language == "en"

    phone = Client()
    sign_in(phone, staff_a)
    html = phone.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign out" in html


def test_language_picked_on_the_sign_in_page_is_kept_for_a_user_without_a_choice(staff_a):
    assert staff_a.language == ""
    browser = Client()
    browser.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert 'lang="en"' in browser.get(reverse("login")).content.decode()
    sign_in(browser, staff_a)
    staff_a.refresh_from_db()
    assert staff_a.language == "en"


def test_a_saved_choice_wins_over_the_browser_cookie_and_resets_it(staff_a):
    save_language(staff_a, "zh-hans")
    shared_pc = Client()
    shared_pc.cookies[COOKIE] = "en"
    response = sign_in(shared_pc, staff_a)
    assert response.cookies[COOKIE].value == "zh-hans"
    html = shared_pc.get("/").content.decode()
    assert '<html lang="zh-hans">' in html and "退出" in html
    staff_a.refresh_from_db()
    assert staff_a.language == "zh-hans"


def test_after_signing_out_the_sign_in_page_stays_in_the_users_language(staff_a):
    save_language(staff_a, "en")
    browser = Client()
    sign_in(browser, staff_a)
    browser.post(reverse("logout"))
    assert '<html lang="en">' in browser.get(reverse("login")).content.decode()


def test_an_unknown_language_is_ignored(staff_a):
    browser = Client()
    browser.force_login(staff_a)
    browser.post(reverse("set_language"), {"language": "xx", "next": "/"})
    staff_a.refresh_from_db()
    assert staff_a.language == ""
    assert '<html lang="zh-hans">' in browser.get("/").content.decode()
