from django.db import migrations

# Indexes for the customer search (customers.models.CustomerQuerySet.search) on
# PostgreSQL: a trigram GIN index for the name substring, pattern indexes for
# the code and phone prefixes (used whatever the database's collation). The
# trigram index needs the pg_trgm extension; where the application's role may
# not create it, the name search still works, by a scan within the scope.
STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS customers_customer_code_upper_idx "
    "ON customers_customer (upper(code) varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customers_contact_mobile_prefix_idx "
    "ON customers_contact (mobile varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customers_contact_phone_prefix_idx "
    "ON customers_contact (phone varchar_pattern_ops)",
]
TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customers_customer_name_trgm_idx "
    "ON customers_customer USING gin (upper(name) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS customers_customer_code_upper_idx",
    "DROP INDEX IF EXISTS customers_contact_mobile_prefix_idx",
    "DROP INDEX IF EXISTS customers_contact_phone_prefix_idx",
    "DROP INDEX IF EXISTS customers_customer_name_trgm_idx",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in STATEMENTS:
        schema_editor.execute(sql, params=None)
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            for sql in TRIGRAM:
                schema_editor.execute(sql, params=None)
    except DatabaseError:
        pass  # no CREATE EXTENSION privilege: see above


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_import_checking_state")]
    operations = [migrations.RunPython(forward, backward)]
