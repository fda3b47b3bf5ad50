"""Full-text search index: FTS5 table on SQLite, GIN expression index on PostgreSQL."""

from django.db import migrations

PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS inbox_message_search_idx ON inbox_message USING GIN "
    "((to_tsvector('german', body) || to_tsvector('english', body)))"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS inbox_message_fts USING fts5("
            "stems, tokenize='unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(PG_INDEX)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS inbox_message_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS inbox_message_search_idx")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
