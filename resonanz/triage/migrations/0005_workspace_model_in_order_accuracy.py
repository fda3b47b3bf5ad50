"""The accuracy of a workspace model on its corrections in the order they were made.

Setting `last_example_id` to 0 makes the next scheduled `triage.retrain` run measure it for
every workspace model; until then the page shows the figure it had.
"""

from django.db import migrations, models


def mark_for_retraining(apps, schema_editor):
    apps.get_model("triage", "WorkspaceModel").objects.update(last_example_id=0)


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_workspace_model_base_version")]

    operations = [
        migrations.AddField(
            model_name="workspacemodel",
            name="in_order_accuracy",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(mark_for_retraining, migrations.RunPython.noop),
    ]
