from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client

from resonanz.channels.models import Channel
from resonanz.core.models import AuditLog, Membership
from tests import processes
from tests.conftest import login


def test_manager_creates_channels_and_configures_them(alice_client: Client, acme) -> None:  # type: ignore[no-untyped-def]
    r = alice_client.post("/w/acme/settings/channels/", {"kind": "widget", "name": "Magazin"})
    assert r.status_code == 302 and r["Location"] == "/w/acme/settings/channels/magazin/"
    assert (
        alice_client.post(
            "/w/acme/settings/channels/", {"kind": "widget", "name": "Magazin"}
        ).status_code
        == 400
    )
    assert (
        alice_client.post("/w/acme/settings/channels/", {"kind": "fax", "name": "x"}).status_code
        == 400
    )
    r = alice_client.post(
        "/w/acme/settings/channels/magazin/",
        {
            "allowed_origins": "https://www.acme.example/\nhttps://blog.acme.example",
            "max_length": "500",
        },
    )
    assert r.status_code == 302
    config = Channel.objects.get(slug="magazin").config
    assert config["allowed_origins"] == ["https://www.acme.example", "https://blog.acme.example"]
    assert config["max_length"] == 500 and config["premoderation"] is False
    assert AuditLog.objects.filter(action="channel.update").get().before["max_length"] == 3000
    page = alice_client.get("/w/acme/settings/channels/magazin/").content.decode()
    assert "data-resonanz-key" in page
    assert "Zustellungen" in page or "Deliveries" in page  # widget comments arrive as deliveries


def test_webhook_reply_url(alice_client: Client, webhook) -> None:  # type: ignore[no-untyped-def]
    r = alice_client.post(
        "/w/acme/settings/channels/webhook/", {"reply_url": "https://crm.example/hook"}
    )
    assert r.status_code == 302
    webhook.refresh_from_db()
    assert webhook.config["reply_url"] == "https://crm.example/hook"
    assert (
        alice_client.post(
            "/w/acme/settings/channels/webhook/", {"reply_url": "not a url"}
        ).status_code
        == 400  # refused with the form and its error, nothing stored
    )
    webhook.refresh_from_db()
    assert webhook.config["reply_url"] == "https://crm.example/hook"


def test_webhook_page_shows_failed_deliveries_and_retries_them(
    alice_client: Client, webhook, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    from resonanz.channels.models import Delivery, DeliveryState

    Delivery.objects.create(
        workspace_id=webhook.workspace_id,
        channel=webhook,
        body='{"id": "f1", "text": "Hallo", "author": {"id": "a"}}',
        item_count=1,
        state=DeliveryState.FAILED,
        error="OperationalError: database is locked <script>",
    )
    page = alice_client.get("/w/acme/settings/channels/webhook/").content.decode()
    assert "1 failed" in page or "1 fehlgeschlagen" in page
    assert "database is locked &lt;script&gt;" in page
    r = alice_client.post("/w/acme/settings/channels/webhook/", {"action": "retry"})
    assert r.status_code == 302
    assert Delivery.objects.get().state == DeliveryState.PENDING
    assert AuditLog.objects.filter(action="webhook.retry").exists()
    run_tasks()
    assert Delivery.objects.get().state == DeliveryState.INGESTED


def test_workspace_settings_owner_only(alice_client: Client, acme, bob) -> None:  # type: ignore[no-untyped-def]
    r = alice_client.post(
        "/w/acme/settings/",
        {"name": "Acme GmbH", "timezone": "Europe/Vienna", "languages": "de, en"},
    )
    assert r.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.timezone, acme.languages) == (
        "Acme GmbH",
        "Europe/Vienna",
        ["de", "en"],
    )
    r = alice_client.post(
        "/w/acme/settings/", {"name": "x", "timezone": "Mars/Olympus", "languages": ""}
    )
    assert r.status_code == 400  # an unknown time zone is refused, nothing stored
    acme.refresh_from_db()
    assert acme.timezone == "Europe/Vienna"
    assert login(Client(), bob).get("/w/acme/settings/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_workspace_cli_creates_owner_and_workspace() -> None:
    cmd = [
        sys.executable,
        "-m",
        "resonanz.cli",
        "workspace",
        "create",
        "--name",
        "Neu",
        "--slug",
        "neu",
        "--owner",
        "chefin@example.com",
    ]
    env = processes.env(RESONANZ_OWNER_PASSWORD="ein-langes-passwort")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    membership = Membership.objects.get(workspace__slug="neu")
    assert membership.role == "owner" and membership.user.check_password("ein-langes-passwort")
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 2 and "exists already" in again.stderr


@pytest.mark.parametrize("url", ["/w/acme/settings/", "/w/acme/settings/members/", "/profile/"])
def test_an_empty_post_is_refused_not_taken_for_a_first_visit(alice_client, url) -> None:  # type: ignore[no-untyped-def]
    assert alice_client.post(url, {}).status_code == 400
