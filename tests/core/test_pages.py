"""Every page needs a login; headers, sessions, health check, language and navigation."""

import re
import time

import pytest
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm_site.middleware import SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db

# The private calendar feed is read by calendar apps without a session: its
# unguessable token is the key, and an unknown or revoked one is a 404.
PUBLIC = {
    "login",
    "healthz",
    "readyz",
    "set_language",
    "favicon",
    "javascript_catalog",
    "visits:calendar_feed_ics",
}


def app_url_patterns(resolver=None, prefix="", namespace=None):
    """(name, example path) of every URL pattern outside the Django admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = entry.namespace or namespace
            yield from app_url_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            path = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
            for conv in ("<int:", "<str:", "<slug:", "<uuid:", "<path:"):
                while conv in path:
                    start = path.index(conv)
                    end = path.index(">", start)
                    value = "1" if conv in ("<int:", "<str:", "<slug:") else "x"
                    if conv == "<uuid:":
                        value = "00000000-0000-0000-0000-000000000001"
                    path = path[:start] + value + path[end + 1 :]
            yield name, "/" + path


def test_every_page_but_login_and_health_redirects_anonymous_users_to_login(client):
    checked = 0
    for name, path in app_url_patterns():
        if name in PUBLIC or (name or "").startswith("api:"):
            # The API answers 401 in JSON, not a redirect to the login page
            # (tests/security/test_permission_matrix.py checks every API address).
            continue
        response = client.get(path)
        assert response.status_code == 302, f"{name} {path} answered {response.status_code}"
        assert response["Location"].startswith(reverse("login")), name
        checked += 1
    assert checked >= 3


def test_admin_site_sends_anonymous_users_to_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_ok_without_touching_the_database(client, monkeypatch):
    from django.db import connection

    def broken_cursor():
        raise DatabaseError("connection refused to 10.0.0.5")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_security_headers_on_pages(client, staff_a, path):
    if path == "/":
        client.force_login(staff_a)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script(client, staff_a):
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), "inline <script> found"
    assert " onclick=" not in html and " style=" not in html


def test_session_cookie_is_httponly_lax_and_expires_after_thirty_idle_minutes(client, staff_a):
    from tests.factories import PASSWORD

    client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 60


def test_session_ends_twelve_hours_after_sign_in_however_active(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 3600 - 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/").status_code == 302


def test_language_switch_is_remembered_for_the_user(client, staff_a):
    client.force_login(staff_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    staff_a.refresh_from_db()
    assert staff_a.language == "en"
    # A new browser (no cookie) still gets the user's choice once signed in.
    fresh = client.__class__()
    fresh.force_login(staff_a)
    html = fresh.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign out" in html


def test_home_greets_the_user_with_role_and_unit(client, supervisor_a):
    client.force_login(supervisor_a)
    html = client.get("/").content.decode()
    assert "赵主管" in html
    assert "主管" in html
    assert "华东营业部" in html


def test_navigation_shows_only_the_pages_of_the_role(client, staff_a, admin_user):
    client.force_login(staff_a)
    assert "/admin/" not in client.get("/").content.decode()
    client.force_login(admin_user)
    assert 'href="/admin/"' in client.get("/").content.decode()


def _top_bar(html: str) -> str:
    return html[html.index('id="main-nav"') : html.index("user-menu")]


def test_the_top_bar_groups_the_pages_of_the_role_in_menus(
    client, staff_a, supervisor_a, admin_user
):
    # Staff: five links and one menu (development and intelligence), no supervision.
    client.force_login(staff_a)
    bar = _top_bar(client.get("/").content.decode())
    assert bar.count('data-bs-toggle="dropdown"') == 1
    assert "市场" in bar and "督导" not in bar and "系统" not in bar
    assert 'href="/visits/intelligence/"' in bar
    # Admin: the supervision, market and system menus; every page still one click away.
    client.force_login(admin_user)
    response = client.get("/visits/compliance/")
    bar = _top_bar(response.content.decode())
    assert bar.count('data-bs-toggle="dropdown"') == 3
    for label in ("督导", "市场", "系统"):
        assert label in bar
    for url in ("/visits/reports/review/", "/reports/monthly/", "/customers/grading/", "/admin/"):
        assert f'href="{url}"' in bar
    # The current page is marked in its menu, and the menu itself shows it.
    assert 'dropdown-item active" href="/visits/compliance/" aria-current="page"' in bar
    assert 'nav-link dropdown-toggle active"' in bar


def test_favicon_is_served_by_the_app_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file, not a login page
    assert "max-age" in response["Cache-Control"]


def test_pages_link_their_icons_from_our_own_static_files(client, staff_a):
    login_page = client.get(reverse("login")).content.decode()
    client.force_login(staff_a)
    for html in (login_page, client.get("/").content.decode()):
        assert 'rel="icon" href="/static/img/favicon.svg"' in html
        assert 'href="/favicon.ico"' in html
        assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in html


def test_script_strings_come_translated_from_the_javascript_catalogue(client, staff_a):
    import json

    working = json.dumps("处理中…")  # the catalogue is JSON, with \\u escapes
    chinese = client.get("/jsi18n/?v=zh-hans").content.decode()
    assert working in chinese
    staff_a.language = "en"
    staff_a.save(update_fields=["language"])
    client.force_login(staff_a)
    page = client.get("/").content.decode()
    assert '<script src="/jsi18n/?v=en"></script>' in page
    assert working not in client.get("/jsi18n/?v=en").content.decode()


def test_fonts_are_the_systems_own_cjk_fonts_and_nothing_loads_from_outside():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    css = (root / "static/css/app.css").read_text()
    stack = css.split("--app-font-cjk:", 1)[1].split(";", 1)[0]
    for family in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"):
        assert family in stack
    assert "@font-face" not in css
    outside = re.compile(r"""(?:src|href)=["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""")
    files = [*root.glob("templates/**/*.html"), *root.glob("static/**/*.css")]
    offenders = [str(p.relative_to(root)) for p in files if outside.search(p.read_text())]
    assert not offenders, offenders
