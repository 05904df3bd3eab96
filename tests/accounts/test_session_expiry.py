"""A form sent after the session expired: the sign-in page says why, and
signing in again opens the page that holds the form, never a 405 page.

The text itself is kept on the device (static/js/drafts.js; the browser side
is tests/e2e/test_journey_drafts.py): the server says which form it accepted
(the crm_sent cookie) so the device forgets only that copy.
"""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from crm_site.accounts.next_page import accepts_get, page_for
from tests.factories import PASSWORD, make_complaint, make_customer, make_urgent_report

pytestmark = pytest.mark.django_db

EXPIRED = "登录已过期，请重新登录，您填写的内容已保存在本设备上"


@pytest.fixture
def urgent(unit_a, supervisor_a):
    return make_urgent_report(unit_a, raised_by=supervisor_a)


def sign_in(client, username, next_url):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def test_signing_in_with_a_next_that_only_takes_post_opens_the_reports_page(
    client, supervisor_a, urgent
):
    comment_url = reverse("visits:urgent_comment", args=[urgent.pk])
    assert client.get(comment_url).status_code == 302  # signed out: to the sign-in page
    response = sign_in(client, "supervisor_a", comment_url)
    assert response.status_code == 302
    assert response["Location"] == urgent.get_absolute_url()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert urgent.title in page.content.decode()


def test_a_complaint_step_sent_after_expiry_comes_back_to_the_complaint(
    client, supervisor_a, unit_a
):
    complaint = make_complaint(make_customer(unit_a), by=supervisor_a)
    step = reverse("complaints:action", args=[complaint.pk, "resolve"])
    response = sign_in(client, "supervisor_a", step)
    assert response["Location"] == complaint.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_next_that_answers_get_is_kept_and_a_foreign_one_is_not(client, supervisor_a, urgent):
    detail = urgent.get_absolute_url() + "?tab=timeline"
    assert sign_in(client, "supervisor_a", detail)["Location"] == detail
    client.logout()
    assert sign_in(client, "supervisor_a", "https://evil.example/x")["Location"] == reverse("home")


def test_which_addresses_take_a_get(urgent):
    assert accepts_get(reverse("visits:urgent_detail", args=[urgent.pk]))
    assert not accepts_get(reverse("visits:urgent_resolve", args=[urgent.pk]))
    assert not accepts_get("/no/such/page/")
    assert accepts_get(reverse("login"))  # a class-based view with get()
    assert not accepts_get(reverse("logout"))  # Django's LogoutView: POST only
    assert page_for("/no/such/page/", fallback="/home/") == "/"


def test_a_form_sent_with_an_expired_session_lands_on_a_sign_in_page_that_says_so(
    client, supervisor_a, urgent
):
    client.cookies["sessionid"] = "a-session-the-server-no-longer-has"
    url = reverse("visits:urgent_comment", args=[urgent.pk])
    response = client.post(url, {"comment": "客户已同意下周面谈"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?")
    assert "expired=1" in response["Location"]
    page = client.get(response["Location"])
    assert EXPIRED in page.content.decode()


def test_a_plain_visit_or_a_sign_out_says_nothing_about_expiry(client, supervisor_a):
    assert EXPIRED not in client.get(reverse("login")).content.decode()
    assert EXPIRED not in client.get(reverse("home"), follow=True).content.decode()
    sign_in(client, "supervisor_a", "")
    signed_out = client.post(reverse("logout"), follow=True)
    assert EXPIRED not in signed_out.content.decode()
    assert EXPIRED not in client.get(reverse("home"), follow=True).content.decode()


def test_the_sign_in_page_says_it_when_told_and_in_english_too(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("login") + "?expired=1").content.decode()
    assert "Your session has expired, please sign in again." in html


def test_an_accepted_form_names_its_address_for_the_device_to_forget_its_copy(
    client, supervisor_a, urgent
):
    client.force_login(supervisor_a)
    url = reverse("visits:urgent_comment", args=[urgent.pk])
    refused = client.post(url, {"comment": "", "token": "6f1c3f0e-2a9d-4a43-9d3b-6a1f1e2b7c11"})
    assert refused.status_code == 400
    assert "crm_sent" not in refused.cookies
    accepted = client.post(
        url, {"comment": "客户已同意下周面谈", "token": "6f1c3f0e-2a9d-4a43-9d3b-6a1f1e2b7c11"}
    )
    assert accepted.status_code == 302
    assert unquote(accepted.cookies["crm_sent"].value) == url
    assert accepted.cookies["crm_sent"]["httponly"] == ""


def test_the_twelve_hour_cap_also_says_the_session_expired(client, supervisor_a, urgent):
    client.force_login(supervisor_a)
    session = client.session
    session["crm_signed_in_at"] = 0  # signed in long ago
    session.save()
    response = client.get(urgent.get_absolute_url())
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert EXPIRED in client.get(response["Location"]).content.decode()
