"""GIN index on the knowledge-base search tokens (PostgreSQL only; SQLite scans, which is fine at its scale).

The tokens are a text[] on PostgreSQL (see concierge.cases.search): containment (`@>`) of the query's bigrams
is answered from this index whatever the database's locale, which pg_trgm cannot promise for Chinese.
"""
from django.db import migrations

INDEX = "articletranslation_tokens_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_articletranslation USING gin (search_tokens)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
