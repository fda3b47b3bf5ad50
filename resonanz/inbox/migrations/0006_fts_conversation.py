"""SQLite: the FTS5 table also carries each message's conversation and workspace
(UNINDEXED), so a search needs no join back to the messages. Rebuilt from the messages."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE inbox_message_fts USING fts5("
    "stems, conversation_id UNINDEXED, workspace_id UNINDEXED, "
    "tokenize='unicode61 remove_diacritics 2')"
)


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from resonanz.inbox.search import stems

    schema_editor.execute("DROP TABLE IF EXISTS inbox_message_fts")
    schema_editor.execute(CREATE)
    Message = apps.get_model("inbox", "Message")
    rows = Message.objects.values_list("id", "body", "conversation_id", "workspace_id")
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for pk, body, conversation_id, workspace_id in rows.iterator(chunk_size=2000):
            batch.append((pk, " ".join(stems(body)), conversation_id, workspace_id))
            if len(batch) >= 2000:
                cursor.executemany(
                    "INSERT INTO inbox_message_fts(rowid, stems, conversation_id, workspace_id) "
                    "VALUES (%s, %s, %s, %s)",
                    batch,
                )
                batch = []
        if batch:
            cursor.executemany(
                "INSERT INTO inbox_message_fts(rowid, stems, conversation_id, workspace_id) "
                "VALUES (%s, %s, %s, %s)",
                batch,
            )


class Migration(migrations.Migration):
    dependencies = [("inbox", "0005_search_column")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]
