"""SLA clocks: started by the worker after triage, checked on a schedule.

- :func:`start_timers` runs right after a batch of messages is labelled: each waiting
  conversation gets the first enabled policy it meets, and a timer for its current wait
  (one per conversation and ``waiting_since``, so a re-run adds nothing). A later message
  of the same wait may tighten the deadline (a stricter policy now matches), never loosen it:
  what was promised stands.
- :func:`check` runs on the schedule: it stops timers whose wait ended (answered or
  closed; the answer time is the first reply after the wait began, so a late check still
  records the right time) and marks and escalates the ones whose time has passed. Each
  timer is claimed with a conditional lock, so many workers never escalate twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from resonanz.core.models import Role
from resonanz.core.permissions import Access
from resonanz.inbox.conditions import Facts, matches_conditions
from resonanz.inbox.models import NOT_WAITING_BASE, Conversation, Direction, Message
from resonanz.sla.business import add_business_minutes
from resonanz.sla.models import BusinessHours, Policy, Timer

logger = logging.getLogger(__name__)

# Waits this old without a timer (a crash between labelling and starting it) are still
# picked up by the scheduled check.
RECOVER_WITHIN = timedelta(hours=6)


def conversation_facts(conversation: Conversation) -> Facts:
    """A conversation as policies see it: the labels of its latest message, its own
    priority (which a person may have raised) and where it came from."""
    return Facts(
        text="",
        language=conversation.language,
        sentiment=conversation.sentiment,
        intent=conversation.intent,
        offensive=conversation.offensive,
        offensive_score=0.0,
        offensive_kind="",
        spam=conversation.spam,
        spam_score=0.0,
        priority=conversation.priority,
        channel_id=conversation.channel_id,
        conversation_kind=conversation.kind,
    )


def deadline(policy: Policy, start: datetime, hours: BusinessHours) -> datetime:
    """When an answer is due for a wait that began at ``start``."""
    if not policy.business_hours_only:
        return start + timedelta(minutes=policy.first_response_minutes)
    tz = ZoneInfo(policy.workspace.timezone)
    return add_business_minutes(
        start,
        policy.first_response_minutes,
        hours.week,
        tz,
        hours.holiday_country,
        hours.holiday_subdivision,
    )


def policy_for(policies: Iterable[Policy], conversation: Conversation) -> Policy | None:
    """The first policy the conversation meets; none for spam (nobody owes it an answer,
    and its clock would only escalate it)."""
    if conversation.spam:
        return None
    facts = conversation_facts(conversation)
    return next((p for p in policies if matches_conditions(p, facts)), None)


def start_timers(conversation_ids: Iterable[int]) -> int:
    """Start (or tighten) the clock of each given conversation that waits; return how many
    timers were started.

    A batch costs a fixed handful of queries (conversations, policies, hours, their running
    timers, one insert); only a wait whose deadline is new or tightened writes its
    conversation.
    """
    conversations = list(
        Conversation.objects.filter(pk__in=list(conversation_ids), waiting_since__isnull=False)
    )
    by_workspace: dict[int, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_workspace[conversation.workspace_id].append(conversation)
    started = 0
    for workspace_id, group in by_workspace.items():
        policies = list(
            Policy.objects.filter(workspace_id=workspace_id, enabled=True).select_related(
                "workspace"
            )
        )
        if policies:
            started += _start(group, policies, BusinessHours.of(workspace_id))
    return started


def _start(conversations: list[Conversation], policies: list[Policy], hours: BusinessHours) -> int:
    current = {
        (timer.conversation_id, timer.started_at): timer
        for timer in Timer.objects.filter(
            conversation_id__in=[c.pk for c in conversations], stopped_at__isnull=True
        )
    }
    new: list[Timer] = []
    tightened: list[Timer] = []
    for conversation in conversations:
        policy = policy_for(policies, conversation)
        if policy is None or conversation.waiting_since is None:
            continue
        timer = current.get((conversation.pk, conversation.waiting_since))
        if timer is not None and timer.policy_id == policy.pk:
            continue  # the same wait under the same policy: the same deadline
        due = deadline(policy, conversation.waiting_since, hours)
        if timer is None:
            new.append(
                Timer(
                    workspace_id=conversation.workspace_id,
                    conversation=conversation,
                    policy=policy,
                    started_at=conversation.waiting_since,
                    due_at=due,
                )
            )
        elif due < timer.due_at:
            timer.due_at, timer.policy = due, policy
            tightened.append(timer)
    with transaction.atomic():
        # A concurrent run may have started the same wait: the first timer stands.
        Timer.objects.bulk_create(new, ignore_conflicts=True)
        for timer in tightened:
            Timer.objects.filter(pk=timer.pk, due_at__gt=timer.due_at).update(
                due_at=timer.due_at, policy=timer.policy
            )
        for timer in new + tightened:
            # Only while this wait is still the conversation's current one.
            Conversation.objects.filter(
                pk=timer.conversation_id, waiting_since=timer.started_at
            ).update(sla_due_at=timer.due_at)
    return len(new)


def check(now: datetime | None = None, limit: int = 2000) -> dict[str, int]:
    """Stop ended waits, escalate overdue ones, recover missed starts; return counts."""
    now = now or timezone.now()
    return {
        "stopped": _stop_ended(limit),
        "breached": _escalate_overdue(now, limit),
        "recovered": _recover(now, limit),
    }


def _stop_ended(limit: int) -> int:
    """Close the timers of waits that ended since (answered, or closed without answer)."""
    ended = list(
        Timer.objects.filter(stopped_at__isnull=True)
        # Still waiting since the same moment = the same wait, still running.
        .exclude(conversation__waiting_since=F("started_at"))
        .select_related("conversation")
        .order_by("due_at")[:limit]
    )
    stopped = 0
    for timer in ended:
        conversation = timer.conversation
        answer = (
            Message.objects.filter(
                conversation=conversation,
                direction=Direction.OUTBOUND,
                created_at__gte=timer.started_at,
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        stopped += Timer.objects.filter(pk=timer.pk, stopped_at__isnull=True).update(
            stopped_at=answer or timezone.now(), answered=answer is not None
        )
        # The conversation shows no deadline unless a newer wait has set its own.
        Conversation.objects.filter(pk=conversation.pk, sla_due_at=timer.due_at).update(
            sla_due_at=None
        )
    return stopped


def _escalate_overdue(now: datetime, limit: int) -> int:
    from resonanz.inbox.services import InvalidChange, publish_event, update_conversation

    overdue = list(
        Timer.objects.filter(stopped_at__isnull=True, breached_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    breached = 0
    for timer_id in overdue:
        with transaction.atomic():
            timer = (
                Timer.objects.select_for_update(of=("self",))
                .select_related("conversation", "policy", "workspace")
                .filter(pk=timer_id, breached_at__isnull=True)
                .first()
            )
            if timer is None or timer.conversation.waiting_since != timer.started_at:
                continue  # escalated by another worker, or answered meanwhile
            timer.breached_at = now
            timer.save(update_fields=["breached_at"])
            breached += 1
            policy = timer.policy
            change = policy.change_arguments() if policy is not None else {}
            if change:
                access = Access(timer.workspace, Role.MANAGER, None, actor_label=f"SLA: {policy}")
                try:
                    update_conversation(access, timer.conversation, **change)
                except InvalidChange as exc:
                    logger.warning("SLA escalation of timer %s: %s", timer.pk, exc)
            publish_event(timer.workspace_id, "sla", timer.conversation_id)
    return breached


def _recover(now: datetime, limit: int) -> int:
    """Start the clocks a crash left unstarted: recent waits without their timer, in
    workspaces that have policies."""
    has_timer = Timer.objects.filter(
        conversation_id=OuterRef("pk"), started_at=OuterRef("waiting_since")
    )
    missing = (
        Conversation.objects.filter(
            workspace_id__in=Policy.objects.filter(enabled=True).values("workspace_id"),
            # A waiting conversation's sort key is its waiting_since (see Conversation):
            # a range on the inbox's own index instead of a scan of the workspace.
            sort_key__gte=int((now - RECOVER_WITHIN).timestamp()),
            sort_key__lt=NOT_WAITING_BASE,
            waiting_since__isnull=False,
            sla_due_at__isnull=True,
        )
        .exclude(Exists(has_timer))
        .values_list("pk", flat=True)[:limit]
    )
    return start_timers(list(missing))
