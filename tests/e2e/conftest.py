"""Browser journeys: Playwright driving Debian's Chromium against a live server.

The live server runs in the test process on the test database (PostgreSQL in
CI); background jobs run in a real Celery worker process when a journey asks
for `celery_worker`. Screenshots go to artifacts/e2e/<test name>/.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import require
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# Browser tests can be slow; they always run in CI and can be skipped locally
# with SKIP_SLOW=1.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def _playwright():
    binary = shutil.which("chromium")
    require(binary is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    browser = _playwright.chromium.launch(
        executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class Journey:
    """A browser session for one user, with screenshots and an axe check per page."""

    def __init__(self, browser, live_server, name: str, viewport: dict, touch: bool = False):
        self.base = live_server.url
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        # bypass_csp only lets the test inject axe-core; the app's pages run
        # under their normal CSP otherwise (CSP violations are still reported).
        self.context = browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,
            has_touch=touch,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.shots = 0
        self.axe_checked: set[str] = set()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("domcontentloaded")
        return self.page

    def login(self, username: str, password: str = PASSWORD, then: str = ""):
        """Sign in on the login page; then open the page `then` if given."""
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.locator("form button[type=submit]").first.click()
        self.page.wait_for_url(re.compile(r".*/$"))
        return self.goto(then) if then else self.page

    def shot(self, label: str):
        self.shots += 1
        path = self.dir / f"{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_horizontal_scroll(self):
        widths = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] + 1, f"horizontal scroll: {widths}"

    def check_accessibility(self):
        """Run axe-core on the current page: no serious or critical violations."""
        key = self.page.url.split("?")[0]
        if key in self.axe_checked:
            return
        self.axe_checked.add(key)
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        (self.dir / "axe.json").open("a").write(
            json.dumps({"url": key, "violations": result}) + "\n"
        )
        assert not bad, f"accessibility violations on {key}: {json.dumps(bad, ensure_ascii=False)}"

    def close(self):
        self.context.close()


def confirm_click(locator) -> None:
    """Click a button whose form asks "are you sure?" first, and say yes."""
    locator.page.once("dialog", lambda dialog: dialog.accept())
    locator.click()


@pytest.fixture
def journey(browser, live_server, request):
    """Factory: journey(viewport=PHONE) → a Journey for this test (touch=True: a
    touch screen, for taps)."""
    opened = []

    def open_journey(viewport=DESKTOP, suffix="", touch=False):
        name = request.node.name + (f"-{suffix}" if suffix else "")
        j = Journey(browser, live_server, name, viewport, touch)
        opened.append(j)
        return j

    yield open_journey
    for j in opened:
        j.close()
