"""The statement timeout of background work.

Every PostgreSQL connection starts with DB_STATEMENT_TIMEOUT_MS (settings), so
a runaway query cannot hold a web worker. The timeout is per statement: a job
that works in batches (regrade, import check, export) stays far below it. A
job whose single statements may legitimately run longer on a large book (the
monthly build, an import applied in one transaction, the benchmark's data
generator) lifts it for its own transaction only.
"""

from django.conf import settings
from django.db import connection


def allow_long_statements() -> None:
    """Inside the job's transaction.atomic(): this transaction's statements may
    run for DB_JOB_STATEMENT_TIMEOUT_MS (0: no limit). SET LOCAL ends with the
    transaction, so the pooled connection goes back to the web limit."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("allow_long_statements() only works inside transaction.atomic()")
    timeout = int(settings.DB_JOB_STATEMENT_TIMEOUT_MS)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = {timeout}")
