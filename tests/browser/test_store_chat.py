"""The storefront and its chat widget against the real assistant (Rasa + action server + web
app from the ``running_stack`` fixture) in Debian's Chromium.

Journey: open the store, the greeting arrives, a quick reply, a product search that returns
product cards, a reload that keeps the conversation, hostile HTML rendered as text, a request
for a person that shows the hand-off notice. Screenshots (desktop and 375 px) go to
test-artifacts/screenshots/ (the README picture docs/img/store-chat.png only with
SHOPBOT_UPDATE_DOC_IMAGES=1, i.e. `make report`), and the widget's
size and time-to-greeting to test-artifacts/widget-metrics.json.
"""

from __future__ import annotations

from typing import Any

import pytest
from store_browser import (
    DESKTOP,
    PHONE,
    DialogWatch,
    chromium,
    publish_doc_image,
    record_metrics,
    screenshot,
    widget_size,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

XSS = "<img src=x onerror=alert(1)>"
REPLY_TIMEOUT_MS = 90_000


def bot_count(page: Any) -> int:
    return page.locator(".sb-bot").count()


def wait_for_more_bot_messages(page: Any, before: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('#shopbot-widget').shadowRoot"
        ".querySelectorAll('.sb-bot').length > n",
        arg=before,
        timeout=REPLY_TIMEOUT_MS,
    )


def send(page: Any, text: str) -> None:
    before = bot_count(page)
    page.locator(".sb-input").fill(text)
    page.locator(".sb-input").press("Enter")
    wait_for_more_bot_messages(page, before)


def time_to_greeting(browser: Any, url: str) -> dict[str, float]:
    """Fresh visitor: open the chat on load; ms from navigation start to connect and greeting."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate("window.Shopbot.open()")
    page.locator(".sb-bot .sb-bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    marks = page.evaluate(
        """() => Object.fromEntries(['shopbot:connected', 'shopbot:first-bot-message']
             .map(n => [n, performance.getEntriesByName(n)[0]?.startTime ?? null]))"""
    )
    load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    context.close()
    return {
        "load_event_ms": round(load),
        "socket_confirmed_ms": round(marks["shopbot:connected"]),
        "greeting_ms": round(marks["shopbot:first-bot-message"]),
    }


def test_store_chat_journey_against_the_real_assistant(running_stack: Any) -> None:
    store = running_stack.web_url + "/"
    with chromium() as browser:
        # Time to greeting: the first visit warms the model and action server up.
        first_visit = time_to_greeting(browser, store)
        warm_visit = time_to_greeting(browser, store)
        record_metrics(
            "store_chat", {**widget_size(), "first_visit": first_visit, "warm_visit": warm_visit}
        )

        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        dialogs = DialogWatch(page)
        page.goto(store)
        assert page.locator(".grid .card").count() > 0
        page.locator(".sb-launcher").click()
        page.locator(".sb-status.sb-online").wait_for(timeout=30_000)
        page.locator(".sb-bot .sb-bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        assert page.locator(".sb-quick-btn").count() > 0, "the greeting offers quick replies"

        # A quick reply sends its payload; the buttons disappear once used.
        before = bot_count(page)
        page.get_by_role("button", name="Find a product").click()
        wait_for_more_bot_messages(page, before)
        assert page.locator(".sb-user .sb-bubble").last.inner_text() == "Find a product"

        # Product search: cards from the real catalog, linking to the store's pages.
        cards_before = page.locator(".sb-card").count()
        send(page, "Do you have a water bottle?")
        page.wait_for_function(
            "n => document.querySelector('#shopbot-widget').shadowRoot"
            ".querySelectorAll('.sb-card').length > n",
            arg=cards_before,
            timeout=REPLY_TIMEOUT_MS,
        )
        card = page.locator(".sb-card").last
        names = page.locator(".sb-card-name").all_inner_texts()
        assert any("water bottle" in n.lower() for n in names), names
        href = card.locator(".sb-card-view").get_attribute("href")
        assert href and href.startswith("/products/")
        assert card.locator(".sb-card-price").inner_text().startswith("$")
        page.wait_for_timeout(300)  # let the card images paint
        publish_doc_image(screenshot(page, "store-chat-desktop.png"), "store-chat.png")

        # Reload: the same conversation is rendered again and the session continues.
        messages = page.locator(".sb-msg").count()
        page.reload()
        page.locator(".sb-status.sb-online").wait_for(timeout=30_000)
        assert page.locator(".sb-msg").count() == messages
        assert page.locator(".sb-card-name").all_inner_texts() == names

        # Hostile HTML typed by the shopper is shown as text; nothing executes.
        send(page, XSS)
        assert XSS in page.locator(".sb-user .sb-bubble").all_inner_texts()
        assert page.locator(".sb-log img[src='x']").count() == 0

        # Ask for a person: the hand-off notice appears.
        before = bot_count(page)
        page.get_by_role("button", name="Talk to a person").click()
        wait_for_more_bot_messages(page, before)
        page.locator(".sb-handoff").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        assert page.locator(".sb-handoff").first.inner_text().strip()

        # The same conversation on a phone.
        phone = context.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(store)
        phone.locator(".sb-launcher").click()  # open/closed is remembered per tab
        phone.locator(".sb-handoff").first.wait_for(timeout=30_000)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "store-chat-phone.png")
        assert dialogs.messages == []
        context.close()


def test_signed_in_shopper_is_identified_without_typing_an_email(running_stack: Any) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(running_stack.web_url + "/sign-in")
        page.locator("#email").fill("noah.brown7922@example.com")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Hi, Noah").wait_for()
        page.locator(".sb-launcher").click()
        page.locator(".sb-bot .sb-bubble").first.wait_for(timeout=REPLY_TIMEOUT_MS)
        before = bot_count(page)
        send(page, "What's the status of my order?")
        replies = " ".join(page.locator(".sb-bot").all_inner_texts()[before:]).lower()
        assert "email" not in replies, replies
        assert "order" in replies, replies
