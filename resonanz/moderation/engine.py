"""Which rules a message meets, and carrying out what they say.

Two steps, so that nothing decided is lost and nothing is done twice:

1. :func:`decide` runs in the worker beside triage: it matches the fresh labels against
   the workspace's enabled rules, and :func:`record_hits` stores one ``RuleHit`` per
   (rule, message) in the same transaction that stores the labels.
2. :func:`apply_hits` then carries each pending hit out in its own transaction (hide,
   mark spam, hold for review, priority, assignee, tag) through the same services a
   person's click uses, and marks it applied. A hit left pending by a crash in between is
   applied by the scheduled sweep (:func:`apply_pending`); two workers never apply the
   same hit, as each claims it with a conditional lock first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from resonanz.core.models import Role
from resonanz.core.permissions import Access
from resonanz.inbox.conditions import Facts, matches_conditions
from resonanz.inbox.models import Conversation, Direction, Message
from resonanz.moderation.models import Moderate, Rule, RuleHit

logger = logging.getLogger(__name__)


def word_list(words: str) -> list[str]:
    """The entries of a rule's word list: one per line or separated by commas."""
    return [w.strip() for w in re.split(r"[\n,]", words) if w.strip()]


@lru_cache(maxsize=256)
def word_pattern(words: str) -> re.Pattern[str] | None:
    """Whole words and phrases, case-insensitive; a trailing ``*`` allows any ending
    ("idiot*" also finds "Idioten", "Idiotenverein")."""
    parts = []
    for entry in word_list(words):
        stem = entry.casefold()
        if stem.endswith("*"):
            parts.append(re.escape(stem.rstrip("*")) + r"\w*")
        else:
            parts.append(re.escape(stem))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def matches(rule: Rule, facts: Facts) -> bool:
    """Whether the message meets every condition the rule sets (unset ones match)."""
    if rule.flag == "offensive" and not (
        facts.offensive and facts.offensive_score >= rule.min_score
    ):
        return False
    if rule.flag == "spam" and not (facts.spam and facts.spam_score >= rule.min_score):
        return False
    if rule.offensive_kind and not (
        facts.offensive and facts.offensive_kind == rule.offensive_kind
    ):
        return False
    if rule.words.strip():
        pattern = word_pattern(rule.words)
        if pattern is None or not pattern.search(facts.text.casefold()):
            return False
    return matches_conditions(rule, facts)


def enabled_rules(workspace_id: int) -> list[Rule]:
    return list(Rule.objects.filter(workspace_id=workspace_id, enabled=True))


@dataclass(frozen=True)
class Decision:
    rule_id: int
    message_id: int
    conversation_id: int
    workspace_id: int


def decide(
    workspace_id: int,
    messages: Sequence[Message],
    labels: Mapping[int, Mapping[str, Any]],
) -> list[Decision]:
    """The rules each freshly triaged message meets (in rule order); no writes."""
    rules = enabled_rules(workspace_id)
    if not rules:
        return []
    kinds = dict(
        Conversation.objects.filter(pk__in={m.conversation_id for m in messages}).values_list(
            "pk", "kind"
        )
    )
    decisions = []
    for message in messages:
        if message.pk not in labels:
            continue
        facts = Facts.from_labels(
            message.body,
            labels[message.pk],
            message.channel_id,
            kinds.get(message.conversation_id, ""),
        )
        decisions += [
            Decision(rule.pk, message.pk, message.conversation_id, workspace_id)
            for rule in rules
            if matches(rule, facts)
        ]
    return decisions


def record_hits(decisions: Sequence[Decision]) -> list[int]:
    """Store the decisions as pending hits (call inside the labelling transaction); return
    the ids of the pending hits of these messages. A hit recorded before is kept as it is."""
    RuleHit.objects.bulk_create(
        [
            RuleHit(
                workspace_id=d.workspace_id,
                rule_id=d.rule_id,
                message_id=d.message_id,
                conversation_id=d.conversation_id,
            )
            for d in decisions
        ],
        ignore_conflicts=True,
    )
    return list(
        RuleHit.objects.filter(
            message_id__in={d.message_id for d in decisions}, applied_at__isnull=True
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )


def reads_as_praise(message: Message) -> bool:
    """Triage's mood and intent both say praise: such a message is never hidden unseen."""
    return message.sentiment == "positive" and message.intent == "praise"


def apply_hits(hit_ids: Iterable[int]) -> int:
    """Carry out pending hits; return how many this call applied."""
    from resonanz.inbox.services import InvalidChange, hold_message, update_conversation

    applied = 0
    for hit_id in hit_ids:
        with transaction.atomic():
            hit = (
                RuleHit.objects.select_for_update(of=("self",))
                .select_related("rule", "workspace", "message__conversation")
                .filter(pk=hit_id, applied_at__isnull=True)
                .first()
            )
            if hit is None:
                continue
            rule, conversation = hit.rule, hit.message.conversation
            # The rule acts with a manager's rights (who may set rules up), as itself.
            access = Access(hit.workspace, Role.MANAGER, None, actor_label=f"rule: {rule.name}")
            change = rule.change_arguments()
            hold = rule.moderate == Moderate.HOLD
            if rule.moderate == Moderate.HIDE and reads_as_praise(hit.message):
                # Triage contradicts itself (offensive, yet praise): off the page all the
                # same, but a person decides ("Ihr seid toll!" or "Great job, morons.").
                change.pop("state", None)
                hold = True
            outcome: dict[str, Any] = dict(change)
            try:
                if change:
                    update_conversation(access, conversation, **change)
            except InvalidChange as exc:
                # The assignee has left the workspace, say: do the rest, keep what failed.
                logger.warning("Rule %s on message %s: %s", rule.pk, hit.message_id, exc)
                outcome = {"error": str(exc)}
                rest = {k: v for k, v in change.items() if k != "assignee_id"}
                if rest and rest != change:
                    try:
                        update_conversation(access, conversation, **rest)
                        outcome.update(rest)
                    except InvalidChange:
                        pass
            if hold:
                outcome["held"] = hold_message(access, hit.message)
            now = timezone.now()
            RuleHit.objects.filter(pk=hit.pk).update(applied_at=now, actions=outcome)
            Rule.objects.filter(pk=rule.pk).update(hit_count=F("hit_count") + 1, last_hit_at=now)
            applied += 1
    return applied


def apply_pending(older_than_seconds: int = 60, limit: int = 1000) -> int:
    """Apply hits that a crash left pending (the scheduled sweep)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        RuleHit.objects.filter(applied_at__isnull=True, created_at__lt=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return apply_hits(ids)


def preview(rule: Rule, recent: int = 500) -> tuple[int, int, list[Message]]:
    """How many of the workspace's latest triaged inbound messages the rule would meet:
    (matched, looked at, up to five examples)."""
    messages = list(
        Message.objects.filter(
            workspace_id=rule.workspace_id,
            direction=Direction.INBOUND,
            processed_at__isnull=False,
        )
        .select_related("conversation")
        .order_by("-id")[:recent]
    )
    hits = [m for m in messages if matches(rule, Facts.of_message(m, m.conversation.kind))]
    return len(hits), len(messages), hits[:5]
