"""What a workspace's team taught triage: corrected labels, kept per workspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resonanz.core.models import Workspace


class ExampleSource(models.TextChoices):
    EXPLICIT = "explicit", _("Corrected by a team member")
    IMPLIED = "implied", _("Implied by an action (marked spam, hidden)")


class LabelExample(models.Model):
    """One labelled text of one workspace; never used for another workspace's model."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "inbox.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.CharField(max_length=16)
    label = models.CharField(max_length=16)
    predicted = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    source = models.CharField(max_length=16, choices=ExampleSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "task"], name="label_example_unique")
        ]
        indexes = [models.Index(fields=["workspace", "task", "-id"], name="label_ws_task_idx")]


class WorkspaceModel(models.Model):
    """A workspace's own correction layer for one task, trained on its examples only.

    ``state`` holds the fitted weights (see ``triage.workspace_models``); the accuracies are
    measured on the workspace's examples (``Triage.correction_gain``), so the team sees what
    its corrections changed.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    task = models.CharField(max_length=16)
    state = models.BinaryField()
    examples = models.PositiveIntegerField()
    last_example_id = models.BigIntegerField()
    # `Triage.version` of the base model it was fitted on; another base means a retraining.
    base_version = models.CharField(max_length=32, blank=True, default="")
    base_accuracy = models.FloatField()
    # Each example judged by what the examples unlike it taught (new wording).
    adapted_accuracy = models.FloatField()
    # Each example judged by what the examples before it taught; None until the first
    # training after this was added.
    in_order_accuracy = models.FloatField(null=True, blank=True)
    trained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "task"], name="workspace_model_unique")
        ]
