"""Helpers for insight tests: rasa_sdk trackers built from plain turns, running actions."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    turns: list[tuple[str, str]],
    slots: dict[str, Any] | None = None,
    extra_events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose user turns are ``(text, intent)``; the last one is the latest message."""
    events: list[dict[str, Any]] = list(extra_events or [])
    latest: dict[str, Any] = {}
    for text, intent in turns:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": [],
            "metadata": {},
        }
        events.append({"event": "user", "text": text, "parse_data": latest})
        events.append({"event": "bot", "text": "ok"})
    events.pop()  # the bot has not answered the latest message yet
    return Tracker(
        sender_id="insight-test",
        slots=dict(slots or {}),
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run_action(action: Action, tracker: Tracker) -> list[dict[str, Any]]:
    """Run a rasa_sdk action (sync or async, as rasa_sdk's executor does); returns the
    messages it sent."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, {})
    if inspect.isawaitable(result):
        asyncio.run(result)
    return dispatcher.messages
