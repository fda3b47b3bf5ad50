"""Real-browser checks: hostile text never runs, and the whole widget-to-inbox loop works.

Debian's Chromium driven by Playwright (never a downloaded browser).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from resonanz.channels.ingest import InboundItem, ingest
from resonanz.channels.models import Channel, ChannelKind
from resonanz.core.models import Membership, Role, Workspace
from resonanz.inbox.models import Conversation, Message
from tests.conftest import PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = [
    '<script>window.__xss = 1; alert("xss")</script>',
    '<img src=x onerror="window.__xss=2; alert(2)">',
    '"><svg onload="window.__xss=3">',
    "javascript:window.__xss=4",
    '<a href="javascript:window.__xss=5">klick</a>',
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("RESONANZ_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def demo_site(live_server) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    workspace = Workspace.objects.create(name="Demo", slug="demo")
    user = make_user("agent@example.com", "Agentin")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    widget = Channel.objects.create(
        workspace=workspace,
        kind=ChannelKind.WIDGET,
        slug="widget",
        name="Website",
        config={"allowed_origins": [live_server.url], "min_seconds_on_form": 0},
    )
    return {"workspace": workspace, "user": user, "widget": widget, "url": live_server.url}


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def watch_for_script(page: Any) -> list[str]:
    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    return fired


def log_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/w/**")


def test_hostile_text_never_executes_in_inbox(browser, demo_site) -> None:  # type: ignore[no-untyped-def]
    widget = demo_site["widget"]
    ingest(
        widget,
        [
            InboundItem(
                external_id=f"x{i}",
                text=f"{payload} Ende",
                author_id=f"a{i}",
                author_name=payload,
                thread_key="p1",
                thread_title=payload,
                thread_url="https://example.org/",
            )
            for i, payload in enumerate(HOSTILE)
        ],
    )
    page = browser.new_page()
    fired = watch_for_script(page)
    log_in(page, demo_site["url"], "agent@example.com")
    assert page.locator("li.row").count() == len(HOSTILE)
    for row in range(len(HOSTILE)):
        page.locator("li.row a.rowlink").nth(row).click()
        page.wait_for_selector(".conversation")
    page.goto(f"{demo_site['url']}/w/demo/c/{Conversation.objects.first().pk}/")  # type: ignore[union-attr]
    assert page.evaluate("window.__xss") is None
    assert fired == []
    assert HOSTILE[0] in page.locator(".messages").inner_text()
    page.close()


def test_widget_comment_reaches_inbox_live_and_reply_appears_on_page(
    browser, demo_site, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    url = demo_site["url"]
    agent = browser.new_page()
    fired = watch_for_script(agent)
    log_in(agent, url, "agent@example.com")
    agent.wait_for_timeout(300)  # the event stream is connected

    visitor = browser.new_page()
    fired_visitor = watch_for_script(visitor)
    visitor.goto(f"{url}/demo/article/1")
    visitor.wait_for_selector(".rz-form")
    visitor.fill(".rz-form input[name=name]", '<img src=x onerror="window.__xss=9">Vera')
    visitor.fill(".rz-form textarea[name=text]", f"{HOSTILE[0]} Wann kommt Glasfaser nach Ulm?")
    visitor.click(".rz-form button[type=submit]")
    visitor.wait_for_selector(".rz-comment")  # at once: the visitor's own copy
    assert "Wann kommt Glasfaser" in visitor.locator(".rz-comment").inner_text()
    run_tasks()  # the worker stores it
    # The widget looks again by itself and now lists the stored comment.
    expect(visitor.locator(".rz-comment:not(.rz-local)")).to_contain_text("Wann kommt Glasfaser")

    # The agent's open inbox shows it without a reload (server-sent events).
    agent.wait_for_selector("li.row", timeout=5000)
    assert "Glasfaser" in agent.locator("li.row").first.inner_text()
    agent.keyboard.press("j")
    agent.keyboard.press("Enter")
    agent.wait_for_selector(".conversation")
    agent.keyboard.press("r")
    agent.keyboard.type("Im Frühjahr 2027, versprochen!")
    agent.keyboard.press("Control+Enter")
    agent.wait_for_selector(".msg.outbound")
    assert Message.objects.filter(direction="outbound").count() == 1
    run_tasks()  # the worker delivers the reply through the outbox

    visitor.reload()
    visitor.wait_for_selector(".rz-team")
    assert "Im Frühjahr 2027" in visitor.locator(".rz-team").inner_text()
    for page in (agent, visitor):
        assert page.evaluate("window.__xss") is None
    assert fired == [] and fired_visitor == []
    agent.close()
    visitor.close()


def test_premoderated_comment_is_shown_only_to_its_author_until_approved(
    browser, demo_site, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    from resonanz.core.permissions import Access
    from resonanz.inbox import services

    widget = demo_site["widget"]
    widget.config = {**widget.config, "premoderation": True, "min_seconds_on_form": 1}
    widget.save()
    url = f"{demo_site['url']}/demo/article/1"
    author = browser.new_context()
    page = author.new_page()
    page.goto(url)
    page.wait_for_selector(".rz-form")
    page.fill(".rz-form input[name=name]", "Vera")
    page.fill(".rz-form textarea[name=text]", "Gibt es das auch in Blau?")
    page.wait_for_timeout(2500)  # a person takes longer than min_seconds_on_form to write
    page.click(".rz-form button[type=submit]")
    expect(page.locator(".rz-status")).to_contain_text("geprüft")
    expect(page.locator(".rz-pending")).to_contain_text("in Blau")
    run_tasks()  # the worker stores it
    page.reload()
    expect(page.locator(".rz-pending")).to_contain_text("in Blau")  # still there, for the author

    stranger = browser.new_context().new_page()
    stranger.goto(url)
    stranger.wait_for_selector(".rz-empty")
    assert stranger.locator(".rz-comment").count() == 0

    access = Access(demo_site["workspace"], Role.OWNER, demo_site["user"].pk)
    services.publish_held(access, Conversation.objects.get())
    stranger.reload()
    expect(stranger.locator(".rz-comment")).to_contain_text("in Blau")
    page.reload()
    expect(page.locator(".rz-comment").first).to_contain_text("in Blau")
    assert page.locator(".rz-pending").count() == 0
    author.close()


def test_keyboard_resolve_and_help(browser, demo_site) -> None:  # type: ignore[no-untyped-def]
    ingest(
        demo_site["widget"],
        [InboundItem(external_id="k1", text="Frage", author_id="a", thread_key="p")],
    )
    page = browser.new_page()
    log_in(page, demo_site["url"], "agent@example.com")
    page.keyboard.press("?")
    assert page.locator("dialog#keys").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(".conversation")
    page.keyboard.press("e")
    expect(page.locator(".conversation select[name=state]")).to_have_value("resolved")
    assert Conversation.objects.get().state == "resolved"
    page.close()


def test_a_live_update_never_takes_what_an_agent_is_typing(browser, demo_site) -> None:  # type: ignore[no-untyped-def]
    from resonanz.inbox.services import publish_event

    ingest(
        demo_site["widget"],
        [
            InboundItem(
                external_id="t1", text="Wann kommt Glasfaser?", author_id="a", thread_key="p"
            )
        ],
    )
    page = browser.new_page()
    log_in(page, demo_site["url"], "agent@example.com")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reply-text")
    page.keyboard.press("r")
    reply = page.locator("#reply-text")
    expect(reply).to_be_focused()
    # A colleague changes the conversation: the change reaches this inbox live, but the
    # open conversation is not reloaded under the cursor of someone about to type.
    conversation = Conversation.objects.get()
    publish_event(conversation.workspace_id, "update", conversation.pk)
    expect(page.locator("#live-status")).to_have_text("↻")
    page.keyboard.type("Im Frühjahr, versprochen!")
    expect(reply).to_have_value("Im Frühjahr, versprochen!")
    expect(reply).to_be_focused()
    # Leaving the field with an unsent draft keeps the draft.
    page.keyboard.press("Escape")
    expect(reply).not_to_be_focused()
    expect(reply).to_have_value("Im Frühjahr, versprochen!")
    # With nothing left unsent, the conversation catches up as soon as the cursor leaves.
    reply.fill("")
    page.keyboard.press("Escape")
    expect(page.locator("#live-status")).to_have_text("")
    page.close()


def test_pages_forbid_inline_script(client, db) -> None:  # type: ignore[no-untyped-def]
    policy = client.get("/login/")["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


def test_a_moderation_rule_set_up_in_the_page_hides_an_insult_from_every_reader(
    browser, demo_site, run_tasks
) -> None:  # type: ignore[no-untyped-def]
    from resonanz.moderation.models import Rule, RuleHit

    url = demo_site["url"]
    ingest(
        demo_site["widget"],
        [InboundItem(external_id="old", text="Ihr seid alle Vollidioten!", author_id="o")],
    )
    run_tasks()
    agent = browser.new_page()
    fired = watch_for_script(agent)
    log_in(agent, url, "agent@example.com")
    agent.goto(f"{url}/w/demo/moderation/")
    agent.click("a[href$='/moderation/new/']")
    agent.fill("input[name=name]", "Beleidigungen ausblenden")
    agent.select_option("select[name=flag]", "offensive")
    agent.fill("input[name=min_score]", "0.9")
    agent.select_option("select[name=moderate]", "hidden")
    agent.click("#preview-btn")  # tried on the latest messages before it is saved
    expect(agent.locator("#preview-result")).to_contain_text("1")
    expect(agent.locator("#preview li")).to_contain_text("Vollidioten")
    agent.click("#rule-form button.primary")
    agent.wait_for_url(f"{url}/w/demo/moderation/")
    expect(agent.locator("#rules")).to_contain_text("Beleidigungen ausblenden")
    assert Rule.objects.get().moderate == "hidden"

    def comment(name: str, text: str) -> None:
        page = browser.new_context().new_page()
        page.goto(f"{url}/demo/article/1")
        page.wait_for_selector(".rz-form")
        page.fill(".rz-form input[name=name]", name)
        page.fill(".rz-form textarea[name=text]", text)
        page.click(".rz-form button[type=submit]")
        page.wait_for_selector(".rz-comment")
        page.close()

    comment("Troll", "Ihr seid doch alle Vollidioten, ihr Versager!")
    comment("Vera", "Wann kommt Glasfaser nach Ulm?")
    run_tasks()  # stored, triaged, and the rule acts at once

    reader = browser.new_context().new_page()
    reader.goto(f"{url}/demo/article/1")
    expect(reader.locator(".rz-comment")).to_have_count(1)
    expect(reader.locator(".rz-comment")).to_contain_text("Glasfaser")
    assert RuleHit.objects.get().message.body.startswith("Ihr seid doch")

    agent.goto(f"{url}/w/demo/moderation/{Rule.objects.get().pk}/")
    expect(agent.locator("#hits")).to_contain_text("Versager")
    assert fired == []
    agent.close()


def test_business_hours_are_set_in_a_real_browsers_time_inputs(browser, demo_site) -> None:  # type: ignore[no-untyped-def]
    from resonanz.sla.models import BusinessHours

    url = demo_site["url"]
    page = browser.new_page()
    log_in(page, url, "agent@example.com")
    page.goto(f"{url}/w/demo/sla/hours/")
    page.fill("input[name=opens_0]", "09:30")
    page.fill("input[name=closes_0]", "12:00")
    for day in range(1, 5):  # Tuesday to Friday closed
        page.fill(f"input[name=opens_{day}]", "")
        page.fill(f"input[name=closes_{day}]", "")
    page.select_option("select[name=holidays]", "DE-BY")
    page.click("#hours-form button.primary")
    page.wait_for_url(f"{url}/w/demo/sla/")
    expect(page.locator("#hours")).to_contain_text("09:30–12:00")
    hours = BusinessHours.objects.get()
    assert hours.week[0] == [["09:30", "12:00"]] and not any(hours.week[1:])
    assert hours.holiday_subdivision == "BY"
    page.close()
