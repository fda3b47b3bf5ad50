"""The rule form: what a rule may ask and do, checked before it ever runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from resonanz.channels.models import Channel
from resonanz.core.models import Workspace
from resonanz.core.text import clean_text
from resonanz.moderation.engine import word_list
from resonanz.moderation.models import Rule
from resonanz.triage.labels import DEFAULT_LANGUAGES

MAX_WORDS = 500
MAX_WORD_LENGTH = 100
CONDITIONS = [
    "flag",
    "offensive_kind",
    "sentiment",
    "intent",
    "language",
    "channel",
    "conversation_kind",
    "words",
    "min_priority",
]
ACTIONS = ["moderate", "set_priority", "assign_to", "add_tag"]


class RuleForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), required=False)

    class Meta:
        model = Rule
        fields = ["name", "enabled", *CONDITIONS, "min_score", *ACTIONS]
        widgets = {
            "words": forms.Textarea(attrs={"rows": 3}),
            "min_score": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.05}),
        }
        help_texts = {
            "words": _(
                "One word or phrase per line (or separated by commas), any case, whole words "
                "only; end it with * for any ending: idiot* also finds Idioten."
            ),
            "min_score": _(
                "How sure triage must be of the flag, from 0 to 1: 0.9 acts only on clear "
                "cases, 0.5 on every flagged message."
            ),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace
        )
        self.fields["assign_to"].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            memberships__workspace=workspace
        )
        languages = workspace.languages or list(DEFAULT_LANGUAGES)
        self.fields["language"].choices = [("", "")] + [  # type: ignore[attr-defined]
            (code, code) for code in languages
        ]
        # An unset select reads as what it means: a condition that matches any message,
        # an action that changes nothing.
        for names, blank in ((CONDITIONS, _("any")), (ACTIONS, _("no change"))):
            for name in names:
                field = self.fields[name]
                if hasattr(field, "empty_label"):
                    field.empty_label = blank
                elif hasattr(field, "choices"):
                    field.choices = [("", blank)] + [c for c in field.choices if c[0] != ""]

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("flag", "min_score", *CONDITIONS[1:])]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ACTIONS]

    def clean_min_score(self) -> float:
        score = self.cleaned_data["min_score"]
        if score is None or not 0.0 <= score <= 1.0:
            raise forms.ValidationError(_("The score is a number from 0 to 1."))
        return float(score)

    def clean_words(self) -> str:
        entries = word_list(self.cleaned_data.get("words") or "")
        if len(entries) > MAX_WORDS:
            raise forms.ValidationError(
                _("At most %(count)d words per rule.") % {"count": MAX_WORDS}
            )
        if any(len(entry) > MAX_WORD_LENGTH for entry in entries):
            raise forms.ValidationError(
                _("A word or phrase has at most %(count)d characters.") % {"count": MAX_WORD_LENGTH}
            )
        if any(not entry.rstrip("*") for entry in entries):
            raise forms.ValidationError(_("A lone * would match every word."))
        return "\n".join(entries)

    def clean_add_tag(self) -> str:
        return clean_text(self.cleaned_data.get("add_tag") or "", 60).replace("\n", " ")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) not in (None, "", False) for name in CONDITIONS):
            raise forms.ValidationError(
                _("Set at least one condition: a rule without one would act on every message.")
            )
        if not any(data.get(name) not in (None, "") for name in ACTIONS):
            raise forms.ValidationError(_("Choose at least one action."))
        return data
