"""Indexes for the people list at a million people, and the count of rows with errors of an import.

- Sort keys (name, added, updated) each end with the id, so that one index serves the whole ORDER BY
  (they replace the (coalition, created_at) and (coalition, modified_at) indexes).
- Postal code and city prefix searches (case-insensitive, `istartswith`) need an index of the form
  each database compares with: PostgreSQL matches `UPPER(col::text) LIKE UPPER('x%')`, served by
  `text_pattern_ops` whatever the database's collation; SQLite matches `col LIKE 'x%'` (ASCII
  case-insensitive), served by a NOCASE index. Neither form exists on the other database, so these
  two are written by hand here and not declared on the model.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Lower

PREFIX_INDEXES = {
    "people_address_postal_prefix": "postal_code",
    "people_address_city_prefix": "locality",
}


def add_prefix_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, column in PREFIX_INDEXES.items():
        if vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "people_postaladdress" '
                f'("coalition_id", (UPPER("{column}"::text)) text_pattern_ops)'
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "people_postaladdress" '
                f'("coalition_id", "{column}" COLLATE NOCASE)'
            )


def drop_prefix_indexes(apps, schema_editor):
    if schema_editor.connection.vendor in {"postgresql", "sqlite"}:
        for name in PREFIX_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_import_jobs"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="people_pers_coaliti_7d0de1_idx",
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="people_pers_coaliti_051aea_idx",
        ),
        migrations.AddField(
            model_name="importjob",
            name="rows_with_errors",
            field=models.PositiveIntegerField(
                default=0, help_text="How many rows have at least one of the errors."
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["coalition", "modified_at", "id"], name="person_modified_sort"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["coalition", "created_at", "id"], name="person_created_sort"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                F("coalition"),
                Lower("family_name"),
                Lower("given_name"),
                F("id"),
                name="person_name_sort",
            ),
        ),
        migrations.RunPython(add_prefix_indexes, drop_prefix_indexes, elidable=False),
    ]
