from django.db import migrations, models

MODELS = ["contact", "customer", "customerimport"]


def form_token(*, unique: bool) -> models.UUIDField:
    return models.UUIDField(
        blank=True, editable=False, null=True, unique=unique, verbose_name="form token"
    )


def unique_form_token(model) -> models.UUIDField:
    field = form_token(unique=True)
    field.set_attributes_from_name("form_token")
    field.model = model
    return field


def add_unique_constraints(apps, schema_editor):
    """On PostgreSQL the unique index is built CONCURRENTLY, so the customer and
    contact tables stay writable while it scans them, then becomes the constraint
    (ADD CONSTRAINT ... USING INDEX: a moment's lock, no scan). The names are the
    ones PostgreSQL gives an inline UNIQUE, so every database ends up the same."""
    for model_name in MODELS:
        model = apps.get_model("customers", model_name)
        if schema_editor.connection.vendor != "postgresql":
            old = model._meta.get_field("form_token")
            schema_editor.alter_field(model, old, unique_form_token(model))
            continue
        table = model._meta.db_table
        name = f"{table}_form_token_key"
        # A CONCURRENTLY build that failed leaves an invalid index behind: drop it.
        schema_editor.execute(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_index WHERE NOT indisvalid "
            f"AND indexrelid = to_regclass('{name}')) THEN DROP INDEX {name}; END IF; END $$"
        )
        schema_editor.execute(
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} (form_token)"
        )
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"
        )


def remove_unique_constraints(apps, schema_editor):
    for model_name in MODELS:
        model = apps.get_model("customers", model_name)
        if schema_editor.connection.vendor != "postgresql":
            new = model._meta.get_field("form_token")
            schema_editor.alter_field(model, unique_form_token(model), new)
            continue
        table = model._meta.db_table
        schema_editor.execute(
            f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_form_token_key"
        )


class Migration(migrations.Migration):
    # Each statement commits on its own: the columns are added with a moment's
    # lock each, and the unique indexes are built while the tables stay in use.
    atomic = False

    dependencies = [
        ("customers", "0011_edit_versions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name=model_name, name="form_token", field=form_token(unique=True)
                )
                for model_name in MODELS
            ],
            database_operations=[
                *(
                    migrations.AddField(
                        model_name=model_name, name="form_token", field=form_token(unique=False)
                    )
                    for model_name in MODELS
                ),
                migrations.RunPython(add_unique_constraints, remove_unique_constraints),
            ],
        ),
    ]
