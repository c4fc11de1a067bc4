"""On PostgreSQL, the name sort index also holds the names (INCLUDE), so that a deep page of the
list sorted by name reads its ids from the index alone (an index-only scan: PostgreSQL cannot
return a column from an index on `LOWER(column)`), not a table row for every row it skips.
SQLite keeps the index of migration 0003; the model state does not change."""

from django.db import migrations

COLUMNS = '"coalition_id", LOWER("family_name"), LOWER("given_name"), "id"'


def include_names(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "person_name_sort"')
        schema_editor.execute(
            f'CREATE INDEX "person_name_sort" ON "people_person" ({COLUMNS}) '
            'INCLUDE ("family_name", "given_name")'
        )


def exclude_names(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "person_name_sort"')
        schema_editor.execute(f'CREATE INDEX "person_name_sort" ON "people_person" ({COLUMNS})')


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_phone_numbers_e164"),
    ]

    operations = [migrations.RunPython(include_names, exclude_names, elidable=False)]
