"""Changes to moderation rules: the pages and the API both call these."""

from __future__ import annotations

from resonanz.core.ordered import OrderedSettings
from resonanz.moderation.models import Rule

# What the audit log keeps of a rule: its conditions and actions, not its counters.
AUDITED_FIELDS = [
    "name",
    "enabled",
    "flag",
    "min_score",
    "offensive_kind",
    "sentiment",
    "intent",
    "language",
    "channel",
    "conversation_kind",
    "words",
    "min_priority",
    "moderate",
    "set_priority",
    "assign_to",
    "add_tag",
]


RULES = OrderedSettings(Rule, "moderation.rule", AUDITED_FIELDS)
save_rule = RULES.save
set_enabled = RULES.set_enabled
delete_rule = RULES.delete
