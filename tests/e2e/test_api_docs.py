"""The API's documentation pages in a real browser, under the site's own CSP
(not bypassed): Swagger UI and Redoc render the schema, load nothing from
another host, and report no CSP violation or script error."""

import re

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "path, rendered",
    [("/api/v1/docs/", ".swagger-ui .info .title"), ("/api/v1/redoc/", "h1")],
)
def test_the_api_docs_render_from_this_site_under_its_csp(
    browser, live_server, staff_a, path, rendered
):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A request the CSP blocks never leaves the browser; one that finished did.
    page.on(
        "requestfinished",
        lambda r: (
            foreign.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", staff_a.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r".*/$"))
        page.goto(live_server.url + path)
        page.wait_for_selector(rendered)
        assert "CRM API" in page.locator(rendered).first.inner_text()
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert foreign == []
    # Redoc's footer links its maker's logo on their CDN: the site's CSP refuses
    # it (img-src 'self'), which is the one refusal expected here.
    assert [e for e in errors if "cdn.redoc.ly" not in e] == []
