"""An index for :func:`resonanz.core.queue.enqueue_once`: find a waiting task by its path
without reading through a backlog of other waiting tasks."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "resonanz_waiting_task_path_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_throttle"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON {TABLE} (task_path) WHERE status = 'READY'",
            f"DROP INDEX {INDEX}",
        ),
    ]
