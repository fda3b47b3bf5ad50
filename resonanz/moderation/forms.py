"""The rule form: what a rule may ask and do, checked before it ever runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from resonanz.inbox.conditions import CONVERSATION_CHANGES, MESSAGE_CONDITIONS, ConditionsForm
from resonanz.moderation.engine import word_list
from resonanz.moderation.models import Rule

MAX_WORDS = 500
MAX_WORD_LENGTH = 100
CONDITIONS = ["flag", "offensive_kind", "words", *MESSAGE_CONDITIONS]
ACTIONS = ["moderate", *CONVERSATION_CHANGES]


class RuleForm(ConditionsForm):
    condition_names = CONDITIONS
    action_names = ACTIONS

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

    def condition_fields(self) -> list[forms.BoundField]:
        # The score stands beside the flag it is about.
        return [self[name] for name in ("flag", "min_score", *CONDITIONS[1:])]

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_condition(data):
            raise forms.ValidationError(
                _("Set at least one condition: a rule without one would act on every message.")
            )
        if not self.has_action(data):
            raise forms.ValidationError(_("Choose at least one action."))
        return data
