"""Team corrections become labelled examples of their workspace (issue 4, learning)."""

from __future__ import annotations

import pytest
from django.test import Client

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import AuditLog, Role
from resonanz.core.permissions import Access, PermissionDeniedForRole
from resonanz.inbox import services
from resonanz.inbox.models import Conversation, Message
from resonanz.triage.models import LabelExample
from resonanz.triage.services import InvalidLabel, correct_label
from resonanz.triage.views import label_name
from tests.conftest import make_user


@pytest.fixture
def conv(webhook, run_tasks) -> Conversation:  # type: ignore[no-untyped-def]
    ingest(
        webhook,
        [InboundItem(external_id="1", text="Ich kündige, wenn das so weitergeht!", author_id="a")],
    )
    run_tasks()
    return Conversation.objects.get()


def test_explicit_correction_updates_labels_and_is_stored(acme, alice, conv: Conversation) -> None:  # type: ignore[no-untyped-def]
    message = Message.objects.get()
    predicted = message.intent
    correct_label(Access(acme, Role.OWNER, alice.pk), message, "intent", "complaint")
    correct_label(Access(acme, Role.OWNER, alice.pk), message, "spam", "ham")
    message.refresh_from_db()
    conv.refresh_from_db()
    assert message.intent == conv.intent == "complaint"
    example = LabelExample.objects.get(task="intent")
    assert (example.label, example.predicted, example.source) == (
        "complaint",
        predicted,
        "explicit",
    )
    assert example.text == message.body and example.workspace == acme
    assert AuditLog.objects.filter(action="triage.correct").count() == 2


def test_a_correction_before_triage_ran_records_no_prediction(acme, alice, webhook) -> None:  # type: ignore[no-untyped-def]
    # The worker has not processed the message yet: its "not spam" is a default, not a
    # prediction the team overruled.
    ingest(
        webhook,
        [InboundItem(external_id="s", text="BITCOIN VERDOPPELN – nur heute!", author_id="b")],
        after_commit=lambda ids: None,
    )
    message = Message.objects.get()
    assert message.processed_at is None
    correct_label(Access(acme, Role.OWNER, alice.pk), message, "spam", "spam")
    assert LabelExample.objects.values_list("predicted", "label").get() == ("", "spam")


def test_invalid_corrections_are_refused(acme, alice, conv: Conversation) -> None:  # type: ignore[no-untyped-def]
    message = Message.objects.get()
    access = Access(acme, Role.OWNER, alice.pk)
    with pytest.raises(InvalidLabel):
        correct_label(access, message, "intent", "gossip")
    with pytest.raises(InvalidLabel):
        correct_label(access, message, "language", "de")
    viewer = Access(acme, Role.VIEWER, make_user("v@example.com").pk)
    with pytest.raises(PermissionDeniedForRole):
        correct_label(viewer, message, "intent", "question")
    assert not LabelExample.objects.exists()


def test_actions_imply_labels_without_overriding_explicit_ones(
    acme, alice, conv: Conversation
) -> None:  # type: ignore[no-untyped-def]
    access = Access(acme, Role.OWNER, alice.pk)
    services.update_conversation(access, conv, state="spam")
    example = LabelExample.objects.get(task="spam")
    assert (example.label, example.source) == ("spam", "implied")
    assert Message.objects.get().spam is True
    services.update_conversation(access, conv, state="open")
    assert LabelExample.objects.get(task="spam").label == "ham"
    correct_label(access, Message.objects.get(), "offensive", "other")
    services.update_conversation(access, conv, state="hidden")
    assert LabelExample.objects.get(task="offensive").label == "other"  # the person's word stands


