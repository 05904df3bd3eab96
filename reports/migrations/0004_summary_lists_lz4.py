"""The big lists of a monthly summary compressed with lz4 instead of pglz.

A build rewrites them for every unit of the month (7 MB of text for the 50
units of the benchmark); PostgreSQL's default pglz compression was half of
the writing time, lz4 is about twice as fast for the same kind of text.
PostgreSQL only, and only where the server was built with lz4 (Debian's is);
elsewhere nothing changes.
"""

from django.db import migrations

TABLE = "reports_monthlypatrolsummary"
COLUMNS = ("behind", "opinions", "market", "compliance", "urgent")


def _lz4_available(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _set(method: str):
    def run(apps, schema_editor):
        if not _lz4_available(schema_editor):
            return
        clauses = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {TABLE} {clauses}")

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_big_customer_reviews")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
