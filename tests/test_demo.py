from __future__ import annotations

from django.test import Client

from resonanz.core.models import AuditLog, Membership
from resonanz.demo.loader import DEMO_PASSWORD, ensure_demo
from resonanz.inbox.models import Conversation, Message
from resonanz.triage.models import LabelExample


def test_demo_workspace_has_every_intake_kind_and_a_working_team(db) -> None:  # type: ignore[no-untyped-def]
    info = ensure_demo(size=400)
    ws = info.workspace
    assert ws.slug == "demo"
    assert sorted(ws.channels.values_list("slug", flat=True)) == ["import", "webhook", "widget"]
    assert Membership.objects.get(workspace=ws, user__email=info.email).role == "owner"
    assert Message.objects.filter(workspace=ws, direction="outbound").exists()
    states = set(Conversation.objects.filter(workspace=ws).values_list("state", flat=True))
    assert {"open", "resolved", "spam"} <= states
    assert LabelExample.objects.filter(workspace=ws, task="spam", label="spam").exists()
    # Intent labels the agents put right while answering: each one triage had wrong.
    corrected = LabelExample.objects.filter(workspace=ws, task="intent", source="explicit")
    assert corrected.exists()
    assert all(example.predicted != example.label for example in corrected)
    assert all(example.message.intent == example.label for example in corrected)
    assert AuditLog.objects.filter(workspace=ws, action="conversation.update").exists()
    again = ensure_demo(size=400)  # a second start loads nothing twice, hands out a new token
    assert again.token != info.token
    assert Conversation.objects.filter(workspace=ws).count() == Conversation.objects.count()
    client = Client()
    assert (
        client.post("/login/", {"username": info.email, "password": DEMO_PASSWORD}).status_code
        == 302
    )
    assert client.get("/w/demo/").status_code == 200
    assert client.get("/demo/article/1").status_code == 200
    assert client.get("/demo/article/99").status_code == 404
