"""The claims register (/complaints/claims/): its filters, its .xlsx read back
to the cent, and the monthly payouts that must equal it."""

import io
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from complaints.claims.models import Claim
from crm_site.core.models import AuditLog
from tests import factories as f
from tests.complaints.claim_factories import make_claim, make_outlet, make_paid_claim

pytestmark = pytest.mark.django_db

NUMBER = r"TS-\d{4}-\d{6}-L\d+"


@pytest.fixture
def book(customer_a, customer_a2, customer_b, staff_a, staff_a2, staff_b, unit_a, unit_b):
    """Claims of unit A at two outlets, paid in two months, and one of unit B."""
    north, south = make_outlet(unit_a, name="北区网点"), make_outlet(unit_a, name="南区网点")
    other = make_outlet(unit_b, name="广州网点")
    c1 = f.make_complaint(customer_a, by=staff_a, responsible_outlet=north)
    c2 = f.make_complaint(customer_a2, by=staff_a2, responsible_outlet=south)
    c3 = f.make_complaint(customer_a, by=staff_a)  # no outlet
    cb = f.make_complaint(customer_b, by=staff_b, responsible_outlet=other)
    claims = {
        "n_lost_may": make_paid_claim(c1, amount="1000.10", paid_on=date(2026, 5, 3)),
        "n_lost_may2": make_paid_claim(c1, amount="0.05", paid_on=date(2026, 5, 31)),
        "n_damaged_jun": make_paid_claim(
            c1, amount="333.33", paid_on=date(2026, 6, 1), kind="damaged"
        ),
        "s_short_may": make_paid_claim(
            c2, amount="7000.99", paid_on=date(2026, 5, 15), kind="short"
        ),
        "s_open": make_claim(c2, amount="450.00", kind="delayed"),
        "none_paid": make_paid_claim(c3, amount="12.34", paid_on=date(2026, 6, 9), kind="other"),
        "rejected": make_claim(
            c3, amount="99.99", state="rejected", rejection_reason="不在赔付范围"
        ),
        "b_paid": make_paid_claim(cb, amount="555.55", paid_on=date(2026, 5, 3)),
    }
    return {"claims": claims, "north": north, "south": south, "other": other}


def register_numbers(client, user, **params) -> list[str]:
    client.force_login(user)
    numbers, page = [], 1
    while True:
        html = client.get(reverse("complaints:claims"), params | {"page": page}).content.decode()
        numbers += re.findall(rf'class="fw-semibold" href="[^"]+">({NUMBER})</a>', html)
        if f"page={page + 1}" not in html:
            return numbers
        page += 1


