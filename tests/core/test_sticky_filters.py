"""Lists remember the last filters per user session, with a reset."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NOTE = "显示的是您上次在此列表使用的筛选条件"


@pytest.fixture
def browser(staff_a):
    client = Client()
    client.force_login(staff_a)
    return client


def test_a_list_opened_again_brings_back_its_last_filters(browser):
    assert browser.get("/customers/?status=active&q=华").status_code == 200
    response = browser.get("/customers/")
    assert response.status_code == 302
    assert response["Location"] == "/customers/?status=active&q=%E5%8D%8E"
    page = browser.get(response["Location"]).content.decode()
    assert NOTE in page
    assert 'href="/customers/?reset=1"' in page
    # The note is said once, not on every later page of the same filters.
    assert NOTE not in browser.get(response["Location"]).content.decode()


def test_reset_forgets_the_filters_and_shows_the_whole_list(browser):
    browser.get("/customers/?status=active")
    response = browser.get("/customers/?reset=1")
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert browser.get("/customers/").status_code == 200


def test_the_page_number_and_empty_fields_are_not_remembered(browser):
    browser.get("/customers/?status=active&q=&page=2")
    assert browser.get("/customers/")["Location"] == "/customers/?status=active"
    browser.get("/customers/?status=&q=")  # every field cleared by hand
    assert browser.get("/customers/").status_code == 200


def test_each_list_keeps_its_own_filters(browser):
    browser.get("/customers/?status=active")
    browser.get("/complaints/?status=closed")
    assert browser.get("/complaints/")["Location"] == "/complaints/?status=closed"
    assert browser.get("/customers/")["Location"] == "/customers/?status=active"
    assert browser.get("/visits/reports/").status_code == 200


def test_filters_belong_to_the_users_session_not_to_the_user_everywhere(browser, staff_a):
    browser.get("/customers/?status=active")
    other_browser = Client()
    other_browser.force_login(staff_a)
    assert other_browser.get("/customers/").status_code == 200


def test_the_lists_own_clear_links_reset_the_remembered_filters(browser):
    page = browser.get("/customers/?status=lost").content.decode()
    assert 'href="/customers/?reset=1"' in page
    page = browser.get("/complaints/?status=closed").content.decode()
    assert 'href="/complaints/?reset=1"' in page
