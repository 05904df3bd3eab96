"""Web requests run under DB_STATEMENT_TIMEOUT_MS; a long job lifts it for its
own transaction only (crm_site.core.db.allow_long_statements)."""

import pytest
from django.db import OperationalError, connection, transaction

from crm_site.core.db import allow_long_statements

pytestmark = pytest.mark.usefixtures("postgres_required")


def statement_timeout_ms() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_connections_start_with_the_web_timeout(settings):
    assert statement_timeout_ms() == settings.DB_STATEMENT_TIMEOUT_MS


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_timeout_is_cancelled():
    with pytest.raises(OperationalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


@pytest.mark.django_db(transaction=True)
def test_a_job_lifts_the_timeout_for_its_own_transaction_only(settings):
    settings.DB_JOB_STATEMENT_TIMEOUT_MS = 123_000
    with transaction.atomic():
        allow_long_statements()
        assert statement_timeout_ms() == 123_000
    assert statement_timeout_ms() == settings.DB_STATEMENT_TIMEOUT_MS


@pytest.mark.django_db(transaction=True)
def test_lifting_the_timeout_outside_a_transaction_is_refused():
    # SET LOCAL outside a transaction would do nothing, silently.
    with pytest.raises(RuntimeError):
        allow_long_statements()
