"""SLA policies: the clock each waiting conversation runs on, and what happens when it runs
out (issue 4: labels feed the SLA policy matching)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.core.models import AuditLog, Role
from resonanz.core.permissions import Access
from resonanz.inbox import services
from resonanz.inbox.models import Conversation, Event
from resonanz.inbox.processing import process_messages
from resonanz.sla import engine
from resonanz.sla.business import add_business_minutes
from resonanz.sla.models import BusinessHours, Policy, Timer, default_week

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = default_week()  # Monday to Friday 08:00-18:00


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (berlin(2026, 11, 24, 9, 0), 60, berlin(2026, 11, 24, 10, 0)),  # Tuesday, in hours
        (berlin(2026, 11, 24, 17, 30), 60, berlin(2026, 11, 25, 8, 30)),  # over the night
        (berlin(2026, 11, 24, 6, 0), 30, berlin(2026, 11, 24, 8, 30)),  # before opening
        (berlin(2026, 11, 27, 17, 0), 120, berlin(2026, 11, 30, 9, 0)),  # Friday to Monday
        (berlin(2026, 11, 28, 12, 0), 10, berlin(2026, 11, 30, 8, 10)),  # Saturday
        # Christmas Eve is a working day, the 25th and 26th are holidays, then a weekend.
        (berlin(2026, 12, 24, 17, 0), 120, berlin(2026, 12, 28, 9, 0)),
        # Across the autumn clock change (25 October 2026): still 10 working hours a day.
        (berlin(2026, 10, 23, 17, 0), 120, berlin(2026, 10, 26, 9, 0)),
        (berlin(2026, 11, 24, 9, 0), 0, berlin(2026, 11, 24, 9, 0)),
    ],
)
def test_business_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    due = add_business_minutes(start, minutes, WEEK, BERLIN, "DE", "HE")
    assert due == expected


def test_state_holidays_count_only_where_they_are_kept() -> None:
    # Corpus Christi (4 June 2026) is a holiday in Hesse, not in Berlin.
    start = berlin(2026, 6, 3, 17, 30)
    assert add_business_minutes(start, 60, WEEK, BERLIN, "DE", "HE") == berlin(2026, 6, 5, 8, 30)
    assert add_business_minutes(start, 60, WEEK, BERLIN, "DE", "BE") == berlin(2026, 6, 4, 8, 30)


def test_no_opening_hours_is_an_error_not_a_hang() -> None:
    with pytest.raises(ValueError, match="No opening hours"):
        add_business_minutes(berlin(2026, 1, 5, 9, 0), 10, [[] for _ in range(7)], BERLIN)


@pytest.fixture
def policies(acme, bob) -> dict[str, Policy]:  # type: ignore[no-untyped-def]
    BusinessHours.objects.create(workspace=acme, holiday_subdivision="HE")
    return {
        "urgent": Policy.objects.create(
            workspace=acme,
            name="Dringend",
            position=1,
            min_priority=3,
            first_response_minutes=60,
            business_hours_only=False,
            set_priority=3,
            assign_to=bob,
        ),
        "complaint": Policy.objects.create(
            workspace=acme,
            name="Beschwerden",
            position=2,
            intent="complaint",
            first_response_minutes=240,
            add_tag="SLA verletzt",
        ),
        "default": Policy.objects.create(
            workspace=acme, name="Standard", position=3, first_response_minutes=480
        ),
    }


def _arrive(channel, text: str, when: datetime, key: str = "m") -> Conversation:  # type: ignore[no-untyped-def]
    ids = ingest(
        channel,
        [InboundItem(external_id=key, text=text, author_id=key, created_at=when)],
        after_commit=lambda ids: None,
    ).created_ids
    process_messages(ids)
    return Conversation.objects.get(messages__pk=ids[0])


def test_the_first_matching_policy_sets_the_clock(webhook, policies) -> None:  # type: ignore[no-untyped-def]
    monday = berlin(2026, 11, 30, 10, 0)
    complaint = _arrive(webhook, "Seit drei Tagen kein Internet, das ist eine Frechheit!", monday)
    question = _arrive(webhook, "Wann öffnet der Shop morgen?", monday, key="q")
    timers = {t.conversation_id: t for t in Timer.objects.select_related("policy")}
    assert timers[complaint.pk].policy == policies["complaint"]
    assert timers[complaint.pk].due_at == berlin(2026, 11, 30, 14, 0)
    assert complaint.sla_due_at == timers[complaint.pk].due_at
    assert timers[question.pk].policy == policies["default"]
    assert timers[question.pk].due_at == berlin(2026, 11, 30, 18, 0)  # 8 working hours


def test_a_person_raising_priority_tightens_the_next_messages_clock(
    webhook, policies, acme, alice
) -> None:  # type: ignore[no-untyped-def]
    start = berlin(2026, 11, 30, 10, 0)
    conv = _arrive(webhook, "Wann öffnet der Shop morgen?", start)
    services.update_conversation(Access(acme, Role.OWNER, alice.pk), conv, priority=3)
    later = InboundItem(
        external_id="m2",
        text="Hallo??",
        author_id="m",
        created_at=start + timedelta(minutes=20),
        conversation_key=conv.external_key,
    )
    process_messages(ingest(webhook, [later], after_commit=lambda ids: None).created_ids)
    assert Conversation.objects.count() == 1
    timer = Timer.objects.get()
    assert (timer.policy, timer.due_at) == (policies["urgent"], start + timedelta(hours=1))


def test_an_answer_in_time_stops_the_clock_as_met(webhook, policies, acme, alice) -> None:  # type: ignore[no-untyped-def]
    conv = _arrive(webhook, "Wann öffnet der Shop morgen?", timezone.now() - timedelta(minutes=5))
    services.post_reply(Access(acme, Role.OWNER, alice.pk), conv, "Um 9 Uhr!")
    assert engine.check() == {"stopped": 1, "breached": 0, "recovered": 0}
    timer = Timer.objects.get()
    assert timer.answered and timer.met is True and timer.breached_at is None
    assert Conversation.objects.get().sla_due_at is None
    alice.language = "en"
    alice.save(update_fields=["language"])
    client = Client()
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/w/acme/sla/").content.decode()
    assert "1 of 1 answered in time" in page and "half answered within 5 min" in page


def test_an_overdue_wait_is_escalated_once_by_its_policy(webhook, policies, bob) -> None:  # type: ignore[no-untyped-def]
    conv = _arrive(webhook, "Wann öffnet der Shop morgen?", timezone.now() - timedelta(hours=3))
    Conversation.objects.filter(pk=conv.pk).update(priority=3)  # as the urgent policy needs
    Timer.objects.all().delete()
    Conversation.objects.filter(pk=conv.pk).update(sla_due_at=None)
    counts = engine.check()
    assert counts["recovered"] == 1  # the clock a crash never started
    assert engine.check()["breached"] == 1
    assert engine.check()["breached"] == 0
    conv.refresh_from_db()
    timer = Timer.objects.get()
    assert timer.policy == policies["urgent"] and timer.breached_at is not None
    assert conv.assignee == bob
    entry = AuditLog.objects.get(action="conversation.update")
    assert entry.actor_id is None and entry.actor_label == "SLA: Dringend"
    assert Event.objects.filter(kind="sla", conversation_id=conv.pk).count() == 1


def test_closed_without_answer_is_not_counted_as_met(webhook, policies, acme, alice) -> None:  # type: ignore[no-untyped-def]
    conv = _arrive(webhook, "Wann öffnet der Shop morgen?", timezone.now())
    services.update_conversation(Access(acme, Role.OWNER, alice.pk), conv, state="resolved")
    engine.check()
    timer = Timer.objects.get()
    assert timer.stopped_at is not None and not timer.answered and timer.met is None


def test_policies_of_another_workspace_never_apply(webhook, other_ws) -> None:  # type: ignore[no-untyped-def]
    Policy.objects.create(workspace=other_ws, name="x", first_response_minutes=1)
    _arrive(webhook, "Hallo?", datetime.now(UTC))
    assert not Timer.objects.exists()
    assert engine.check() == {"stopped": 0, "breached": 0, "recovered": 0}


@pytest.fixture
def en_client(alice_client, alice):  # type: ignore[no-untyped-def]
    alice.language = "en"
    alice.save(update_fields=["language"])
    return alice_client


def test_policy_and_hours_pages(en_client, acme, webhook) -> None:  # type: ignore[no-untyped-def]
    data = {"name": "Beschwerden", "enabled": "on", "intent": "complaint"}
    data |= {"first_response_minutes": "90", "business_hours_only": "on", "set_priority": "3"}
    assert en_client.post("/w/acme/sla/new/", data).status_code == 302
    policy = Policy.objects.get()
    assert (policy.workspace, policy.first_response_minutes, policy.position) == (acme, 90, 1)
    page = en_client.get("/w/acme/sla/").content.decode()
    assert "Beschwerden" in page and "1 h 30 min" in page and "in business hours" in page
    assert "Monday" in page and "08:00–18:00" in page
    hours = {f"opens_{d}": "09:00" for d in range(5)} | {f"closes_{d}": "17:30" for d in range(5)}
    response = en_client.post("/w/acme/sla/hours/", {**hours, "holidays": "DE-BY"})
    assert response.status_code == 302, response.content.decode()
    saved = BusinessHours.objects.get(workspace=acme)
    assert saved.week[0] == [["09:00", "17:30"]] and saved.week[5] == []
    assert (saved.holiday_country, saved.holiday_subdivision) == ("DE", "BY")
    page = en_client.get("/w/acme/sla/").content.decode()
    assert "09:00–17:30" in page and "Germany: Bayern" in page
    assert AuditLog.objects.filter(action__in=["sla.policy.save", "sla.hours.save"]).count() == 2


@pytest.mark.parametrize(
    ("url", "data", "error"),
    [
        ("new/", {"name": "x", "first_response_minutes": "0"}, "Between 1 minute"),
        ("new/", {"name": "x", "first_response_minutes": "20000"}, "Between 1 minute"),
        ("new/", {"name": "x", "first_response_minutes": "soon"}, "whole number"),
        ("new/", {"name": "x", "first_response_minutes": "5", "intent": "x"}, "valid choice"),
        ("hours/", {"opens_0": "18:00", "closes_0": "08:00"}, "first before the second"),
        ("hours/", {"opens_0": "08:00"}, "first before the second"),
        ("hours/", {"opens_0": "25:00", "closes_0": "26:00"}, "valid time"),
        ("hours/", {}, "at least one day"),
        ("hours/", {"opens_0": "08:00", "closes_0": "09:00", "holidays": "XX"}, "valid choice"),
    ],
)
def test_bad_sla_input_is_refused_with_a_reason(en_client, url, data, error) -> None:  # type: ignore[no-untyped-def]
    response = en_client.post(f"/w/acme/sla/{url}", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Policy.objects.exists() and not BusinessHours.objects.exists()


def test_sla_pages_keep_workspaces_and_roles_apart(  # type: ignore[no-untyped-def]
    client, acme, bob, other_ws, other_webhook
) -> None:
    theirs = Policy.objects.create(workspace=other_ws, name="t", first_response_minutes=5)
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/w/acme/sla/").status_code == 200
    assert client.get(f"/w/acme/sla/{theirs.pk}/").status_code == 404
    assert client.post(f"/w/acme/sla/{theirs.pk}/delete/").status_code == 404
    data = {"name": "mine", "first_response_minutes": "5"}
    assert client.post("/w/acme/sla/new/", data).status_code == 403  # an agent
    assert client.post("/w/acme/sla/hours/", {"opens_0": "08:00"}).status_code == 403
    assert client.get("/w/other/sla/").status_code == 404
    assert list(Policy.objects.values_list("name", flat=True)) == ["t"]


def test_inbox_shows_filters_and_sorts_by_deadline(en_client, webhook, acme) -> None:  # type: ignore[no-untyped-def]
    Policy.objects.create(
        workspace=acme, name="p", first_response_minutes=60, business_hours_only=False
    )
    now = timezone.now()
    late = _arrive(webhook, "Hallo?", now - timedelta(hours=3), key="late")
    soon = _arrive(webhook, "Guten Tag!", now - timedelta(minutes=50), key="soon")
    fresh = _arrive(webhook, "Servus", now - timedelta(minutes=1), key="fresh")
    rows = en_client.get("/w/acme/rows/").content.decode()
    assert "overdue 2\xa0hours" in rows and "answer within 9\xa0minutes" in rows
    overdue = en_client.get("/w/acme/rows/?sla=overdue").content.decode()
    assert overdue.count('<li class="row') == 1 and f'data-id="{late.pk}"' in overdue
    first = en_client.get("/w/acme/rows/?sort=due&state=all").content.decode()
    order = [first.index(f'data-id="{c.pk}"') for c in (late, soon, fresh)]
    assert order == sorted(order)
    assert en_client.get("/w/acme/rows/?sla=nonsense").status_code == 400
    from resonanz.inbox.selectors import InboxFilter, list_conversations

    pages = [list_conversations(acme, InboxFilter(sort="due"), user_id=None, page_size=2)]
    pages.append(
        list_conversations(
            acme, InboxFilter(sort="due"), user_id=None, page_size=2, cursor=pages[0].next_cursor
        )
    )
    ids = [c.pk for page in pages for c in page.conversations]
    assert ids == [late.pk, soon.pk, fresh.pk] and pages[1].next_cursor is None


def test_policies_through_the_api(acme, alice, bob, other_ws, other_webhook) -> None:  # type: ignore[no-untyped-def]
    from tests.test_api import api
    from tests.test_moderation import _token

    token = _token(acme, alice)
    url = "/api/v1/sla/policies"
    body = {"name": "Beschwerden", "intent": "complaint", "first_response_minutes": 240}
    created = api("post", url, token, {**body, "assign_to_id": bob.pk})
    assert created.status_code == 201, created.content
    policy = created.json()
    assert policy["business_hours_only"] is True and policy["assign_to_id"] == bob.pk
    changed = api("patch", f"{url}/{policy['id']}", token, {"first_response_minutes": 60})
    assert (
        changed.json()["first_response_minutes"] == 60 and changed.json()["intent"] == "complaint"
    )
    refused = api("patch", f"{url}/{policy['id']}", token, {"channel_id": other_webhook.pk})
    assert refused.status_code == 400 and refused.json()["fields"][0]["field"] == "channel"
    assert api("post", url, token, {"name": "x"}).status_code == 400  # no time given
    theirs = Policy.objects.create(workspace=other_ws, name="t", first_response_minutes=5)
    assert api("get", f"{url}/{theirs.pk}", token).status_code == 404
    assert api("delete", f"{url}/{theirs.pk}", token).status_code == 404
    assert [p["name"] for p in api("get", url, token).json()] == ["Beschwerden"]
    assert api("delete", f"{url}/{policy['id']}", token).status_code == 204
    assert list(Policy.objects.values_list("name", flat=True)) == ["t"]


def test_raising_the_priority_of_a_waiting_conversation_tightens_its_clock(  # type: ignore[no-untyped-def]
    webhook, policies, acme, alice, django_capture_on_commit_callbacks
) -> None:
    conv = _arrive(webhook, "Wann öffnet der Shop morgen?", berlin(2026, 11, 30, 10, 0))
    assert Timer.objects.get().policy == policies["default"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_conversation(Access(acme, Role.OWNER, alice.pk), conv, priority=3)
    timer = Timer.objects.get()
    assert timer.policy == policies["urgent"]
    assert timer.due_at == berlin(2026, 11, 30, 11, 0)
    assert Conversation.objects.get().sla_due_at == timer.due_at
    with django_capture_on_commit_callbacks(execute=True):
        services.update_conversation(Access(acme, Role.OWNER, alice.pk), conv, priority=0)
    assert Timer.objects.get().due_at == berlin(2026, 11, 30, 11, 0)  # never loosened


def test_spam_starts_no_clock(webhook, policies) -> None:  # type: ignore[no-untyped-def]
    conv = _arrive(
        webhook,
        "BITCOIN VERDOPPELN – nur heute! Jetzt klicken: http://x.example/win http://y.example",
        timezone.now(),
    )
    assert conv.spam
    assert not Timer.objects.exists() and conv.sla_due_at is None


def test_a_lunch_break_is_a_second_span_and_stops_the_clock(en_client, acme) -> None:  # type: ignore[no-untyped-def]
    data = {"opens_0": "08:00", "closes_0": "12:00", "opens2_0": "13:00", "closes2_0": "17:00"}
    assert en_client.post("/w/acme/sla/hours/", {**data, "holidays": "DE"}).status_code == 302
    hours = BusinessHours.objects.get()
    assert hours.week[0] == [["08:00", "12:00"], ["13:00", "17:00"]] and not any(hours.week[1:])
    start = berlin(2026, 11, 30, 11, 30)  # a Monday
    assert add_business_minutes(start, 60, hours.week, BERLIN, "DE") == berlin(2026, 11, 30, 13, 30)
    page = en_client.get("/w/acme/sla/").content.decode()
    assert "08:00–12:00, 13:00–17:00" in page
    assert 'value="13:00"' in en_client.get("/w/acme/sla/hours/").content.decode()
    overlapping = {**data, "opens2_0": "11:00"}
    response = en_client.post("/w/acme/sla/hours/", overlapping)
    assert (
        response.status_code == 400
        and "starts after the first one ends" in response.content.decode()
    )


def test_business_hours_through_the_api(acme, alice, bob) -> None:  # type: ignore[no-untyped-def]
    from tests.test_api import api
    from tests.test_moderation import _token

    token = _token(acme, alice)
    assert api("get", "/api/v1/sla/hours", token).json() == {
        "week": default_week(),
        "holidays": "DE",
    }
    week = [[["09:00", "12:00"], ["13:00", "16:00"]]] * 5 + [[], []]
    response = api("put", "/api/v1/sla/hours", token, {"week": week, "holidays": "AT-9"})
    assert response.status_code == 200, response.content
    assert response.json() == {"week": week, "holidays": "AT-9"}
    saved = BusinessHours.objects.get()
    assert (saved.holiday_country, saved.holiday_subdivision) == ("AT", "9")
    for bad in (
        {"week": week[:6], "holidays": "DE"},  # six days
        {"week": [[["09:00", "10:00"]] * 3] + week[1:], "holidays": "DE"},  # three spans
        {"week": [[["10:00", "09:00"]]] + week[1:], "holidays": "DE"},  # backwards
        {"week": [[]] * 7, "holidays": "DE"},  # never open
        {"week": week, "holidays": "XX-1"},
        {"week": "always", "holidays": "DE"},
    ):
        assert api("put", "/api/v1/sla/hours", token, bad).status_code == 400, bad
    agent = _token(acme, bob, Role.AGENT)
    assert (
        api("put", "/api/v1/sla/hours", agent, {"week": week, "holidays": "DE"}).status_code == 403
    )
    assert BusinessHours.objects.get().week == week
