"""The widget's "New conversation" control: a fresh session id, an empty log, a new greeting.

Security review, finding 3: the widget kept one session id for good, so a conversation the
server could no longer answer stayed broken across reloads. Runs in a real Chromium against
the scripted Socket.IO server of ``test_store_widget_local.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from store_browser import DESKTOP
from test_store_widget_local import (  # noqa: F401 - fixtures used by name
    ScriptedRasa,
    browser,
    local_store,
    open_chat,
    wait_bot,
)

pytestmark = pytest.mark.browser


def test_new_conversation_starts_a_fresh_session(
    local_store: tuple[str, ScriptedRasa],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    web_url, rasa = local_store
    page = browser.new_page(viewport=DESKTOP)
    page.goto(web_url + "/")
    open_chat(page)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    assert rasa.session_requests[-1] == {}  # the server issues the id (finding 7)
    old_session = rasa.issued[-1]
    page.locator(".sb-input").fill("hello there")
    page.locator(".sb-input").press("Enter")
    wait_bot(page, "You said: hello there")

    control = page.get_by_role("button", name="New conversation")
    assert control.is_visible()
    control.click()
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    assert rasa.session_requests[-1] == {}  # the stored id was dropped, not sent again
    new_session = rasa.issued[-1]
    assert re.fullmatch(r"sb_[0-9a-f]{32}\.[0-9a-f]{32}", new_session)
    assert new_session != old_session
    assert page.locator(".sb-user .sb-bubble").count() == 0  # the old log is gone
    # A new conversation's first message carries the page's language again (issue 20).
    assert rasa.received[-1] == {
        "message": '/greet{"language":"en"}',
        "session_id": new_session,
        "metadata": {"lang": "en"},
    }

    page.locator(".sb-input").fill("second chat")
    page.locator(".sb-input").press("Enter")
    wait_bot(page, "You said: second chat")
    assert rasa.received[-1]["session_id"] == new_session

    # The stored id is the new one: a reload continues the new conversation, not the old.
    page.reload()
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)
    assert rasa.session_requests[-1]["session_id"] == new_session
    assert "hello there" not in " ".join(page.locator(".sb-msg").all_inner_texts())


def test_waiting_for_a_person_hides_the_button_marks_the_person_and_new_conversation_cancels(
    local_store: tuple[str, ScriptedRasa],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    """Issue 16: while a person is awaited or writes, "Talk to a person" is hidden, no typing
    dots, the person's message is labelled "Support team" and styled apart from the bot's;
    "New conversation" tells the old conversation to leave the queue (/restart)."""
    web_url, rasa = local_store
    page = browser.new_page(viewport=DESKTOP)
    page.goto(web_url + "/")
    open_chat(page)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    old_session = rasa.issued[-1]
    human = page.get_by_role("button", name="Talk to a person")
    assert human.is_visible()
    page.locator(".sb-input").fill("agent please")
    page.locator(".sb-input").press("Enter")
    person = page.locator(".sb-agent")
    person.wait_for(timeout=15000)
    assert person.locator(".sb-from").inner_text() == "Support team"
    assert person.locator(".sb-bubble").inner_text() == "Hi, Sam here."
    assert page.locator(".sb-bot .sb-bubble", has_text="Sam here").count() == 0
    colours = person.locator(".sb-bubble").evaluate("e => getComputedStyle(e).backgroundColor")
    bot_colours = page.locator(".sb-bot .sb-bubble").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colours != bot_colours
    assert human.is_hidden()
    assert page.locator(".sb-status").inner_text() == "Waiting for a person"
    # a message while waiting: no "assistant is typing" dots (the bot is paused)
    page.locator(".sb-input").fill("hello?")
    page.locator(".sb-input").press("Enter")
    page.wait_for_timeout(300)
    assert page.locator(".sb-typing").is_hidden()

    page.get_by_role("button", name="New conversation").click()
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    assert {"message": "/restart", "session_id": old_session} in rasa.received
    assert human.is_visible()
    assert page.locator(".sb-status").inner_text() == "Online"
