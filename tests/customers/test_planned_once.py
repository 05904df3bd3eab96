"""Reads planned once per connection (crm_site.core.batch, plan_once): the
statement is prepared on the server at its first run and only executed after,
with the same rows as an ordinary run; a status is written into it; an error
or the connection's limit never leaves a statement that cannot run."""

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm_site.core import batch
from customers.models import Customer
from tests import factories as f
from visits.models import DailyReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_required")]


@pytest.fixture(autouse=True)
def fresh_statements():
    """Each test starts with no statement prepared on its connection."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connections[DEFAULT_DB_ALIAS].__dict__.pop("_crm_planned_once", None)


def prepared() -> dict[str, str]:
    """{name: statement} of the statements prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def submitted(unit) -> dict:
    return {
        "reports": DailyReport.objects.filter(unit=unit, status=DailyReport.Status.SUBMITTED)
        .order_by("pk")
        .values("pk", "date", "submitted_at"),
        "customers": batch.Counted(Customer.objects.filter(unit=unit)),
    }


def test_a_read_planned_once_gives_the_rows_of_an_ordinary_run_and_is_prepared_once(
    unit_a, staff_a, staff_a2
):
    f.make_customer(unit_a, code="P-001", name="恒通物流")
    for person in (staff_a, staff_a2):
        f.make_daily_report(person, status=DailyReport.Status.SUBMITTED)
    expected = batch.rows_many(submitted(unit_a))
    assert len(expected["reports"]) == 2 and expected["customers"] == 1

    with CaptureQueriesContext(connection) as queries:
        first = batch.rows_many(submitted(unit_a), plan_once=True)
        second = batch.rows_many(submitted(unit_a), plan_once=True)
    assert first == second == expected
    sent = [q["sql"] for q in queries.captured_queries]
    assert len(sent) == 2  # one round trip each, the PREPARE with the first run
    assert sent[0].startswith("PREPARE crm_") and "EXECUTE crm_" in sent[0]
    assert sent[1].startswith("EXECUTE crm_")
    statements = prepared()
    assert len(statements) == 1
    (statement,) = statements.values()
    # The status is a constant of the code: written into the statement, so
    # that PostgreSQL's generic plan knows it; the unit stays a parameter.
    assert "'submitted'" in statement
    assert '"unit_id" = $1' in statement
    assert f'"unit_id" = {unit_a.pk}' not in statement


def test_another_users_values_run_the_same_statement(unit_a, unit_b, staff_a, staff_b):
    f.make_daily_report(staff_a, status=DailyReport.Status.SUBMITTED)
    a = batch.rows_many(submitted(unit_a), plan_once=True)
    b = batch.rows_many(submitted(unit_b), plan_once=True)
    assert len(a["reports"]) == 1 and b["reports"] == []
    assert len(prepared()) == 1


def test_a_value_without_a_parameter_type_runs_the_statement_as_it_is(unit_a):
    read = batch.Compiled("SELECT %s::int[] AS ids", [[1, 2]], [("ids", None)], "default")
    assert batch.rows_many({"r": read}, plan_once=True)["r"] == [{"ids": [1, 2]}]
    assert prepared() == {}


def test_a_percent_sign_in_the_statement_stays_one(unit_a):
    read = batch.Compiled("SELECT '100%%' AS share, %s::bigint AS n", [3], [], "default")
    read.columns = [("share", None), ("n", None)]
    for _ in range(2):
        assert batch.rows_many({"r": read}, plan_once=True)["r"] == [{"share": "100%", "n": 3}]


def test_after_a_failed_run_the_next_one_prepares_afresh_and_runs(unit_a):
    read = batch.Compiled("SELECT 10 / %s AS q", [0], [("q", None)], "default")
    with pytest.raises(DatabaseError), transaction.atomic():
        batch.rows_many({"r": read}, plan_once=True)
    read.params = [5]
    with CaptureQueriesContext(connection) as queries:
        assert batch.rows_many({"r": read}, plan_once=True)["r"] == [{"q": 2}]
    assert queries.captured_queries[0]["sql"].startswith("DEALLOCATE ALL; PREPARE crm_")
    assert len(prepared()) == 1


def test_a_connection_keeps_at_most_its_limit_of_statements(unit_a, monkeypatch):
    monkeypatch.setattr(batch._PlannedOnce, "LIMIT", 3)
    for n in range(5):
        read = batch.Compiled(f"SELECT %s::bigint + {n} AS v", [1], [("v", None)], "default")
        assert batch.rows_many({"r": read}, plan_once=True)["r"] == [{"v": 1 + n}]
    statements = prepared()
    assert len(statements) == 3
    assert all(f"+ {n} AS v" in " ".join(statements.values()) for n in (2, 3, 4))


def test_with_prepared_statements_off_nothing_is_prepared(unit_a, settings):
    settings.DB_PREPARED_STATEMENTS = False
    assert batch.rows_many(submitted(unit_a), plan_once=True)["customers"] == 0
    assert prepared() == {}


def test_the_customer_card_runs_its_two_reads_planned_once(client, book, supervisor_a):
    client.force_login(supervisor_a)
    url = reverse("customers:detail", args=[book["mine"].pk])
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert book["mine"].name in again.content.decode()
    executed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXECUTE crm_")]
    assert len(executed) == 2
    assert len(prepared()) == 2


def test_values_are_typed_as_their_literals_would_be(unit_a):
    # An integer goes where PostgreSQL wants an integer (LEFT takes no bigint),
    # one past that range stays a bigint; a fraction is numeric.
    read = batch.Compiled(
        "SELECT LEFT(%s, %s) AS head, %s + 1 AS big, %s * 2 AS twice",
        ["abcdef", 3, 2**40, 1.25],
        [("head", None), ("big", None), ("twice", None)],
        "default",
    )
    for _ in range(2):
        row = batch.rows_many({"r": read}, plan_once=True)["r"][0]
        assert row == {"head": "abc", "big": 2**40 + 1, "twice": 2.5}
    (statement,) = prepared().values()
    assert "(text, integer, bigint, numeric)" in statement
