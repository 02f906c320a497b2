"""Live hand-off across two browser contexts against the running stack (Rasa + actions + web).

A shopper asks for a person in the storefront widget; an agent logs into the console, takes
the conversation from the queue and types a reply that must reach the shopper's widget within
two seconds; while the agent holds it the bot stays silent; handing back makes the bot answer
again. Screenshots of both sides go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest

from bot.console.auth import StaffError, add_staff
from bot.console.pseudonym import conversation_ref
from bot.db.session import Database
from bot.settings import Settings
from tests.browser.store_browser import DESKTOP, chromium, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
AGENT = ("live-agent@shop.test", "live-agent-password")
REPLY_TIMEOUT_MS = 90_000
WIDGET = "document.querySelector('#shopbot-widget').shadowRoot"


def _bot_texts(page: Any) -> list[str]:
    return page.locator(".sb-bot").all_inner_texts()


def _wait_bot_count_above(page: Any, n: int, timeout_ms: int = REPLY_TIMEOUT_MS) -> None:
    page.wait_for_function(
        f"n => {WIDGET}.querySelectorAll('.sb-bot').length > n", arg=n, timeout=timeout_ms
    )


def _type(page: Any, text: str) -> None:
    page.locator(".sb-input").fill(text)
    page.locator(".sb-input").press("Enter")


def _session_id(page: Any) -> str:
    return page.evaluate(
        """() => { for (let i = 0; i < localStorage.length; i++) {
             const k = localStorage.key(i);
             if (k.endsWith(':session')) return JSON.parse(localStorage.getItem(k)); }
           return null; }"""
    )


def test_agent_reply_reaches_the_shopper_and_bot_stays_silent(running_stack: Any) -> None:
    db = Database(running_stack.config.database_url)
    with contextlib.suppress(StaffError):  # already there from an earlier run
        add_staff(db, *AGENT, role="agent")
    db.dispose()
    web = running_stack.web_url
    with chromium() as browser:
        shopper_ctx = browser.new_context(viewport=DESKTOP)
        shopper = shopper_ctx.new_page()
        shopper.goto(web + "/")
        shopper.locator(".sb-launcher").click()
        shopper.locator(".sb-status.sb-online").wait_for(timeout=30_000)
        shopper.locator(".sb-bot .sb-bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        _type(shopper, "I want to talk to a human agent")
        shopper.locator(".sb-handoff").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        signed = _session_id(shopper)
        assert signed, "the widget keeps its session id in localStorage"
        sender = signed.split(".")[0]  # Rasa's sender id; the signature stays in the browser

        agent_ctx = browser.new_context(viewport={"width": 1360, "height": 900})
        agent = agent_ctx.new_page()
        agent.goto(web + "/console/login")
        agent.fill("input[name=email]", AGENT[0])
        agent.fill("input[name=password]", AGENT[1])
        agent.click("button[type=submit]")
        agent.wait_for_selector("#conversations")
        # the reference the stack's web app shows (keyed with its own per-run secret)
        ref = conversation_ref(sender, Settings(secret_key=running_stack.config.secret_key))
        row = agent.locator(f'#handoffs tr[data-sender="{ref}"]')
        deadline = time.monotonic() + 30
        while True:
            agent.goto(web + "/console/handoffs")
            if row.count() or time.monotonic() > deadline:
                break
            agent.wait_for_timeout(500)
        assert row.count() == 1, "the shopper's request is in the queue"
        screenshot(agent, "console-handoff-queue.png")
        row.locator("button", has_text="Take").click()
        agent.wait_for_load_state()
        if agent.locator("#reply-form").count() == 0:
            pytest.fail(
                "taking the conversation failed:\n"
                + agent.content()[:3000]
                + "\n--- rasa ---\n"
                + running_stack.tail("rasa", 60)
                + "\n--- web ---\n"
                + running_stack.tail("web", 60)
            )
        shopper.locator(".sb-handoff-agent_joined").wait_for(timeout=10_000)

        before = shopper.locator(".sb-bot").count()
        agent.fill("#reply-text", "Hi, I'm Sam from the shop. How can I help?")
        started = time.monotonic()
        agent.click("#send-reply")
        _wait_bot_count_above(shopper, before, timeout_ms=5_000)
        elapsed_ms = (time.monotonic() - started) * 1000
        assert "I'm Sam from the shop" in _bot_texts(shopper)[-1]
        assert elapsed_ms < 2000, f"agent reply took {elapsed_ms:.0f} ms to reach the widget"

        # While the agent holds the conversation the bot says nothing.
        held = shopper.locator(".sb-bot").count()
        _type(shopper, "where is my order")
        agent.wait_for_function(
            "() => document.querySelector('#live').textContent.includes('where is my order')",
            timeout=15_000,
        )
        shopper.wait_for_timeout(4000)
        assert shopper.locator(".sb-bot").count() == held, _bot_texts(shopper)[held:]
        screenshot(agent, "console-handoff-agent.png")
        screenshot(shopper, "console-handoff-shopper.png")

        agent.click("#release")
        shopper.locator(".sb-handoff-returned").wait_for(timeout=10_000)
        back = shopper.locator(".sb-bot").count()
        _type(shopper, "hello")
        _wait_bot_count_above(shopper, back)
        print(f"agent reply reached the widget in {elapsed_ms:.0f} ms")
        agent_ctx.close()
        shopper_ctx.close()
