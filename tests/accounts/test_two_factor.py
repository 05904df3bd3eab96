"""Two-factor sign-in: required for admins, optional for others, recovery codes."""

import re

import pytest
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.accounts.services import two_factor_enrolment_code_issue
from crm_site.core.models import AuditLog
from tests.factories import PASSWORD, make_user

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
    enrolment = two_factor_enrolment_code_issue(user=admin_user, actor=None)
    done = client.post(
        reverse("two_factor_setup"), {"enrolment_code": enrolment, "code": code_for(device)}
    )
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


def _start_setup(client, user):
    client.force_login(user)
    client.get(reverse("two_factor_setup"))
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_an_admins_first_enrolment_is_refused_with_only_the_password(client, admin_user):
    device = _start_setup(client, admin_user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "启用码" in page
    refused = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert refused.status_code == 200
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    wrong = client.post(
        reverse("two_factor_setup"),
        {"enrolment_code": "0123456789abcdef", "code": code_for(device)},
    )
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_another_admin_issues_an_enrolment_code_in_the_admin_and_it_works_once(client, admin_user):
    other = make_user("admin", username="admin_two")
    issuer = client.__class__()
    issuer.force_login(admin_user)
    response = issuer.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_two_factor_enrolment_code", "_selected_action": [other.pk]},
        follow=True,
    )
    (code,) = re.findall(r"\b([0-9a-f]{16})\b", response.content.decode())
    assert AuditLog.objects.filter(action="two_factor.enrolment_code_issued").exists()
    assert code not in str(list(AuditLog.objects.values_list("summary", "data")))

    device = _start_setup(client, other)
    done = client.post(
        reverse("two_factor_setup"), {"enrolment_code": code, "code": code_for(device)}
    )
    assert '<code class="fs-5">' in done.content.decode()
    assert TOTPDevice.objects.filter(user=other, confirmed=True).exists()

    # Used up: a second first enrolment (after an admin removed the phone) needs a new code.
    for old in devices_for_user(other, confirmed=None):
        old.delete()
    device = _start_setup(client, other)
    again = client.post(
        reverse("two_factor_setup"), {"enrolment_code": code, "code": code_for(device)}
    )
    assert not TOTPDevice.objects.filter(user=other, confirmed=True).exists()
    assert again.status_code == 200


def test_an_admin_cannot_issue_an_enrolment_code_to_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_two_factor_enrolment_code", "_selected_action": [admin_user.pk]},
        follow=True,
    )
    assert re.findall(r"\b([0-9a-f]{16})\b", response.content.decode()) == []
    assert not AuditLog.objects.filter(action="two_factor.enrolment_code_issued").exists()


def test_the_first_admin_gets_an_enrolment_code_from_manage_py(client, admin_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("two_factor_enrolment_code", "admin_user", stdout=out)
    (code,) = re.findall(r"\b([0-9a-f]{16})\b", out.getvalue())
    device = _start_setup(client, admin_user)
    client.post(reverse("two_factor_setup"), {"enrolment_code": code, "code": code_for(device)})
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_an_enrolment_code_is_not_a_second_factor(client, admin_user):
    code = two_factor_enrolment_code_issue(user=admin_user, actor=None)
    confirmed_device(admin_user)
    sign_in(client, "admin_user")
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_the_javascript_catalogue_loads_on_the_two_factor_pages(client, staff_a):
    confirmed_device(staff_a)
    sign_in(client, "staff_a")
    page = client.get(reverse("two_factor_verify"))
    assert reverse("javascript_catalog") in page.content.decode()
    catalogue = client.get(reverse("javascript_catalog") + "?v=zh-hans")
    assert catalogue.status_code == 200
    assert "javascript" in catalogue["Content-Type"]
