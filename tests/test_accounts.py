from __future__ import annotations

import subprocess
import sys

from django.core import mail
from django.test import Client

from resonanz.accounts.models import User
from resonanz.core.models import Membership
from tests.conftest import PASSWORD, login


def test_invitation_by_email_link(alice_client: Client, acme) -> None:  # type: ignore[no-untyped-def]
    r = alice_client.post(
        "/w/acme/settings/members/", {"email": "neu@example.com", "role": "agent"}
    )
    assert r.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invite/" in line)
    path = link[link.index("/invite/") :]
    anonymous = Client()
    assert anonymous.get(path).status_code == 200
    r = anonymous.post(path, {"display_name": "Neu", "password": "ein-sehr-gutes-passwort"})
    assert r.status_code == 302 and r["Location"] == "/w/acme/"
    user = User.objects.get(email="neu@example.com")
    assert Membership.objects.get(user=user, workspace=acme).role == "agent"
    assert user.password.startswith("argon2") or "md5" in user.password  # tests use a fast hasher
    assert anonymous.get(path).status_code == 404  # used up


def test_agent_cannot_invite_and_manager_cannot_make_owners(
    client: Client, acme, bob, alice
) -> None:  # type: ignore[no-untyped-def]
    bob_client = login(client, bob)
    assert (
        bob_client.post(
            "/w/acme/settings/members/", {"email": "x@example.com", "role": "agent"}
        ).status_code
        == 403
    )
    Membership.objects.filter(user=bob).update(role="manager")
    bob_client.post("/w/acme/settings/members/", {"email": "x@example.com", "role": "owner"})
    assert not mail.outbox


def test_login_and_brute_force_lockout(client: Client, alice, settings) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.post("/login/", {"username": "alice@example.com", "password": PASSWORD}).status_code
        == 302
    )
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "alice@example.com", "password": "wrong"})
    r = client.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_ui_language_follows_the_user(alice_client: Client, alice) -> None:  # type: ignore[no-untyped-def]
    alice.language = "en"
    alice.save()
    assert "Log out" in alice_client.get("/w/acme/").content.decode()
    alice.language = "de"
    alice.save()
    assert "Abmelden" in alice_client.get("/w/acme/").content.decode()


def test_production_settings_refuse_to_start_without_secrets() -> None:
    env = {"RESONANZ_ENV": "production", "PATH": "/usr/bin:/bin"}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='resonanz.settings'; django.setup()"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr
    env["SECRET_KEY"] = "x" * 50
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode != 0 and "ALLOWED_HOSTS must list" in out.stderr
    env["ALLOWED_HOSTS"] = "resonanz.example.com"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr


def test_role_changes_keep_an_owner_and_never_escalate(
    alice_client: Client, acme, alice, bob
) -> None:  # type: ignore[no-untyped-def]
    own = Membership.objects.get(user=alice)
    alice_client.post(
        "/w/acme/settings/members/", {"change_role": "1", "membership": own.pk, "role": "agent"}
    )
    own.refresh_from_db()
    assert own.role == "owner"  # the last owner stays
    bobs = Membership.objects.get(user=bob)
    Membership.objects.filter(pk=bobs.pk).update(role="manager")
    bob_client = login(Client(), bob)
    bob_client.post(
        "/w/acme/settings/members/", {"change_role": "1", "membership": bobs.pk, "role": "owner"}
    )
    bobs.refresh_from_db()
    assert bobs.role == "manager"
    alice_client.post(
        "/w/acme/settings/members/", {"change_role": "1", "membership": bobs.pk, "role": "viewer"}
    )
    bobs.refresh_from_db()
    assert bobs.role == "viewer"