def export_rows(client, user, **params) -> list[dict]:
    """The export's rows by their (English) headers."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("complaints:claim_export"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else Decimal("0")


def numbers_of(book, *names):
    return sorted(book["claims"][n].number for n in names)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["n_lost_may", "n_lost_may2", "n_damaged_jun", "s_short_may", "s_open",
              "none_paid", "rejected"]),
        ({"state": "paid"}, ["n_lost_may", "n_lost_may2", "n_damaged_jun", "s_short_may",
                             "none_paid"]),
        ({"state": "open"}, ["s_open"]),
        ({"kind": "lost"}, ["n_lost_may", "n_lost_may2", "rejected"]),
        ({"paid_month": "2026-05"}, ["n_lost_may", "n_lost_may2", "s_short_may"]),
        ({"amount_min": "333.33", "amount_max": "1000.10"}, ["n_lost_may", "n_damaged_jun",
                                                             "s_open"]),
    ],
)  # fmt: skip
def test_the_register_and_its_export_hold_the_same_claims_under_each_filter(
    client, book, supervisor_a, params, expected
):
    want = numbers_of(book, *expected)
    assert sorted(register_numbers(client, supervisor_a, **params)) == want
    assert sorted(r["Claim"] for r in export_rows(client, supervisor_a, **params)) == want


def test_the_outlet_and_unit_filters(client, book, supervisor_a, admin_user, unit_b):
    north = book["north"]
    assert sorted(register_numbers(client, supervisor_a, outlet=north.pk)) == numbers_of(
        book, "n_lost_may", "n_lost_may2", "n_damaged_jun"
    )
    assert register_numbers(client, admin_user, unit=unit_b.pk) == [book["claims"]["b_paid"].number]


def test_the_month_filed_filter(client, book, supervisor_a):
    from django.utils import timezone

    this_month = timezone.localdate().strftime("%Y-%m")
    assert len(register_numbers(client, supervisor_a, month=this_month)) == 7
    assert register_numbers(client, supervisor_a, month="2020-01") == []


def test_the_export_reads_back_amounts_to_the_cent(client, book, supervisor_a):
    rows = {r["Claim"]: r for r in export_rows(client, supervisor_a)}
    paid = book["claims"]["n_lost_may2"]
    row = rows[paid.number]
    assert cents(row["Amount claimed"]) == Decimal("0.05")
    assert cents(row["Amount paid"]) == Decimal("0.05")
    assert row["Paid on"].date() == date(2026, 5, 31)
    assert row["State"] == "Paid"
    assert row["Responsible outlet"] == str(book["north"])
    assert rows[book["claims"]["rejected"].number]["Reason for rejection"] == "不在赔付范围"
    assert sum(cents(r["Amount paid"]) for r in rows.values()) == Decimal("8346.81")


def test_the_register_sorts_by_amount_claimed(client, book, supervisor_a):
    numbers = register_numbers(client, supervisor_a, sort="-claimed")
    amounts = [Claim.objects.get(pk=_pk(n)).amount_claimed for n in numbers]
    assert amounts == sorted(amounts, reverse=True)


def _pk(number):
    complaint_number, seq = number.rsplit("-L", 1)
    return Claim.objects.get(complaint__number=complaint_number, seq=int(seq)).pk


def test_other_units_claims_are_in_no_register_nor_export(client, book, supervisor_b, staff_a):
    assert register_numbers(client, supervisor_b) == [book["claims"]["b_paid"].number]
    exported = [r["Claim"] for r in export_rows(client, staff_a)]
    assert book["claims"]["b_paid"].number not in exported
    # staff_a sees the claims of the complaints they logged, not staff_a2's.
    assert sorted(exported) == numbers_of(
        book, "n_lost_may", "n_lost_may2", "n_damaged_jun", "none_paid", "rejected"
    )


def test_an_export_is_audited(client, book, supervisor_a):
    export_rows(client, supervisor_a, state="paid")
    entry = AuditLog.objects.get(action="claims.export")
    assert entry.data == {"filters": {"state": "paid"}, "rows": 5}


# --- the monthly payouts ------------------------------------------------------------


def payout_page(client, user, **params):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("complaints:claim_payouts"), params)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "params", [{}, {"paid_month": "2026-05"}, {"outlet": "north"}, {"kind": "lost"}]
)
def test_the_payout_figures_equal_the_register_to_the_cent(client, book, supervisor_a, params):
    if params.get("outlet") == "north":
        params = {"outlet": book["north"].pk}
    context = payout_page(client, supervisor_a, **params).context
    expected: dict = defaultdict(Decimal)
    for row in export_rows(client, supervisor_a, **params, state="paid"):
        month = row["Paid on"].strftime("%Y-%m")
        expected[(month, row["Unit"], row["Responsible outlet"] or "", row["Claim type"])] += cents(
            row["Amount paid"]
        )
    got = {
        (
            r["month"].strftime("%Y-%m"),
            r["unit__name"],
            f"{r['complaint__responsible_outlet__code']} {r['complaint__responsible_outlet__name']}"
            if r["complaint__responsible_outlet_id"]
            else "",
            str(r["kind_label"]),
        ): r["paid"]
        for r in context["rows"]
    }
    assert got == dict(expected)
    assert context["paid"] == sum(expected.values(), Decimal("0"))


def test_the_payout_page_shows_the_total(client, book, supervisor_a):
    html = payout_page(client, supervisor_a, paid_month="2026-05").content.decode()
    assert "¥8001.14" in html  # 1000.10 + 0.05 + 7000.99


def test_staff_do_not_open_the_payouts(client, book, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("complaints:claim_payouts")).status_code == 403


def test_the_register_page_costs_the_same_queries_however_many_rows(
    client, book, supervisor_a, django_assert_max_num_queries, customer_a, staff_a
):
    client.force_login(supervisor_a)
    client.get(reverse("complaints:claims"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:claims"))
    complaint = f.make_complaint(customer_a, by=staff_a, responsible_outlet=book["south"])
    for _ in range(10):
        make_claim(complaint, amount="1.00")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("complaints:claims"))
    assert len(many) == len(few)


def test_a_large_claims_export_becomes_a_job_with_the_same_rows(
    client, book, supervisor_a, settings, django_capture_on_commit_callbacks
):
    from crm_site.core.models import ExportJob

    direct = sorted(r["Claim"] for r in export_rows(client, supervisor_a, state="paid"))
    settings.CRM_EXPORT_SYNC_LIMIT = 2
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("complaints:claim_export"), {"state": "paid"})
    job = ExportJob.objects.get(user=supervisor_a, kind="claims")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == "done" and job.total == 5
    download = client.get(reverse("core:export_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert len(list(sheet.iter_rows(min_row=2))) == len(direct) == 5
