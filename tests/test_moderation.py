"""Moderation rules act on triage's labels right after triage, as themselves (issue 4)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import AuditLog, Membership, Role
from resonanz.inbox.conditions import Facts
from resonanz.inbox.models import Conversation, Event, Message, State, Visibility
from resonanz.inbox.processing import process_messages
from resonanz.moderation.engine import apply_pending, decide, matches, record_hits
from resonanz.moderation.models import Rule, RuleHit
from resonanz.triage.models import LabelExample

INSULT = "Ihr seid doch alle Vollidioten, ihr Versager!"
PRAISE = "Danke für die schnelle Hilfe, super Service!"


@pytest.fixture
def en_client(alice_client, alice):  # type: ignore[no-untyped-def]
    """Alice's pages in English, where the test reads their words."""
    alice.language = "en"
    alice.save(update_fields=["language"])
    return alice_client


def _ingest(channel, *texts: str, prefix: str = "m") -> list[int]:  # type: ignore[no-untyped-def]
    items = [
        InboundItem(external_id=f"{prefix}{i}", text=text, author_id=f"{prefix}{i}")
        for i, text in enumerate(texts)
    ]
    return ingest(channel, items, after_commit=lambda ids: None).created_ids


@pytest.fixture
def hide_insults(acme) -> Rule:  # type: ignore[no-untyped-def]
    return Rule.objects.create(
        workspace=acme,
        name="Beleidigungen ausblenden",
        flag="offensive",
        min_score=0.8,
        moderate="hidden",
    )


def test_an_insult_is_hidden_by_the_rule_and_praise_stays(widget, hide_insults) -> None:  # type: ignore[no-untyped-def]
    insult, praise = _ingest(widget, INSULT, PRAISE)
    assert process_messages([insult, praise]) == 2
    hidden = Message.objects.get(pk=insult)
    kept = Message.objects.get(pk=praise)
    assert hidden.visibility == Visibility.HIDDEN
    assert hidden.conversation.state == State.HIDDEN
    assert kept.visibility == Visibility.PUBLISHED
    assert kept.conversation.state == State.NEW
    hit = RuleHit.objects.get()
    assert (hit.rule, hit.message_id, hit.actions) == (hide_insults, insult, {"state": "hidden"})
    assert hit.applied_at is not None
    hide_insults.refresh_from_db()
    assert hide_insults.hit_count == 1 and hide_insults.last_hit_at is not None
    entry = AuditLog.objects.get(action="conversation.update")
    assert entry.actor_id is None
    assert entry.actor_label == "rule: Beleidigungen ausblenden"
    assert entry.after["state"] == "hidden"
    # The rule only repeated triage's own label: that teaches the models nothing.
    assert not LabelExample.objects.exists()


def test_processing_twice_acts_once(widget, hide_insults) -> None:  # type: ignore[no-untyped-def]
    (insult,) = _ingest(widget, INSULT)
    process_messages([insult])
    Message.objects.filter(pk=insult).update(processed_at=None)
    process_messages([insult])
    assert RuleHit.objects.count() == 1
    assert AuditLog.objects.filter(action="conversation.update").count() == 1
    assert Rule.objects.get().hit_count == 1


def test_disabled_rules_and_other_workspaces_rules_do_not_act(  # type: ignore[no-untyped-def]
    widget, other_ws, hide_insults
) -> None:
    hide_insults.enabled = False
    hide_insults.save()
    Rule.objects.create(workspace=other_ws, name="elsewhere", flag="offensive", moderate="spam")
    (insult,) = _ingest(widget, INSULT)
    process_messages([insult])
    assert Conversation.objects.get().state == State.NEW
    assert not RuleHit.objects.exists()


def test_words_priority_assignee_and_tag(webhook, acme, bob) -> None:  # type: ignore[no-untyped-def]
    rule = Rule.objects.create(
        workspace=acme,
        name="Rechtliches",
        words="anwalt*\nVerbraucherzentrale, lawyer",
        set_priority=3,
        assign_to=bob,
        add_tag="Recht",
    )
    legal, plain = _ingest(
        webhook, "Meine Anwältin ist informiert. Ich gehe zur Verbraucherzentrale.", "Hallo!"
    )
    (lawyer,) = _ingest(webhook, "Der Anwaltsbrief ist raus.", prefix="x")
    process_messages([legal, plain, lawyer])
    convs = {c.pk: c for c in Conversation.objects.all()}
    legal_conv = convs[Message.objects.get(pk=legal).conversation_id]
    assert (legal_conv.priority, legal_conv.assignee_id) == (3, bob.pk)
    assert list(legal_conv.tags.values_list("name", flat=True)) == ["Recht"]
    assert convs[Message.objects.get(pk=plain).conversation_id].assignee_id is None
    # "anwalt*" takes any ending: "Anwaltsbrief"; "Anwältin" is matched by neither entry,
    # but "Verbraucherzentrale" is.
    assert convs[Message.objects.get(pk=lawyer).conversation_id].assignee_id == bob.pk
    assert rule.hits.count() == 2


