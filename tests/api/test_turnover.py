"""Monthly turnover through the API: the scope (supervisors and up their units',
staff the customers they visit; 404 outside it), the filters, saving one month
or a batch through the import's service (a month sent again replaces, never
adds; its history row), errors in the caller's language, Idempotency-Key and
read-only keys."""

from datetime import date
from decimal import Decimal

import pytest

from customers.revenue.models import MonthlyTurnover, TurnoverEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/turnover/"
BATCH = "/api/v1/turnover/batch/"


@pytest.fixture
def customers(unit_a, unit_b, staff_a, staff_a2, staff_b):
    return {
        "a": f.make_customer(unit_a, visiting_person=staff_a),
        "a2": f.make_customer(unit_a, visiting_person=staff_a2),
        "b": f.make_customer(unit_b, visiting_person=staff_b),
    }


def _month(customer, month: str, amount: str) -> MonthlyTurnover:
    year, number = month.split("-")
    return MonthlyTurnover.objects.create(
        customer=customer, month=date(int(year), int(number), 1), amount=Decimal(amount)
    )


@pytest.fixture
def stored(customers):
    return {
        name: [_month(c, "2026-09", "100.00"), _month(c, "2026-10", "200.00")]
        for name, c in customers.items()
    }


def _ids(api, query=""):
    response = api.get(f"{URL}{query}")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def _pks(*rows):
    return {row.pk for row in rows}


# --- reads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("staff_a", ["a"]),
        ("staff_a2", ["a2"]),
        ("staff_b", ["b"]),
        ("supervisor_a", ["a", "a2"]),
        ("supervisor_b", ["b"]),
        ("manager_a", ["a", "a2"]),
        ("admin_user", ["a", "a2", "b"]),
    ],
)
def test_each_role_lists_and_reads_the_turnover_of_its_scope(
    request, api_as, stored, persona, sees
):
    api = api_as(request.getfixturevalue(persona))
    visible = {row.pk for name in sees for row in stored[name]}
    assert _ids(api) == visible
    for name, rows in stored.items():
        for row in rows:
            response = api.get(f"{URL}{row.pk}/")
            if row.pk in visible:
                assert response.status_code == 200
                body = response.json()
                assert (body["customer"], body["customer_code"], body["month"]) == (
                    row.customer_id,
                    row.customer.code,
                    f"{row.month:%Y-%m}",
                )
                assert (body["amount"], body["unit"]) == (str(row.amount), row.customer.unit_id)
            else:
                assert response.status_code == 404, (persona, name)
                assert response.json()["code"] == "not_found"


def test_the_filters_customer_months_and_unit(api_as, supervisor_a, admin_user, stored, customers, unit_a, unit_b):  # fmt: skip
    api = api_as(supervisor_a)
    a = customers["a"]
    assert _ids(api, f"?customer_code={a.code.lower()}") == _pks(*stored["a"])
    assert _ids(api, f"?customer={a.pk}") == _pks(*stored["a"])
    assert _ids(api, "?month_from=2026-10") == _pks(stored["a"][1], stored["a2"][1])
    assert _ids(api, "?month_to=2026-09") == _pks(stored["a"][0], stored["a2"][0])
    assert _ids(api, "?month_from=2026-10&month_to=2026-10") == _pks(
        stored["a"][1], stored["a2"][1]
    )
    assert _ids(api, "?month_from=2026-11") == set()
    # Another unit's customer is no filter that reveals anything.
    assert _ids(api, f"?customer_code={customers['b'].code}") == set()
    assert _ids(api_as(admin_user), f"?unit={unit_b.pk}") == _pks(*stored["b"])


def test_a_wrong_filter_is_a_400_in_chinese(api_as, supervisor_a, unit_b, stored):
    api = api_as(supervisor_a, language="zh-hans")
    wrong = api.get(f"{URL}?month_from=2026-13")
    assert wrong.status_code == 400
    assert list(wrong.json()["fields"]) == ["month_from"]
    assert "YYYY-MM" in wrong.json()["fields"]["month_from"][0]
    other_unit = api.get(f"{URL}?unit={unit_b.pk}")
    assert other_unit.status_code == 400
    assert "营业单位" in other_unit.json()["fields"]["unit"][0]


def test_pages_walk_every_row_once(api_as, admin_user, stored):
    api = api_as(admin_user)
    seen, url = [], f"{URL}?page_size=4"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(row.pk for rows in stored.values() for row in rows)
    assert len(seen) == len(set(seen)) == 6


# --- writes ------------------------------------------------------------------------------


