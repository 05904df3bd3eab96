"""The migration lock check: a migration that rewrites a table with rows, or
holds an ACCESS EXCLUSIVE lock past the limit, fails it; the project's
migrations pass it on the generated dataset.

The detector tests apply a hand-made migration to the test database and undo
it; the whole-check test runs `manage.py migration_locks --quick` in a
subprocess on a fresh database, as an operator would on a copy.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, migrations, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from django.utils.crypto import get_random_string

from crm_site.devtools.migration_locks import LockWatch
from tests.factories import make_customer
from tests.support import services

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services]


@pytest.fixture
def customers(transactional_db, postgres_required, unit_a):
    return [make_customer(unit_a) for _ in range(20)]


def version_as_bigint() -> migrations.Migration:
    """A column type change on the customer table: PostgreSQL rewrites it."""
    migration = migrations.Migration("9999_version_bigint", "customers")
    migration.operations = [
        migrations.AlterField(
            model_name="customer",
            name="version",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        )
    ]
    return migration


def test_a_column_type_change_on_a_table_with_rows_is_reported_as_a_rewrite(customers):
    state = MigrationLoader(connection).project_state()
    migration = version_as_bigint()
    try:
        with (
            LockWatch() as watch,
            watch.step("customers.9999_version_bigint"),
            connection.schema_editor() as editor,
        ):
            migration.apply(state.clone(), editor)
    finally:
        with connection.schema_editor() as editor:
            migration.unapply(state.clone(), editor)
    [result] = watch.results
    assert [(lock.table, lock.rows) for lock in result.rewritten] == [("customers_customer", 20)]
    with translation.override("en"):
        [problem] = watch.problems(max_lock_seconds=60)
    assert "rewrote the table customers_customer (20 rows)" in problem


def test_a_lock_held_past_the_limit_fails_and_a_short_one_passes(customers):
    with LockWatch() as watch:
        with watch.step("long"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE customers_customer IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT pg_sleep(0.8)")
        with watch.step("short"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE customers_customer ADD COLUMN spare integer NULL")
            cursor.execute("ALTER TABLE customers_customer DROP COLUMN spare")
    long, short = watch.results
    [lock] = long.locks
    assert lock.table == "customers_customer" and 0.6 < lock.seconds < 5
    assert lock.rows == 20
    with translation.override("en"):
        assert long.problems(max_lock_seconds=0.5) == [
            "long held an ACCESS EXCLUSIVE lock on customers_customer for "
            f"{lock.seconds:.2f} s (limit 0.50 s)."
        ]
    # Adding a nullable column takes the lock for a moment and rewrites nothing.
    assert short.rewritten == []
    assert short.problems(max_lock_seconds=0.5) == []


@pytest.fixture
def fresh_database(postgres_required, transactional_db):
    """A new, empty database on the same server; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_locks_{get_random_string(6).lower()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield services.test_database_url().rsplit("/", 1)[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_the_recent_migrations_pass_the_lock_check_on_the_generated_dataset(fresh_database):
    command = [
        sys.executable,
        "manage.py",
        "migration_locks",
        "--quick",
        "--noinput",
        "--max-lock-seconds",
        "2",
        *("--from", "customers:0010_customer_change_event_columns"),
        *("--from", "complaints:0003_event_kernel_columns"),
        *("--from", "reports:0005_summary_event_kernel_columns"),
        *("--from", "visits:0005_report_event_kernel_columns"),
    ]
    env = os.environ.copy() | {"DATABASE_URL": fresh_database, "CRM_DEVTOOLS": "1"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    for migration in (
        "customers.0011_edit_versions",
        "customers.0012_create_form_tokens",
        "customers.0013_text_max_length",
        "complaints.0006_text_max_length",
        "reports.0007_text_max_length",
        "visits.0006_text_max_length",
    ):
        assert migration in done.stdout
