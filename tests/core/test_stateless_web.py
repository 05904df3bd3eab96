"""Any web process may serve a user's next request: two gunicorn processes on
different ports, sharing nothing but PostgreSQL, Redis and the media
directory, behave as one site. A user signs in through one and carries on
through the other: the session holds, a CSRF token from one's page is good on
the other, a success message set by one shows on the other, and a recording
uploaded through one downloads through the other.

The servers run the production settings for sessions, messages and cache
(none depends on debug mode); jobs run eagerly inside them, since no worker is
part of this test.
"""

import re
import uuid
from http import client, cookies
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache

from complaints.defaults import defaults_ensure
from complaints.models import Complaint, ComplaintCategory
from customers.fields import customer_label
from tests.conftest import require
from tests.factories import PASSWORD, make_customer
from tests.support import services
from tests.support.processes import WebServer

pytestmark = [pytest.mark.slow, pytest.mark.services]

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8


class Browser:
    """One user's cookies, sent to whichever server a request goes to (cookies
    do not depend on the port, so a browser would do the same behind a load
    balancer)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, server: WebServer, method: str, path: str, *, data=None, files=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if files:
            boundary = uuid.uuid4().hex
            body = multipart(boundary, data or {}, files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in cookies.SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.getheader("Location", ""), response.read()
        finally:
            connection.close()


def multipart(boundary: str, data: dict, files: dict) -> bytes:
    parts = []
    for name, value in data.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content_type, content) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def hidden(page: bytes, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page.decode())
    assert tag, f"no {name} on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


@pytest.fixture
def two_web_servers(postgres_required, tmp_path):
    require(services.redis_reachable(), "Redis (set REDIS_URL)")
    env = {
        "DATABASE_URL": services.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_EAGER": "1",
        "CRM_ADMIN_2FA_REQUIRED": "1",
        "LOG_LEVEL": "ERROR",
    }
    servers = []
    try:
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            servers.append(WebServer(tmp_path / name, env, workers=1).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_the_settings_keep_no_state_inside_a_web_process():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.MESSAGE_STORAGE.endswith("FallbackStorage")
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        cache.set("stateless-web-probe", "shared", 10)
        assert cache.get("stateless-web-probe") == "shared"
        cache.delete("stateless-web-probe")


@pytest.mark.usefixtures("transactional_db")
def test_a_user_signed_in_on_one_web_process_carries_on_through_another(
    two_web_servers, staff_a, unit_a
):
    one, two = two_web_servers
    defaults_ensure()
    customer = make_customer(
        unit_a, code="C700001", name="华东电子有限公司", visiting_person=staff_a
    )
    # Tests hash with MD5 for speed; the servers know only the real hashers.
    staff_a.password = PBKDF2PasswordHasher().encode(PASSWORD, "stateless", iterations=1000)
    staff_a.save(update_fields=["password"])
    browser = Browser()

    # Signs in through the first process.
    status, _location, page = browser.request(one, "GET", "/accounts/login/")
    assert status == 200
    status, location, body = browser.request(
        one,
        "POST",
        "/accounts/login/",
        data={
            "username": "staff_a",
            "password": PASSWORD,
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    assert status == 302, body.decode()[-3000:]
    assert "sessionid" in browser.cookies

    # The second process knows the session: the form opens, not the login page.
    status, location, form_page = browser.request(two, "GET", "/complaints/new/")
    assert status == 200, location

    # Without a token the first process refuses the POST; with the second's token it takes it.
    fields = {
        "customer": customer_label(customer),
        "channel": "phone",
        "received_at": "2026-01-05T09:30",
        "complainant": "王先生",
        "contact_phone": "13800000000",
        "content": "货物比约定晚到两天。",
        "demand": "",
        "category": ComplaintCategory.objects.get(code="delay").pk,
        "severity": "normal",
        "acknowledged_on": "",
        "form_token": hidden(form_page, "form_token"),
    }
    recording = {"recording": ("来电录音.mp3", "audio/mpeg", MP3)}
    status, _location, _body = browser.request(
        one, "POST", "/complaints/new/", data=fields, files=recording
    )
    assert status == 403
    fields["csrfmiddlewaretoken"] = hidden(form_page, "csrfmiddlewaretoken")
    status, detail_url, body = browser.request(
        one, "POST", "/complaints/new/", data=fields, files=recording
    )
    assert status == 302, body.decode()[-3000:]
    complaint = Complaint.objects.get()
    complaint_path = complaint.get_absolute_url()
    assert detail_url == complaint_path

    # The success message set by the first process shows on the second's page,
    # once: the first does not show it again.
    notice = f"投诉 {complaint.number} 已登记"
    status, _location, detail = browser.request(two, "GET", complaint_path)
    assert status == 200
    assert notice in detail.decode()
    status, _location, again = browser.request(one, "GET", complaint_path)
    assert status == 200
    assert notice not in again.decode()

    # The recording saved through the first process downloads through the second.
    status, _location, downloaded = browser.request(two, "GET", f"{complaint_path}recording/")
    assert status == 200
    assert downloaded == MP3
