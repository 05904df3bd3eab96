"""Journey: a user signs in (Chinese login page), sees the role home, signs out."""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_signs_in_sees_the_chinese_home_and_signs_out(journey, staff_a, viewport):
    j = journey(viewport=viewport)
    page = j.goto("/accounts/login/")
    assert page.locator("h2").inner_text() == "登录"
    j.check_accessibility()
    j.shot("login")

    j.login("staff_a")
    assert "张三，您好" in page.locator("h1").inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("home")

    if viewport is PHONE:
        page.locator(".navbar-toggler").click()
        # Wait for the menu to finish opening: a click during Bootstrap's
        # collapse animation can miss the toggle (a flaky run otherwise).
        page.locator("#main-nav.show").wait_for()
    page.locator(".dropdown-toggle").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    assert not j.console_errors, j.console_errors


def test_wrong_password_shows_a_chinese_message_and_keeps_the_username(journey, staff_a):
    j = journey()
    page = j.goto("/accounts/login/")
    page.fill("input[name=username]", "staff_a")
    page.fill("input[name=password]", "wrong")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "请输入一个正确的" in page.content()
    assert page.input_value("input[name=username]") == "staff_a"
    j.shot("wrong-password")
