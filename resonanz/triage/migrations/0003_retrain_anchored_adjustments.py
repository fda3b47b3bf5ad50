"""Adjustments learned before anchoring could flag a whole workspace; retrain them all.

Setting `last_example_id` to 0 makes the next scheduled `triage.retrain` run fit every
workspace's adjustment again (with anchors, on word n-grams); until then the old ones stay.
"""

from django.db import migrations


def mark_for_retraining(apps, schema_editor):
    apps.get_model("triage", "WorkspaceModel").objects.update(last_example_id=0)


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_workspace_model")]

    operations = [migrations.RunPython(mark_for_retraining, migrations.RunPython.noop)]