def test_relabel_page(alice_client: Client, conv: Conversation) -> None:
    message = Message.objects.get()
    url = f"/w/acme/c/{conv.pk}/m/{message.pk}/label/"
    r = alice_client.post(url, {"task": "sentiment", "label": "negative"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert Message.objects.get().sentiment == "negative"
    assert alice_client.post(url, {"task": "sentiment", "label": "furious"}).status_code == 400
    assert (
        alice_client.post(
            f"/w/acme/c/{conv.pk}/m/999999/label/", {"task": "spam", "label": "spam"}
        ).status_code
        == 404
    )


def test_workspace_learns_from_its_corrections_and_only_its_own(
    acme, alice, webhook, other_webhook, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    from resonanz.triage.models import WorkspaceModel
    from resonanz.triage.pipeline import get_triage
    from resonanz.triage.services import retrain_workspace_models

    # Twelve different texts: copies (which differ only in their numbers) would share a
    # fold of the gain's cross-validation and teach it nothing.
    meters = ("Haus", "Keller", "Garage", "Wohnung oben", "Wohnung unten", "Gartenhaus")
    meters += ("Werkstatt", "Büro", "Laden", "Ferienwohnung", "Praxis", "Wärmepumpe")
    texts = [
        f"Zählerstand {1000 + i} kWh für Vertrag {i} gemeldet ({m})" for i, m in enumerate(meters)
    ]
    ingest(
        webhook,
        [InboundItem(external_id=f"z{i}", text=t, author_id=f"a{i}") for i, t in enumerate(texts)],
    )
    run_tasks()
    new = "Zählerstand 4711 kWh für Vertrag 99 gemeldet (Dachboden)"
    ((base_label, _),) = get_triage().predict_task("intent", [new])
    taught = (
        "lead"
        if "lead" not in {base_label, Message.objects.get(external_id="z0").intent}
        else "praise"
    )
    access = Access(acme, Role.OWNER, alice.pk)
    for message in Message.objects.filter(channel=webhook):
        correct_label(access, message, "intent", taught)
    [model] = retrain_workspace_models()
    assert (model.workspace, model.task, model.examples) == (acme, "intent", 12)
    assert model.adapted_accuracy > model.base_accuracy
    # The first of five blocks in order has nothing before it to learn from.
    assert model.base_accuracy < model.in_order_accuracy <= 0.8 + 1e-9
    assert retrain_workspace_models() == []  # nothing new to learn
    # A new base model (another `resonanz triage train`) means fitting the adjustment again.
    WorkspaceModel.objects.filter(pk=model.pk).update(base_version="an older base")
    [again] = retrain_workspace_models()
    assert again.pk == model.pk and again.base_version == get_triage().version != ""
    assert retrain_workspace_models() == []

    ingest(webhook, [InboundItem(external_id="new", text=new, author_id="b")])
    ingest(other_webhook, [InboundItem(external_id="new", text=new, author_id="b")])
    run_tasks()
    ours = Message.objects.get(channel=webhook, external_id="new")
    theirs = Message.objects.get(channel=other_webhook, external_id="new")
    assert ours.intent == taught and ours.triage["learned"] == ["intent"]
    assert theirs.intent == base_label and theirs.triage["learned"] == []
    assert not WorkspaceModel.objects.filter(workspace=other_webhook.workspace).exists()

    # Fitted on another base model (an upgrade, not retrained yet): not applied until then.
    WorkspaceModel.objects.filter(pk=model.pk).update(base_version="an older base")
    ingest(webhook, [InboundItem(external_id="after-upgrade", text=new, author_id="c")])
    run_tasks()
    upgraded = Message.objects.get(channel=webhook, external_id="after-upgrade")
    assert upgraded.intent == base_label and upgraded.triage["learned"] == []


def test_learning_page_shows_examples_and_gain(
    alice_client: Client, acme, alice, conv: Conversation
) -> None:  # type: ignore[no-untyped-def]
    from resonanz.triage.models import WorkspaceModel

    correct_label(Access(acme, Role.OWNER, alice.pk), Message.objects.get(), "intent", "complaint")
    WorkspaceModel.objects.create(
        workspace=acme,
        task="intent",
        state=b"",
        examples=12,
        last_example_id=1,
        base_accuracy=0.25,
        adapted_accuracy=0.75,
    )
    page = alice_client.get("/w/acme/settings/learning/").content.decode()
    # Trained before the in-order figure existed: the new-wording figure alone.
    assert "25 %" in page and "<strong>75 %</strong>" in page
    assert "(neue Formulierungen)" in page
    WorkspaceModel.objects.update(in_order_accuracy=0.9)
    page = alice_client.get("/w/acme/settings/learning/").content.decode()
    assert "<strong>90 %</strong>" in page and "(neue Formulierungen: 75 %)" in page
    # Tasks and labels read in the team's language, not as internal names.
    assert "<td>Anliegen</td>" in page and "<td>Stimmung</td>" in page
    assert "<strong>Beschwerde</strong>" in page and "complaint" not in page
    # What triage had said shows before the team's label, or that the team agreed.
    said = label_name("intent", LabelExample.objects.get().predicted)
    assert f"{said} → <strong>Beschwerde</strong>" in page or (
        said == "Beschwerde" and "wie von der Triage erkannt" in page
    )
    correct_label(Access(acme, Role.OWNER, alice.pk), Message.objects.get(), "spam", "ham")
    page = alice_client.get("/w/acme/settings/learning/").content.decode()
    assert "Spam: <strong>kein Spam</strong> <small" in page
    assert "wie von der Triage erkannt" in page
    alice.language = "en"
    alice.save(update_fields=["language"])
    english = alice_client.get("/w/acme/settings/learning/").content.decode()
    assert "<td>Intent</td>" in english and "<strong>complaint</strong>" in english


def test_one_sided_corrections_do_not_flag_the_rest_of_the_inbox(
    acme, alice, webhook, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    # A team hides insults; it rarely marks anything "not offensive". Learning from such
    # one-sided examples once flagged every message of the demo workspace as offensive.
    from resonanz.triage.services import anchor_texts, retrain_workspace_models

    ordinary = [
        "Wann kommt die neue Preisliste?",
        "Danke für die schnelle Antwort, hat alles geklappt.",
        "Mein Zähler zeigt seit gestern nichts mehr an.",
        "Kann ich den Abschlag online ändern?",
        "Wie lange dauert ein Anbieterwechsel?",
        "Super Service, gerne wieder!",
        "Die Rechnung ist falsch, bitte prüfen.",
        "Gibt es einen Tarif für Wärmepumpen?",
    ] * 3
    names = "Olga Jan Mia Ulf Rosa Noah Elif Max Laura Hannes Clara Chris Lukas Hanna Tim Ida"
    insults = [
        f"Halt doch die Klappe, {name}, du hast doch keine Ahnung." for name in names.split()
    ]
    insults *= 4  # as in the demo: the same insult, hidden again and again
    items = [
        InboundItem(external_id=f"o{i}", text=t, author_id=f"o{i}") for i, t in enumerate(ordinary)
    ]
    items += [
        InboundItem(external_id=f"i{i}", text=t, author_id=f"i{i}") for i, t in enumerate(insults)
    ]
    ingest(webhook, items)
    run_tasks()
    access = Access(acme, Role.OWNER, alice.pk)
    corrected = Message.objects.filter(external_id__startswith="i")
    for message in corrected:
        correct_label(access, message, "offensive", "offensive")
    anchors = anchor_texts(acme.pk, {message.pk for message in corrected})
    assert len(anchors) == len(ordinary) and not set(anchors) & set(insults)
    [model] = retrain_workspace_models()
    assert model.task == "offensive"

    complaint = "Ich warte jetzt schon drei Wochen auf meine Erstattung und niemand antwortet."
    thanks = "Vielen Dank für die Hilfe, jetzt klappt alles."
    insult = "Halt doch die Klappe, Peter, du hast doch keine Ahnung."
    ingest(
        webhook,
        [
            InboundItem(external_id="new-complaint", text=complaint, author_id="c"),
            InboundItem(external_id="new-thanks", text=thanks, author_id="e"),
            InboundItem(external_id="new-insult", text=insult, author_id="d"),
        ],
    )
    run_tasks()
    assert Message.objects.get(external_id="new-complaint").offensive is False
    assert Message.objects.get(external_id="new-thanks").offensive is False
    assert Message.objects.get(external_id="new-insult").offensive is True
    assert Message.objects.get(external_id="new-insult").triage["learned"] == ["offensive"]


def test_the_retraining_migrations_mark_every_adjustment(acme) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    from resonanz.triage.models import WorkspaceModel

    WorkspaceModel.objects.create(
        workspace=acme,
        task="offensive",
        state=b"",
        examples=67,
        last_example_id=4711,
        base_accuracy=0.8,
        adapted_accuracy=1.0,
    )
    for name in ("0003_retrain_anchored_adjustments", "0005_workspace_model_in_order_accuracy"):
        WorkspaceModel.objects.update(last_example_id=4711)
        migration = importlib.import_module(f"resonanz.triage.migrations.{name}")
        migration.mark_for_retraining(apps, None)
        assert WorkspaceModel.objects.get().last_example_id == 0