def test_an_assignee_who_left_is_reported_and_the_rest_is_done(webhook, acme, bob) -> None:  # type: ignore[no-untyped-def]
    Rule.objects.create(workspace=acme, name="r", words="kündigung", assign_to=bob, add_tag="K")
    Membership.objects.filter(user=bob).delete()
    (pk,) = _ingest(webhook, "Hiermit meine Kündigung.")
    process_messages([pk])
    hit = RuleHit.objects.get()
    assert "member" in hit.actions["error"] and hit.actions["add_tags"] == ["K"]
    conv = Conversation.objects.get()
    assert conv.assignee_id is None
    assert list(conv.tags.values_list("name", flat=True)) == ["K"]


def test_a_hit_left_pending_by_a_crash_is_applied_by_the_sweep(widget, hide_insults) -> None:  # type: ignore[no-untyped-def]
    (insult,) = _ingest(widget, INSULT)
    message = Message.objects.get(pk=insult)
    labels = {insult: {"offensive": True, "triage": {"offensive_score": 0.99}}}
    # The worker stored labels and hit, then died before carrying it out.
    ids = record_hits(decide(message.workspace_id, [message], labels))
    assert len(ids) == 1 and record_hits(decide(message.workspace_id, [message], labels)) == ids
    assert Conversation.objects.get().state == State.NEW
    assert apply_pending(older_than_seconds=0) == 1
    assert apply_pending(older_than_seconds=0) == 0
    assert Conversation.objects.get().state == State.HIDDEN


def test_a_batch_of_two_workspaces_sends_each_event_to_its_own(  # type: ignore[no-untyped-def]
    webhook, other_webhook
) -> None:
    ids = _ingest(webhook, "Hallo") + _ingest(other_webhook, "Servus", prefix="o")
    process_messages(ids)
    for message in Message.objects.filter(pk__in=ids):
        event = Event.objects.get(kind="triage", conversation_id=message.conversation_id)
        assert event.workspace_id == message.workspace_id


BASE = Facts(
    text="Ihr seid Idioten",
    language="de",
    sentiment="negative",
    intent="complaint",
    offensive=True,
    offensive_score=0.9,
    offensive_kind="insult",
    spam=False,
    spam_score=0.95,
    priority=2,
    channel_id=1,
    conversation_kind="comment",
)


@pytest.mark.parametrize(
    ("conditions", "facts", "expected"),
    [
        ({"flag": "offensive", "min_score": 0.8}, BASE, True),
        ({"flag": "offensive", "min_score": 0.95}, BASE, False),
        ({"flag": "offensive"}, replace(BASE, offensive=False, offensive_score=0.9), False),
        ({"flag": "spam"}, BASE, False),
        ({"flag": "spam"}, replace(BASE, spam=True), True),
        ({"offensive_kind": "insult"}, BASE, True),
        ({"offensive_kind": "threat"}, BASE, False),
        ({"sentiment": "negative", "intent": "complaint", "language": "de"}, BASE, True),
        ({"sentiment": "negative", "language": "en"}, BASE, False),
        ({"conversation_kind": "dm"}, BASE, False),
        ({"channel_id": 1}, BASE, True),
        ({"channel_id": 2}, BASE, False),
        ({"min_priority": 2}, BASE, True),
        ({"min_priority": 3}, BASE, False),
        ({"words": "idiot*"}, BASE, True),
        ({"words": "idiot"}, BASE, False),  # whole words only
        ({"words": "IHR SEID"}, BASE, True),  # phrases, any case
        ({"words": "(.*)"}, BASE, False),  # entries are text, never patterns
        ({"words": "idiot*"}, replace(BASE, text="Vollidiot"), False),  # from a word's start
        ({"words": "\n , \n"}, BASE, False),
    ],
)
def test_conditions(conditions, facts, expected) -> None:  # type: ignore[no-untyped-def]
    assert matches(Rule(**conditions), facts) is expected


