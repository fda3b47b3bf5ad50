"""Builds the demo workspace: a German energy and mobile provider's community over 60 days.

Reproducible (fixed seed; times are relative to today). Inbound messages go through the
real :func:`~resonanz.channels.ingest.ingest`, so the worker triages them like any other.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from resonanz.accounts.models import ApiToken, User
from resonanz.accounts.services import create_token
from resonanz.channels.ingest import InboundItem, ingest
from resonanz.channels.models import Channel, ChannelKind, OutboxItem, OutboxStatus
from resonanz.core.models import Membership, Role, Workspace
from resonanz.core.permissions import Access
from resonanz.core.text import render_plain_text
from resonanz.demo import content
from resonanz.inbox.aggregates import apply_message
from resonanz.inbox.models import (
    Conversation,
    ConversationKind,
    Direction,
    Message,
    Priority,
    State,
    Tag,
    Visibility,
)
from resonanz.inbox.processing import process_messages
from resonanz.inbox.search import index_messages
from resonanz.inbox.services import update_conversation
from resonanz.moderation.models import Rule
from resonanz.sla.models import BusinessHours, Policy
from resonanz.triage.services import correct_label

DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@resonanz.local"
DEMO_PASSWORD = "resonanz-demo"  # noqa: S105 (documented demo login)
SEED = 20261125
DAYS = 60
# Share of answered conversations whose wrong intent label the agent corrects, and the
# template intents sure enough to correct to: by the labelling guidelines a template's
# "question" about a student discount is a lead, and its "other" "Schöner Artikel, weiter
# so." is praise, so those templates teach nothing.
CORRECTED_SHARE = 0.5
CORRECTED_INTENTS = ("lead", "complaint", "praise")
TEAM = [
    ("anna@resonanz.local", "Anna (Social Media)", Role.MANAGER),
    ("ben@resonanz.local", "Ben (Support)", Role.AGENT),
    ("clara@resonanz.local", "Clara (Moderation)", Role.MODERATOR),
    ("viewer@resonanz.local", "Vorstand (nur lesen)", Role.VIEWER),
]


@dataclass(frozen=True)
class DemoInfo:
    email: str
    password: str
    token: str
    workspace: Workspace


def ensure_demo(log: Callable[[str], None] = lambda s: None, *, size: int = 2200) -> DemoInfo:
    """Create the demo workspace unless it exists; always hand out a fresh demo API token."""
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        log("Loading the demo workspace (first start only) ...")
        workspace = build_demo(size=size)
        log(
            f"  {Message.objects.filter(workspace=workspace).count()} messages, "
            f"{workspace.contacts.count()} contacts, "
            f"{workspace.conversations.count()} conversations."
        )
    user = User.objects.get(email=DEMO_EMAIL)
    ApiToken.objects.filter(
        user=user, workspace=workspace, name="demo", revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    _, raw = create_token(Access(workspace, Role.OWNER, user.pk), name="demo")
    return DemoInfo(DEMO_EMAIL, DEMO_PASSWORD, raw, workspace)


def _user(email: str, name: str, password: str | None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, display_name=name)
    return user


def build_demo(*, size: int = 2200, now: datetime | None = None) -> Workspace:
    rng = random.Random(SEED)
    now = now or timezone.now()
    owner = _user(DEMO_EMAIL, "Demo", DEMO_PASSWORD)
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name="Stromfix Community", slug=DEMO_SLUG, languages=["de", "en"]
        )
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        team = [owner]
        for email, name, role in TEAM:
            member = _user(email, name, DEMO_PASSWORD)
            Membership.objects.create(workspace=workspace, user=member, role=role)
            if role in (Role.MANAGER, Role.AGENT):
                team.append(member)
        origins = sorted({settings.PUBLIC_URL, "http://127.0.0.1:8000", "http://localhost:8000"})
        widget = Channel.objects.create(
            workspace=workspace,
            kind=ChannelKind.WIDGET,
            slug="widget",
            name="Website-Kommentare",
            config={"allowed_origins": origins, "premoderation": False, "max_length": 3000},
        )
        webhook = Channel.objects.create(
            workspace=workspace,
            kind=ChannelKind.WEBHOOK,
            slug="webhook",
            name="Shop & Kontaktformular",
        )
        Channel.objects.create(
            workspace=workspace, kind=ChannelKind.IMPORT, slug="import", name="Import (Altdaten)"
        )
        for name in ("Rechnung", "Störung", "Tarif", "App", "DSGVO", "Lob"):
            Tag.objects.create(workspace=workspace, name=name)
        _moderation_rules(workspace, owner, team)
        _sla_policies(workspace, owner, team)

    people = _people(rng, 340)
    widget_items: list[tuple[InboundItem, str]] = []
    webhook_items: list[tuple[InboundItem, str]] = []
    start = now - timedelta(days=DAYS)
    for n in range(size):
        # More traffic in recent weeks and during German daytime.
        day_offset = DAYS * (1 - rng.random() ** 1.4)
        created = start + timedelta(days=day_offset)
        created = created.replace(
            hour=rng.choice([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]),
            minute=rng.randrange(60),
        )
        if created > now:
            created = now - timedelta(minutes=rng.randrange(5, 600))
        first, last, author_id, email = rng.choice(people)
        roll = rng.random()
        if roll < 0.70:
            english = rng.random() < 0.15
            intent, template = rng.choice(content.ENGLISH if english else content.GERMAN)
            slug, title = rng.choice(
                content.ARTICLES[5:] if english and rng.random() < 0.5 else content.ARTICLES
            )
            widget_items.append(
                (
                    InboundItem(
                        external_id=f"demo-w-{n}",
                        text=_fill(template, rng),
                        author_id=author_id,
                        author_name=f"{first} {last[0]}.",
                        author_email=email if rng.random() < 0.4 else "",
                        created_at=created,
                        kind=ConversationKind.COMMENT,
                        thread_key=slug,
                        thread_url=f"{settings.PUBLIC_URL}/demo/article/{slug.split('-')[1]}",
                        thread_title=title,
                    ),
                    intent,
                )
            )
        elif roll < 0.80:
            widget_items.append(
                (
                    InboundItem(
                        external_id=f"demo-f-{n}",
                        text=rng.choice(content.FEEDBACK_DE),
                        author_id=author_id,
                        author_name=f"{first} {last}",
                        author_email=email,
                        created_at=created,
                        kind=ConversationKind.FEEDBACK,
                        visibility=Visibility.PRIVATE,
                    ),
                    "feedback",
                )
            )
        else:
            intent, template = rng.choice(content.WEBHOOK_DE)
            webhook_items.append(
                (
                    InboundItem(
                        external_id=f"demo-h-{n}",
                        text=_fill(template, rng),
                        author_id=f"shop-{author_id}",
                        author_name=f"{first} {last}",
                        author_email=email,
                        created_at=created,
                        kind=ConversationKind.DM,
                        conversation_key=f"ticket-{author_id}-{int(day_offset) // 7}",
                    ),
                    intent,
                )
            )
    intents: dict[str, str] = {}
    stored: list[int] = []
    for channel, pairs in ((widget, widget_items), (webhook, webhook_items)):
        # Processed right below, not by a task.
        result = ingest(channel, [item for item, _ in pairs], after_commit=lambda ids: None)
        stored += result.created_ids
        intents.update({item.external_id: intent for item, intent in pairs})
    # Triage first, as the worker would have long before the team acted on these messages:
    # the team's later moderation is then recorded against what triage really said.
    for chunk_start in range(0, len(stored), 500):
        process_messages(stored[chunk_start : chunk_start + 500])
    _answer_and_triage(workspace, team, intents, rng, now)
    return workspace


def _moderation_rules(workspace: Workspace, owner: User, team: list[User]) -> None:
    """The rules a German brand sets up first: insults hidden, legal threats escalated."""
    support = next(u for u in team if u.email.startswith("ben@"))
    Rule.objects.create(
        workspace=workspace,
        name="Beleidigungen ausblenden",
        position=1,
        flag="offensive",
        min_score=0.75,
        moderate="hidden",
        created_by=owner,
    )
    Rule.objects.create(
        workspace=workspace,
        name="Rechtliche Drohungen sofort an Support",
        position=2,
        words="anwalt*\nanwält*\nverbraucherzentrale\nabmahnung\nlawyer",
        set_priority=Priority.URGENT,
        assign_to=support,
        add_tag="Recht",
        created_by=owner,
    )


def _sla_policies(workspace: Workspace, owner: User, team: list[User]) -> None:
    """A Kassel energy supplier's promise: urgent within the hour, complaints the same
    working day, everything else within one working day (Hessian holidays off)."""
    manager = next(u for u in team if u.email.startswith("anna@"))
    BusinessHours.objects.create(
        workspace=workspace, holiday_country="DE", holiday_subdivision="HE"
    )
    Policy.objects.create(
        workspace=workspace,
        name="Dringend: innerhalb einer Stunde",
        position=1,
        min_priority=Priority.URGENT,
        first_response_minutes=60,
        business_hours_only=False,
        assign_to=manager,
        add_tag="SLA verletzt",
        created_by=owner,
    )
    Policy.objects.create(
        workspace=workspace,
        name="Beschwerden: 4 Stunden",
        position=2,
        intent="complaint",
        first_response_minutes=240,
        set_priority=Priority.HIGH,
        created_by=owner,
    )
    Policy.objects.create(
        workspace=workspace,
        name="Standard: ein Arbeitstag",
        position=3,
        first_response_minutes=600,
        created_by=owner,
    )


def _people(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    people = []
    for i in range(count):
        first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
        email = (
            f"{first.lower()}.{last.lower()}{i}@example.org".replace("ü", "ue")
            .replace("ö", "oe")
            .replace("ä", "ae")
        )
        people.append((first, last, f"visitor-{i:04d}", email))
    return people


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        product=rng.choice(content.PRODUCTS),
        city=rng.choice(content.CITIES),
        first=rng.choice(content.FIRST_NAMES),
        last=rng.choice(content.LAST_NAMES),
        order=f"SF-{rng.randrange(100000, 999999)}",
    )


def _answer_and_triage(
    workspace: Workspace,
    team: list[User],
    intents: dict[str, str],
    rng: random.Random,
    now: datetime,
) -> None:
    """Team replies, states, tags and assignees, so the inbox looks like a working team's."""
    tags = {t.name: t for t in workspace.tags.all()}
    conversations = list(Conversation.objects.filter(workspace=workspace).select_related("contact"))
    first_messages = {
        m.conversation_id: m
        for m in Message.objects.filter(workspace=workspace, direction=Direction.INBOUND).order_by(
            "-created_at"
        )
    }
    replies: list[Message] = []
    outbox: list[tuple[Message, OutboxItem]] = []
    with transaction.atomic():
        for conv in conversations:
            first_message = first_messages[conv.pk]
            intent = intents.get(first_message.external_id, "other")
            age = now - conv.last_message_at
            moderator = Access(workspace, Role.OWNER, rng.choice(team).pk)
            # Moderation goes through the service like a person's click: audit log entries,
            # hidden from the page, and labelled examples the workspace model learns from.
            if intent == "spam":
                if age > timedelta(hours=6):
                    update_conversation(moderator, conv, state=State.SPAM)
                continue
            if intent == "rude" and rng.random() < 0.5 and age > timedelta(hours=3):
                update_conversation(moderator, conv, state=State.HIDDEN)
                continue
            # A working team: almost everything older than two days is answered or closed;
            # what still waits is recent (the top of the inbox is today's work).
            answered = age > timedelta(hours=2) and rng.random() < (
                0.9 if age > timedelta(days=2) else 0.45
            )
            agent = rng.choice(team)
            if rng.random() < 0.6:
                conv.assignee = agent
            if intent in ("complaint",):
                conv.priority = Priority.HIGH if rng.random() < 0.7 else Priority.URGENT
            tag_name = {"complaint": "Störung", "praise": "Lob", "lead": "Tarif"}.get(intent)
            if answered:
                delay = timedelta(minutes=rng.choice([4, 9, 15, 25, 40, 70, 120, 240, 600, 1300]))
                reply_at = min(conv.last_message_at + delay, now - timedelta(minutes=1))
                text = _reply_text(intent, first_message, agent, rng)
                reply = Message(
                    workspace=workspace,
                    conversation=conv,
                    channel_id=conv.channel_id,
                    external_id=f"demo-reply-{uuid.uuid4()}",
                    parent=first_message,
                    direction=Direction.OUTBOUND,
                    visibility=Visibility.PUBLISHED
                    if conv.kind == ConversationKind.COMMENT
                    else Visibility.PRIVATE,
                    author_user=agent,
                    author_name=agent.label,
                    body=text,
                    body_html=render_plain_text(text),
                    created_at=reply_at,
                    received_at=reply_at,
                    processed_at=reply_at,
                )
                replies.append(reply)
                apply_message(conv, direction=Direction.OUTBOUND, created_at=reply_at, text=text)
                outbox.append(
                    (
                        reply,
                        OutboxItem(
                            workspace=workspace,
                            channel_id=conv.channel_id,
                            idempotency_key=uuid.uuid4().hex,
                            status=OutboxStatus.SENT,
                            attempts=1,
                            sent_at=reply_at,
                            created_by=agent,
                            external_id=reply.external_id,
                        ),
                    )
                )
                roll = rng.random()
                conv.state = (
                    State.RESOLVED if roll < 0.7 else (State.PENDING if roll < 0.85 else State.OPEN)
                )
                if conv.state == State.RESOLVED:
                    conv.resolved_at = reply_at + timedelta(minutes=rng.randrange(1, 90))
            elif age > timedelta(days=2):
                # Needed no answer (a remark among readers): closed without a reply.
                conv.state = State.RESOLVED
                conv.waiting_since = None
                conv.resolved_at = conv.last_message_at + timedelta(hours=rng.randrange(1, 30))
            elif age > timedelta(hours=12):
                conv.state = State.OPEN
            conv.sort_key = conv.compute_sort_key()
            conv.save()
            if tag_name and rng.random() < 0.6:
                conv.tags.add(tags[tag_name])
            # While answering, the agent sometimes puts right the intent triage got wrong
            # (after saving the conversation, which the correction updates too): the
            # workspace model learns from these, and the Triage page shows the gain.
            if (
                answered
                and intent in CORRECTED_INTENTS
                and first_message.intent != intent
                and rng.random() < CORRECTED_SHARE
            ):
                correct_label(
                    Access(workspace, Role.AGENT, agent.pk), first_message, "intent", intent
                )
        Message.objects.bulk_create(replies)
        for reply, item in outbox:
            item.message = reply
        OutboxItem.objects.bulk_create([item for _, item in outbox])
        index_messages(replies)


def _reply_text(intent: str, message: Message, agent: User, rng: random.Random) -> str:
    first = (message.author_name or "du").split()[0]
    english = any(w in message.body.lower() for w in (" the ", " you ", " is ", "thanks", "hi,"))
    options = (content.REPLIES_EN if english else content.REPLIES_DE).get(
        intent
    ) or content.REPLIES_DE["other"]
    return rng.choice(options).format(
        first=first,
        agent=agent.label.split()[0],
        answer=rng.choice(content.ANSWERS_DE),
        answer_en=rng.choice(content.ANSWERS_EN),
    )
