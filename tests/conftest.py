"""Shared fixtures: a small cast (alice and bob in workspace "acme", charlie in "other",
dave in no workspace), channels of each kind, and helpers to run queued tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from resonanz.accounts.models import User
from resonanz.channels.models import Channel, ChannelKind
from resonanz.core.models import Membership, Role, Workspace
from resonanz.core.permissions import Access

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _isolated_caches(settings) -> None:  # type: ignore[no-untyped-def]
    """Each test starts with empty caches (Redis outlives the test's transaction)."""
    from django.core.cache import caches

    from resonanz.core.localcache import public_channels, thread_versions

    caches["local"].clear()
    public_channels.clear()
    thread_versions.clear()
    if settings.REDIS_URL:
        caches["default"].clear()


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, display_name=name or email.split("@")[0]
    )


@pytest.fixture
def acme(db: None) -> Workspace:
    return Workspace.objects.create(name="Acme", slug="acme")


@pytest.fixture
def other_ws(db: None) -> Workspace:
    return Workspace.objects.create(name="Other", slug="other")


@pytest.fixture
def alice(acme: Workspace) -> User:
    user = make_user("alice@example.com", "Alice")
    Membership.objects.create(workspace=acme, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def bob(acme: Workspace) -> User:
    user = make_user("bob@example.com", "Bob")
    Membership.objects.create(workspace=acme, user=user, role=Role.AGENT)
    return user


@pytest.fixture
def charlie(other_ws: Workspace) -> User:
    user = make_user("charlie@example.com", "Charlie")
    Membership.objects.create(workspace=other_ws, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def alice_access(acme: Workspace, alice: User) -> Access:
    return Access(acme, Role.OWNER, alice.pk)


@pytest.fixture
def widget(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme,
        kind=ChannelKind.WIDGET,
        slug="widget",
        name="Website",
        config={"allowed_origins": ["https://www.acme.example"], "min_seconds_on_form": 0},
    )


@pytest.fixture
def webhook(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, kind=ChannelKind.WEBHOOK, slug="webhook", name="Hook"
    )


@pytest.fixture
def importer(acme: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=acme, kind=ChannelKind.IMPORT, slug="import", name="Import"
    )


@pytest.fixture
def other_webhook(other_ws: Workspace) -> Channel:
    return Channel.objects.create(
        workspace=other_ws, kind=ChannelKind.WEBHOOK, slug="webhook", name="Hook"
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    return login(client, alice)


@pytest.fixture
def charlie_client(charlie: User) -> Client:
    return login(Client(), charlie)


@pytest.fixture
def run_tasks() -> Callable[[], int]:
    """Run every queued task in this process, as a worker would; return how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    def run() -> int:
        count = 0
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        while True:
            task = DBTaskResult.objects.ready().first()
            if task is None:
                return count
            task.claim("test-worker")
            worker.run_task(task)
            task.refresh_from_db()
            assert task.status == "SUCCESSFUL", task.traceback
            count += 1

    return run


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Run on-commit callbacks (task enqueueing) inside the test transaction."""
    yield lambda: django_capture_on_commit_callbacks(execute=True)
