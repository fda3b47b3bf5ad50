"""Drop single-column indexes on foreign keys that a composite index already leads with:
every index costs each of the millions of inserts. Dropped by name (the same on SQLite and
PostgreSQL) instead of letting SQLite copy each table once per altered field."""

import django.db.models.deletion
from django.db import migrations, models

REDUNDANT = [
    ("inbox_conversation", "channel_id", "inbox_conversation_channel_id_8b41ed11"),
    ("inbox_conversation", "contact_id", "inbox_conversation_contact_id_4878e8e1"),
    ("inbox_conversation", "workspace_id", "inbox_conversation_workspace_id_5823640a"),
    ("inbox_message", "channel_id", "inbox_message_channel_id_5102d250"),
    ("inbox_message", "conversation_id", "inbox_message_conversation_id_37bc0d72"),
    ("inbox_message", "workspace_id", "inbox_message_workspace_id_9bbd5a9c"),
]


class Migration(migrations.Migration):
    dependencies = [("inbox", "0006_fts_conversation")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f'CREATE INDEX IF NOT EXISTS {name} ON {table} ("{column}")',
                )
                for table, column, name in REDUNDANT
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="channels.channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="conversations",
                        to="people.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="core.workspace",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="channels.channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="inbox.conversation",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.workspace",
                    ),
                ),
            ],
        ),
    ]
