"""PostgreSQL: a stored ``search`` tsvector (German || English) kept by a trigger.

Checking a row against the query then reads the stored vector instead of re-stemming the
body, and the GIN index sits on that column. SQLite keeps its FTS5 table (0002).
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE inbox_message ADD COLUMN IF NOT EXISTS search tsvector",
    """
    CREATE OR REPLACE FUNCTION resonanz_message_search() RETURNS trigger AS $$
    BEGIN
        NEW.search := to_tsvector('german', NEW.body) || to_tsvector('english', NEW.body);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS inbox_message_search_trg ON inbox_message",
    """
    CREATE TRIGGER inbox_message_search_trg BEFORE INSERT OR UPDATE OF body ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION resonanz_message_search()
    """,
    "UPDATE inbox_message SET search = to_tsvector('german', body) || to_tsvector('english', body)",
    "DROP INDEX IF EXISTS inbox_message_search_idx",
    "CREATE INDEX IF NOT EXISTS inbox_message_search_gin ON inbox_message USING GIN (search)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS inbox_message_search_gin",
    "DROP TRIGGER IF EXISTS inbox_message_search_trg ON inbox_message",
    "DROP FUNCTION IF EXISTS resonanz_message_search()",
    "ALTER TABLE inbox_message DROP COLUMN IF EXISTS search",
    "CREATE INDEX IF NOT EXISTS inbox_message_search_idx ON inbox_message USING GIN "
    "((to_tsvector('german', body) || to_tsvector('english', body)))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0004_mention")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
