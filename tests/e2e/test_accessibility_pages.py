"""Journey 8: axe-core on every page of the DESIGN.md URL map, opened by the
lowest role allowed to use it (the role homes by each role), on the demo data
(`seed_demo`), at 1440 px and at 390 px: no serious or critical violation, and
at 390 px nothing wider than the screen.

Downloads (the .xlsx exports, the import template) and the sign-out action are
not pages and are left out. Every problem of every page is collected before the
test fails, so one run lists them all.
"""

import io

import pytest
from django.core.management import call_command
from django.db.models import Q

from complaints.claims.models import Claim
from complaints.models import Complaint
from crm_site.accounts.models import User
from crm_site.devtools.demo.accounts import DEMO_PASSWORD
from customers.models import Customer
from reports.models import MonthlyPatrolSummary
from tests.e2e.conftest import DESKTOP, PHONE
from visits.models import DailyReport, UrgentReport

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# (who, address); {placeholders} are demo objects that person may see.
PAGES = [
    (None, "/accounts/login/"),
    ("staff1", "/"),
    ("staff1", "/accounts/password_change/"),
    ("staff1", "/customers/"),
    ("staff1", "/customers/new/"),
    ("staff1", "/customers/{customer}/"),
    ("staff1", "/customers/{customer}/edit/"),
    ("staff1", "/visits/due/"),
    ("staff1", "/visits/reports/"),
    ("staff1", "/visits/reports/new/"),
    ("staff1", "/visits/reports/{report}/"),
    ("staff1", "/complaints/"),
    ("staff1", "/complaints/new/"),
    ("staff1", "/complaints/{complaint}/"),
    ("staff1", "/complaints/stats/"),
    ("staff1", "/waybills/SF1234567890/"),
    ("staff1", "/search/?q=SF1234567890"),
    ("staff1", "/search/?q=nothing-here"),
    ("staff1", "/complaints/claims/"),
    ("staff1", "/complaints/claims/{claim}/"),
    ("staff1", "/complaints/{complaint}/claims/new/"),
    ("supervisor1", "/"),
    ("supervisor1", "/customers/import/"),
    ("supervisor1", "/visits/compliance/"),
    ("supervisor1", "/visits/reports/review/"),
    ("supervisor1", "/visits/urgent/new/"),
    ("supervisor1", "/reports/monthly/"),
    ("supervisor1", "/reports/monthly/{summary}/"),
    ("supervisor1", "/complaints/claims/payouts/"),
    ("supervisor1", "/reports/revenue/"),
    ("supervisor1", "/reports/revenue/market/"),
    ("manager1", "/"),
    ("manager1", "/visits/urgent/"),
    ("manager1", "/visits/urgent/{urgent}/"),
    ("manager1", "/reports/revenue/market/estimates/"),
    ("manager1", "/reports/revenue/market/costs/"),
    ("admin", "/"),
    ("admin", "/customers/grading/"),
    ("admin", "/admin/"),
]


@pytest.fixture
def demo(settings):
    # The demo admin signs in with the password only, as in `make run`.
    settings.CRM_ADMIN_2FA_REQUIRED = False
    call_command("seed_demo", stdout=io.StringIO())
    staff1 = Q(visiting_person__username="staff1")
    return {
        "customer": Customer.objects.filter(staff1).order_by("code").first().pk,
        "report": DailyReport.objects.filter(user__username="staff1", status="submitted")
        .order_by("-date")
        .first()
        .pk,
        "complaint": Complaint.objects.filter(received_by__username="staff1")
        .order_by("-received_at")
        .first()
        .pk,
        "summary": MonthlyPatrolSummary.objects.filter(unit__code="1")
        .order_by("-month")
        .first()
        .pk,
        "urgent": UrgentReport.objects.filter(unit__code="1").order_by("-created_at").first().pk,
        "claim": Claim.objects.visible_to(User.objects.get(username="staff1"))
        .order_by("-created_at")
        .first()
        .pk,
    }


def sign_in(j, username):
    page = j.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{j.base}/")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_every_main_page_passes_axe_and_fits_the_screen(journey, demo, viewport):
    problems = []
    journeys = {}
    for who, address in PAGES:
        if who not in journeys:
            j = journeys[who] = journey(viewport, suffix=who or "anonymous")
            j.failed = []
            j.page.on(
                "response", lambda r, j=j: j.failed.append(r.url) if r.status >= 400 else None
            )
            if who:
                sign_in(j, who)
                if j.console_errors or j.failed:
                    problems.append(f"{who} signing in: {j.console_errors} {j.failed}")
                    j.failed.clear()
        j = journeys[who]
        path = address.format(**demo)
        errors_before = len(j.console_errors)
        response = j.page.goto(j.base + path)
        j.page.wait_for_load_state("load")
        if response.status != 200:
            problems.append(f"{who} {path}: HTTP {response.status}")
            continue
        if len(j.console_errors) > errors_before or j.failed:
            problems.append(f"{who} {path}: {j.console_errors[errors_before:]} {j.failed}")
            j.failed.clear()
        label = path.strip("/").replace("/", "-") or "home"
        j.shot(label)
        try:
            j.check_accessibility()
        except AssertionError as exc:
            problems.append(f"{who} {path}: {exc}")
        if viewport is PHONE:
            try:
                j.assert_no_horizontal_scroll()
            except AssertionError as exc:
                problems.append(f"{who} {path}: {exc}")
    assert not problems, "\n".join(problems)