def test_rule_pages_create_preview_toggle_and_delete(en_client, acme, widget) -> None:  # type: ignore[no-untyped-def]
    _ingest(widget, INSULT, PRAISE)
    process_messages(list(Message.objects.values_list("pk", flat=True)))
    base = "/w/acme/moderation/"
    assert en_client.get(base).status_code == 200
    data = {"name": "Beleidigungen", "enabled": "on", "flag": "offensive", "min_score": "0.8"}
    data["moderate"] = "hidden"
    preview = en_client.post(base + "preview/", data)
    assert preview.status_code == 200
    assert "1 of the latest 2 messages meets this rule" in preview.content.decode()
    assert en_client.post(base + "new/", data).status_code == 302
    rule = Rule.objects.get()
    assert (rule.workspace, rule.position, rule.moderate) == (acme, 1, "hidden")
    page = en_client.get(base).content.decode()
    assert "Beleidigungen" in page and "score ≥ 0.80" in page
    en_client.post(f"{base}{rule.pk}/toggle/")
    assert Rule.objects.get().enabled is False
    en_client.post(f"{base}{rule.pk}/delete/")
    assert not Rule.objects.exists()
    actions = list(
        AuditLog.objects.filter(object_type="moderation.rule")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["moderation.rule.save", "moderation.rule.save", "moderation.rule.delete"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "all", "moderate": "hidden"}, "at least one condition"),
        ({"name": "nothing", "flag": "spam"}, "at least one action"),
        ({"name": "s", "flag": "spam", "min_score": "7", "moderate": "spam"}, "from 0 to 1"),
        ({"name": "s", "flag": "spam", "min_score": "x", "moderate": "spam"}, "number"),
        ({"name": "w", "words": "a,*", "moderate": "spam"}, "lone *"),
        ({"name": "w", "words": "x" * 101, "moderate": "spam"}, "at most 100"),
        ({"name": "f", "flag": "nonsense", "moderate": "spam"}, "valid choice"),
        ({"name": "p", "words": "x", "set_priority": "9"}, "valid choice"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(en_client, data, error) -> None:  # type: ignore[no-untyped-def]
    data = {"min_score": "0.5", **data}
    response = en_client.post("/w/acme/moderation/new/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Rule.objects.exists()


def test_another_workspaces_rules_channels_and_members_are_out_of_reach(  # type: ignore[no-untyped-def]
    en_client, charlie, other_ws, other_webhook, acme
) -> None:
    theirs = Rule.objects.create(workspace=other_ws, name="theirs", words="x", moderate="spam")
    for url in (f"{theirs.pk}/", f"{theirs.pk}/toggle/", f"{theirs.pk}/delete/"):
        method = en_client.get if url.count("/") == 1 else en_client.post
        assert method(f"/w/acme/moderation/{url}").status_code == 404
    assert Rule.objects.get().enabled
    for field, value in (("channel", other_webhook.pk), ("assign_to", charlie.pk)):
        data = {"name": "x", "words": "x", "min_score": "0.5", "moderate": "spam", field: value}
        response = en_client.post("/w/acme/moderation/new/", data)
        assert response.status_code == 400
    assert not Rule.objects.filter(workspace=acme).exists()
    assert en_client.get("/w/other/moderation/").status_code == 404


def test_only_managers_change_rules(client, acme, bob) -> None:  # type: ignore[no-untyped-def]
    rule = Rule.objects.create(workspace=acme, name="r", words="x", moderate="spam")
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/w/acme/moderation/").status_code == 200
    assert client.post(f"/w/acme/moderation/{rule.pk}/toggle/").status_code == 403
    data = {"name": "mine", "words": "y", "min_score": "0.5", "moderate": "hidden"}
    assert client.post("/w/acme/moderation/new/", data).status_code == 403
    assert list(Rule.objects.values_list("name", "enabled")) == [("r", True)]


def test_every_offensive_kind_triage_gives_can_be_chosen_and_reads_german() -> None:
    from django.utils import translation

    from resonanz.moderation.models import OFFENSIVE_KIND_NAMES
    from resonanz.triage.labels import OFFENSIVE_KINDS

    assert set(OFFENSIVE_KIND_NAMES) == set(OFFENSIVE_KINDS)
    with translation.override("de"):
        assert str(OFFENSIVE_KIND_NAMES["insult"]) == "Beleidigung"
        assert Rule(flag="offensive", min_score=0.9).conditions_text() == [
            "markiert als beleidigend, Sicherheit ≥ 0,90"
        ]


def test_the_conversation_names_the_rule_that_acted(en_client, widget, hide_insults) -> None:  # type: ignore[no-untyped-def]
    insult, praise = _ingest(widget, INSULT, PRAISE)
    process_messages([insult, praise])
    conv = Message.objects.get(pk=insult).conversation
    page = en_client.get(f"/w/acme/c/{conv.pk}/panel/").content.decode()
    assert "rule “Beleidigungen ausblenden”" in page
    assert f'href="/w/acme/moderation/{hide_insults.pk}/"' in page
    other = Message.objects.get(pk=praise).conversation
    assert "rule “" not in en_client.get(f"/w/acme/c/{other.pk}/panel/").content.decode()


def _api(method: str, url: str, token: str, body: object | None = None):  # type: ignore[no-untyped-def]
    from tests.test_api import api

    return api(method, f"/api/v1/moderation/rules{url}", token, body)


def _token(workspace, user, role=Role.OWNER) -> str:  # type: ignore[no-untyped-def]
    from resonanz.accounts.services import create_token
    from resonanz.core.permissions import Access

    return create_token(Access(workspace, role, user.pk), name="t")[1]


def test_rules_through_the_api(acme, alice, bob, webhook) -> None:  # type: ignore[no-untyped-def]
    token = _token(acme, alice)
    body = {"name": "Recht", "words": ["anwalt*", "lawyer"], "set_priority": 3}
    created = _api("post", "", token, {**body, "assign_to_id": bob.pk, "channel_id": webhook.pk})
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["words"] == ["anwalt*", "lawyer"] and rule["assign_to_id"] == bob.pk
    assert [r["name"] for r in _api("get", "", token).json()] == ["Recht"]
    # PATCH changes what it names; null clears; the rest stays.
    patched = _api("patch", f"/{rule['id']}", token, {"enabled": False, "channel_id": None})
    assert patched.status_code == 200, patched.content
    assert patched.json()["enabled"] is False and patched.json()["channel_id"] is None
    assert patched.json()["words"] == ["anwalt*", "lawyer"]
    assert patched.json()["assign_to_id"] == bob.pk
    refused = _api("patch", f"/{rule['id']}", token, {"words": None, "min_score": 3})
    assert refused.status_code == 400
    fields = {f["field"] for f in refused.json()["fields"]}
    assert fields == {"", "min_score"}  # no condition left; score out of range
    assert Rule.objects.get().words == "anwalt*\nlawyer"
    assert _api("delete", f"/{rule['id']}", token).status_code == 204
    assert not Rule.objects.exists()


def test_rules_api_keeps_workspaces_and_roles_apart(  # type: ignore[no-untyped-def]
    acme, alice, bob, other_ws, charlie, other_webhook
) -> None:
    theirs = Rule.objects.create(workspace=other_ws, name="theirs", words="x", moderate="spam")
    token = _token(acme, alice)
    assert _api("get", "", token).json() == []
    for method in ("get", "patch", "delete"):
        assert _api(method, f"/{theirs.pk}", token, {"enabled": False}).status_code == 404
    assert _api("get", "/999999", token).status_code == 404
    foreign = _api(
        "post",
        "",
        token,
        {"name": "x", "words": ["x"], "channel_id": other_webhook.pk, "moderate": "spam"},
    )
    assert foreign.status_code == 400
    agent = _token(acme, bob, Role.AGENT)
    assert (
        _api("post", "", agent, {"name": "a", "words": ["x"], "moderate": "spam"}).status_code
        == 403
    )
    assert _api("post", "", token, {"name": "a", "words": "x"}).status_code == 400  # not a list
    assert Rule.objects.get() == theirs and theirs.enabled


def test_a_hold_rule_takes_a_comment_off_the_page_into_the_review_queue(  # type: ignore[no-untyped-def]
    en_client, acme, alice, widget
) -> None:
    from resonanz.core.permissions import Access
    from resonanz.inbox import services

    Rule.objects.create(
        workspace=acme, name="Prüfen", flag="offensive", min_score=0.5, moderate="held"
    )
    insult, praise = _ingest(widget, INSULT, PRAISE)
    process_messages([insult, praise])
    held = Message.objects.get(pk=insult)
    assert held.visibility == Visibility.HELD
    assert held.conversation.state == State.NEW  # still in the inbox, waiting for a person
    assert RuleHit.objects.get().actions == {"held": 1}
    assert Message.objects.get(pk=praise).visibility == Visibility.PUBLISHED
    queue = en_client.get("/w/acme/rows/?state=all&flag=held").content.decode()
    assert queue.count('<li class="row') == 1 and f'data-id="{held.conversation_id}"' in queue
    entry = AuditLog.objects.get(action="conversation.hold")
    assert entry.actor_label == "rule: Prüfen" and entry.after == {"held_messages": 1}
    services.publish_held(Access(acme, Role.OWNER, alice.pk), held.conversation)
    assert Message.objects.get(pk=insult).visibility == Visibility.PUBLISHED
    assert "data-id" not in en_client.get("/w/acme/rows/?state=all&flag=held").content.decode()


# Affection in swear words, or an insult the models miss as sarcasm ("Super Service, ihr
# Vollpfosten!" read so until the short reactions of session 12 taught it a complaint).
@pytest.mark.parametrize("text", ["Ihr seid die Besten, ihr Wichser 😍", "Great job, morons."])
def test_an_insult_triage_also_reads_as_praise_is_held_for_a_person_not_hidden(  # type: ignore[no-untyped-def]
    widget, acme, text
) -> None:
    Rule.objects.create(workspace=acme, name="hide", flag="offensive", moderate="hidden")
    (pk,) = _ingest(widget, text)
    process_messages([pk])
    message = Message.objects.get(pk=pk)
    assert (message.offensive, message.sentiment, message.intent) == (True, "positive", "praise")
    assert message.visibility == Visibility.HELD  # off the page all the same
    assert message.conversation.state == State.NEW  # and in front of a person
    assert RuleHit.objects.get().actions == {"held": 1}


def test_taking_back_a_rules_hide_or_approving_a_held_insult_teaches_not_offensive(  # type: ignore[no-untyped-def]
    widget, acme, alice
) -> None:
    from resonanz.core.permissions import Access
    from resonanz.inbox import services

    person = Access(acme, Role.OWNER, alice.pk)
    Rule.objects.create(workspace=acme, name="hide", flag="offensive", moderate="hidden")
    (hidden,) = _ingest(widget, INSULT, prefix="h")
    process_messages([hidden])
    assert not LabelExample.objects.exists()  # the rule itself teaches nothing
    services.update_conversation(person, Message.objects.get(pk=hidden).conversation, state="open")
    example = LabelExample.objects.get(message_id=hidden)
    assert (example.task, example.label, example.predicted) == ("offensive", "other", "offensive")
    assert Message.objects.get(pk=hidden).offensive is False

    Rule.objects.update(moderate="held")
    (held,) = _ingest(widget, "Ihr seid doch alle komplett unfähig. Saftladen!", prefix="k")
    process_messages([held])
    assert Message.objects.get(pk=held).visibility == Visibility.HELD
    services.publish_held(person, Message.objects.get(pk=held).conversation)
    assert LabelExample.objects.get(message_id=held).label == "other"
    assert Message.objects.get(pk=held).visibility == Visibility.PUBLISHED


def test_rules_are_reordered_in_the_page(en_client, acme, other_ws, bob, client) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (
        Rule.objects.create(workspace=acme, name=n, words=n, moderate="spam", position=i)
        for i, n in enumerate("abc", 1)
    )
    assert (
        en_client.post(f"/w/acme/moderation/{c.pk}/move/", {"direction": "up"}).status_code == 302
    )
    assert list(Rule.objects.values_list("name", flat=True)) == ["a", "c", "b"]
    en_client.post(f"/w/acme/moderation/{a.pk}/move/", {"direction": "up"})  # already first
    en_client.post(f"/w/acme/moderation/{b.pk}/move/", {"direction": "down"})  # already last
    assert list(Rule.objects.values_list("name", flat=True)) == ["a", "c", "b"]
    assert en_client.post(f"/w/acme/moderation/{a.pk}/move/", {"direction": "x"}).status_code == 400
    theirs = Rule.objects.create(workspace=other_ws, name="t", words="t", moderate="spam")
    assert (
        en_client.post(f"/w/acme/moderation/{theirs.pk}/move/", {"direction": "up"}).status_code
        == 404
    )
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/w/acme/moderation/{b.pk}/move/", {"direction": "up"}).status_code == 403
    assert [r.name for r in Rule.objects.filter(workspace=acme)] == ["a", "c", "b"]
    assert AuditLog.objects.filter(action="moderation.rule.move").count() == 1  # no-ops unlogged
