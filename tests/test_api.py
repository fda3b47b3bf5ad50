from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client

from resonanz.accounts.models import ApiToken
from resonanz.accounts.services import create_token
from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import Membership, Role
from resonanz.core.permissions import Access
from resonanz.inbox.models import Conversation
from tests import processes


@pytest.fixture
def token(acme, alice) -> str:  # type: ignore[no-untyped-def]
    return create_token(Access(acme, Role.OWNER, alice.pk), name="t")[1]


def api(method: str, url: str, token: str, body: object | None = None):  # type: ignore[no-untyped-def]
    return getattr(Client(), method)(
        url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def conv(webhook) -> Conversation:  # type: ignore[no-untyped-def]
    ingest(
        webhook,
        [
            InboundItem(
                external_id="1",
                text="<b>Hilfe</b> bei der Rechnung",
                author_id="a",
                author_name="Ana",
                reactions=14,
            )
        ],
    )
    return Conversation.objects.get()


def test_list_search_read_reply_and_patch(token: str, conv: Conversation, alice) -> None:  # type: ignore[no-untyped-def]
    listing = api("get", "/api/v1/conversations?q=Rechnung", token).json()
    assert [c["id"] for c in listing["items"]] == [conv.pk] and listing["next_cursor"] is None
    messages = api("get", f"/api/v1/conversations/{conv.pk}/messages", token).json()
    assert messages[0]["body"] == "<b>Hilfe</b> bei der Rechnung"
    assert "&lt;b&gt;" in messages[0]["body_html"] and messages[0]["reactions"] == 14
    reply = api("post", f"/api/v1/conversations/{conv.pk}/replies", token, {"text": "Wir helfen!"})
    assert reply.status_code == 201 and reply.json()["delivery"] == "pending"
    patched = api(
        "patch",
        f"/api/v1/conversations/{conv.pk}",
        token,
        {"state": "pending", "priority": 2, "assignee_id": alice.pk, "add_tags": ["Rechnung"]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["state"] == "pending" and patched.json()["tags"] == ["Rechnung"]
    assert (
        api("patch", f"/api/v1/conversations/{conv.pk}", token, {"unassign": True}).json()[
            "assignee_id"
        ]
        is None
    )
    note = api("post", f"/api/v1/conversations/{conv.pk}/notes", token, {"text": "intern"})
    assert note.status_code == 201 and note.json()["direction"] == "note"


def test_errors_are_clear_4xx(token: str, conv: Conversation) -> None:
    assert api("get", "/api/v1/conversations/999999", token).status_code == 404
    assert api("get", "/api/v1/conversations?state=nope", token).status_code == 400
    assert api("get", "/api/v1/conversations?cursor=%%%", token).status_code == 400
    r = api("patch", f"/api/v1/conversations/{conv.pk}", token, {"state": "gone"})
    assert r.status_code == 400 and "Unknown state" in r.json()["error"]
    r = api("post", f"/api/v1/conversations/{conv.pk}/replies", token, {"txt": "typo"})
    assert r.status_code == 400 and r.json()["fields"][0]["field"] == "text"
    r = Client().post(
        f"/api/v1/conversations/{conv.pk}/replies",
        data="{broken",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 400
    assert api("get", "/api/v1/conversations/abc", token).status_code in (400, 404, 422)


def test_token_role_is_capped_and_revocation_works(acme, alice, conv: Conversation) -> None:  # type: ignore[no-untyped-def]
    token_obj, raw = create_token(Access(acme, Role.OWNER, alice.pk), name="read", role="viewer")
    assert token_obj.role == "viewer"
    r = api("post", f"/api/v1/conversations/{conv.pk}/replies", raw, {"text": "x"})
    assert r.status_code == 403
    assert api("get", "/api/v1/me", raw).json()["role"] == "viewer"
    # A token never exceeds its owner's current role.
    Membership.objects.filter(user=alice).update(role=Role.VIEWER)
    _, owner_raw = create_token(Access(acme, Role.OWNER, alice.pk), name="o")
    assert api("get", "/api/v1/me", owner_raw).json()["role"] == "viewer"
    ApiToken.objects.filter(pk=token_obj.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert api("get", "/api/v1/me", raw).status_code == 401


def test_openapi_schema_is_public_and_lists_endpoints(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/conversations/{conversation_id}/replies" in schema["paths"]


@pytest.mark.django_db(transaction=True)
def test_token_cli(acme, alice) -> None:  # type: ignore[no-untyped-def]
    env = processes.env()
    cmd = [
        sys.executable,
        "-m",
        "resonanz.cli",
        "token",
        "create",
        "--user",
        "alice@example.com",
        "--workspace",
        "acme",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    raw = out.stdout.strip()
    assert raw.startswith("rsz_"), out.stderr
    assert api("get", "/api/v1/me", raw).json() == {
        "user_id": alice.pk,
        "workspace": "acme",
        "role": "owner",
    }
    out = subprocess.run([*cmd[:-1], "other"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2 and "not a member" in out.stderr