def test_a_supervisor_saves_a_month_and_a_repost_replaces_it(api_as, supervisor_a, customers):
    api = api_as(supervisor_a)
    a = customers["a"]
    first = api.post(URL, {"customer": a.pk, "month": "2026-11", "amount": "1234.50"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["customer_code"], body["month"], body["amount"]) == (a.code, "2026-11", "1234.50")
    again = api.post(URL, {"customer_code": a.code, "month": "2026-11", "amount": "1300.00"})
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == body["id"]
    row = MonthlyTurnover.objects.get(customer=a)
    assert (row.month, row.amount) == (date(2026, 11, 1), Decimal("1300.00"))
    events = list(row.events.order_by("pk").values_list("kind", "actor", "data"))
    assert events == [
        (TurnoverEvent.Kind.IMPORTED, supervisor_a.pk, {"new": "1234.50"}),
        (TurnoverEvent.Kind.IMPORTED, supervisor_a.pk, {"old": "1234.50", "new": "1300.00"}),
    ]
    # The same figure once more: nothing changes, no history row.
    same = api.post(URL, {"customer": a.pk, "month": "2026-11", "amount": 1300})
    assert same.status_code == 200
    assert row.events.count() == 2
    # The rolling figures the grading reads are the import's.
    a.refresh_from_db()
    assert a.annual_revenue == Decimal("0.13")


def test_a_batch_is_saved_all_or_nothing(api_as, manager_a, customers, stored):
    api = api_as(manager_a)
    a, a2 = customers["a"], customers["a2"]
    rows = [
        {"customer": a.pk, "month": "2026-10", "amount": "250.00"},  # replaces 200.00
        {"customer_code": a2.code, "month": "2026-11", "amount": "80.00"},
        {"customer": a2.pk, "month": "2026-10", "amount": "200.00"},  # unchanged
    ]
    response = api.post(BATCH, {"rows": rows})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 1)
    assert [(r["customer"], r["month"], r["amount"]) for r in body["results"]] == [
        (a.pk, "2026-10", "250.00"),
        (a2.pk, "2026-11", "80.00"),
        (a2.pk, "2026-10", "200.00"),
    ]
    assert MonthlyTurnover.objects.filter(customer__in=[a, a2]).count() == 5
    # One wrong row: nothing of the batch is saved.
    wrong = api_as(manager_a, language="zh-hans").post(
        BATCH,
        {
            "rows": [
                {"customer": a.pk, "month": "2026-12", "amount": "1.00"},
                {"customer": a.pk, "month": "2026-12", "amount": "2.00"},
                {"customer": customers["b"].pk, "month": "2026-12", "amount": "3.00"},
                {"customer_code": a.code, "month": "2026-12", "amount": "-5"},
            ]
        },
    )
    assert wrong.status_code == 400
    fields = wrong.json()["fields"]
    assert fields == {
        "rows.2.month": ["该客户和月份已出现在第 1 行。"],
        "rows.3.customer": ["您的营业单位中没有此编码的客户。"],
        "rows.4.amount": ["营业额须为不小于 0 的数字，精确到分。"],
    }
    assert not MonthlyTurnover.objects.filter(month=date(2026, 12, 1)).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"month": "2026-13"}, "month", "月份请按 YYYY-MM 填写。"),
        ({"month": None}, "month", "月份请按 YYYY-MM 填写。"),
        ({"amount": "12.345"}, "amount", "营业额须为不小于 0 的数字，精确到分。"),
        ({"amount": "NaN"}, "amount", "营业额须为不小于 0 的数字，精确到分。"),
        ({"amount": "abc"}, "amount", "营业额须为不小于 0 的数字，精确到分。"),
        ({"customer": None}, "customer", "缺少客户编码。"),
        ({"customer": "other"}, "customer", "您的营业单位中没有此编码的客户。"),
        ({"customer": None, "customer_code": "NOPE"}, "customer_code", "没有此编码的客户"),
    ],
)
def test_bad_input_is_a_400_with_a_chinese_message(
    api_as, supervisor_a, customers, change, field, message
):
    if change.get("customer") == "other":
        change = change | {"customer": customers["b"].pk}
    data = {"customer": customers["a"].pk, "month": "2026-11", "amount": "10.00"} | change
    response = api_as(supervisor_a, language="zh-hans").post(URL, data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    assert message in body["fields"][field][0]
    assert not MonthlyTurnover.objects.exists()


def test_a_batch_that_is_no_list_is_a_400(api_as, supervisor_a):
    api = api_as(supervisor_a, language="zh-hans")
    for data in ({}, {"rows": []}, {"rows": "x"}):
        response = api.post(BATCH, data)
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["rows"]
    assert api.post(BATCH, {"rows": ["x"]}).status_code == 400


def test_staff_may_read_but_not_save(api_as, staff_a, customers):
    api = api_as(staff_a)
    data = {"customer": customers["a"].pk, "month": "2026-11", "amount": "10.00"}
    assert api.post(URL, data).status_code == 403
    assert api.post(BATCH, {"rows": [data]}).status_code == 403
    assert not MonthlyTurnover.objects.exists()


def test_a_read_only_key_cannot_save(api_as, supervisor_a, customers):
    api = api_as(supervisor_a, read_only=True)
    data = {"customer": customers["a"].pk, "month": "2026-11", "amount": "10.00"}
    for url, body in ((URL, data), (BATCH, {"rows": [data]})):
        response = api.post(url, body)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert not MonthlyTurnover.objects.exists()


def test_an_idempotent_retry_returns_the_first_answer(api_as, supervisor_a, customers):
    api = api_as(supervisor_a)
    data = {"customer": customers["a"].pk, "month": "2026-11", "amount": "10.00"}
    first = api.post(URL, data, HTTP_IDEMPOTENCY_KEY="turnover-1")
    again = api.post(URL, data, HTTP_IDEMPOTENCY_KEY="turnover-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    batch = {"rows": [data | {"month": "2026-12"}]}
    first = api.post(BATCH, batch, HTTP_IDEMPOTENCY_KEY="turnover-2")
    again = api.post(BATCH, batch, HTTP_IDEMPOTENCY_KEY="turnover-2")
    assert again.json() == first.json() and first.json()["created"] == 1
    assert MonthlyTurnover.objects.count() == TurnoverEvent.objects.count() == 2
    # The same key for another body is a conflict.
    other = api.post(URL, data | {"amount": "11.00"}, HTTP_IDEMPOTENCY_KEY="turnover-1")
    assert other.status_code == 409


def test_a_page_of_turnover_costs_the_same_queries_for_more_rows(api_as, supervisor_a, customers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(supervisor_a)
    api.get("/api/v1/notifications/")  # the key's first use is recorded once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL).status_code == 200
        return len(captured)

    _month(customers["a"], "2026-01", "1.00")
    few = queries()
    for number in range(2, 9):
        _month(customers["a2"], f"2026-{number:02d}", "1.00")
    assert queries() == few
