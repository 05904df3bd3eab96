"""Two-factor sign-in: required for admins, optional for others, recovery codes."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.CRM_ADMIN_2FA_REQUIRED = True


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_admin_without_an_authenticator_must_set_one_up_before_any_page(
    client, admin_user, required
):
    sign_in(client, "admin_user")
    response = client.get("/customers/autocomplete/?q=x")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    setup = client.get(reverse("two_factor_setup"))
    assert "管理员必须使用双重验证" in setup.content.decode()

    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    done = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r'<code class="fs-5">([a-z0-9]+)</code>', done.content.decode())
    assert len(codes) == 10
    assert client.get("/").status_code == 200


def test_a_user_with_an_authenticator_enters_a_code_after_the_password(client, staff_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the user retries at once in this test
    device = confirmed_device(staff_a)
    sign_in(client, "staff_a")
    held = client.get("/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert "验证码无效" in wrong.content.decode()
    assert client.get("/").status_code == 302
    ok = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once(client, staff_a):
    device = confirmed_device(staff_a)
    static = staff_a.staticdevice_set.create(name="recovery", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    sign_in(client, "staff_a")
    assert client.post(reverse("two_factor_verify"), {"code": "abcd2345"}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "staff_a")
    again = client.post(reverse("two_factor_verify"), {"code": "abcd2345"})
    assert again.status_code == 200  # refused: the code was used
    assert device.pk


def test_repeated_wrong_codes_are_throttled(client, staff_a):
    device = confirmed_device(staff_a)
    sign_in(client, "staff_a")
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "111111"})
    throttled = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "错误次数过多" in throttled.content.decode()


def test_staff_may_turn_two_factor_on_and_off(client, staff_a):
    client.force_login(staff_a)
    assert "未开启" in client.get(reverse("two_factor")).content.decode()
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff_a)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert TOTPDevice.objects.get(user=staff_a).confirmed
    client.post(reverse("two_factor_disable"), {"code": code_for(device, offset=1)})
    assert not TOTPDevice.objects.filter(user=staff_a).exists()


def test_admins_cannot_turn_two_factor_off(client, admin_user, required):
    device = confirmed_device(admin_user)
    sign_in(client, "admin_user")
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    response = client.post(
        reverse("two_factor_disable"), {"code": code_for(device, offset=1)}, follow=True
    )
    assert "管理员必须保持双重验证开启" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_without_the_requirement_the_demo_admin_signs_in_with_the_password(
    client, admin_user, settings
):
    settings.CRM_ADMIN_2FA_REQUIRED = False
    sign_in(client, "admin_user")
    assert client.get("/").status_code == 200
