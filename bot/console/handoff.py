"""Live hand-off: the waiting queue, taking a conversation, agent replies, giving it back.

Silence while a person holds the conversation uses Rasa's own ``pause`` event: a paused
tracker still logs every user message (so the console sees it through the event broker) but
the processor predicts no action (``MessageProcessor._should_handle_message``). Replies are
``bot`` events appended with ``execute_side_effects=true&output_channel=latest``: Rasa sends
them through the output channel of the conversation's latest input channel, so they reach the
shopper where they wrote from (the widget's Socket.IO room, a Telegram chat, WhatsApp...).
See docs/console.md.

What the shopper reads from here (the "a person has joined" and "back with the assistant"
notices, the label on a person's messages) is in the conversation's language: its latest
``language`` slot, else the language of the shopper's latest message with words. What staff
type goes out untouched, in whichever language they write.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

from bot.console.models import Handoff
from bot.console.pseudonym import customer_ref
from bot.console.repositories.conversations import ConversationRepository
from bot.console.timeline import when
from bot.db.session import Database
from bot.texts import DEFAULT_LOCALE, t
from bot.texts import language as language_of
from bot.texts.detect import detect_language
from bot.texts.domain import LANGUAGE_SLOT

log = logging.getLogger(__name__)


class HandoffError(ValueError):
    """A hand-off request that cannot be done (message is safe to show)."""


OUTPUT_CHANNEL = "latest"  # rasa.server: USE_LATEST_INPUT_CHANNEL_AS_OUTPUT_CHANNEL


class RasaEvents:
    """Appends events to a Rasa conversation through its HTTP API (``--enable-api``)."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s

    def append(self, sender_id: str, events: list[dict[str, Any]], side_effects: bool) -> None:
        # "latest": the channel of the shopper's last message (Rasa's tracker), not a fixed one
        params: dict[str, str] = {"output_channel": OUTPUT_CHANNEL}
        if side_effects:
            params["execute_side_effects"] = "true"
        if self.token:
            params["token"] = self.token
        # Rasa (Sanic) does not unquote path parameters: "telegram%3A42" would be another,
        # empty conversation. Sender ids hold only A-Z a-z 0-9 _ - . : @ + = (input_limits),
        # all allowed in a path segment, so only "/" and the rest are escaped.
        url = f"{self.base_url}/conversations/{quote(sender_id, safe=':@+=')}/tracker/events"
        try:
            response = httpx.post(url, params=params, json=events, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            log.warning("Rasa not reachable for hand-off (%s)", type(exc).__name__)
            raise HandoffError("The assistant server is not reachable; try again.") from exc
        if response.status_code >= 400:
            log.warning("Rasa refused hand-off events: HTTP %s", response.status_code)
            raise HandoffError("The assistant server refused the message.")


def shopper_language(session: Any, sender_id: str) -> str:
    """The language the conversation is held in ('zh', 'en'): the latest ``language`` slot
    or, newer than it, a shopper message that shows its language; English without either."""
    for _event_id, data in reversed(ConversationRepository(session).events(sender_id)):
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("event") == "slot" and event.get("name") == LANGUAGE_SLOT:
            if isinstance(event.get("value"), str) and event["value"]:
                return language_of(event["value"])
        elif event.get("event") == "user":
            found = detect_language(
                event.get("text") if isinstance(event.get("text"), str) else None
            )
            if found:
                return found
    return DEFAULT_LOCALE


def waiting_label(seconds: float, taken: bool = False) -> str:
    """How long the shopper has waited, as staff read it: "waiting 40 s", "waited 3 min"."""
    verb = "waited" if taken else "waiting"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{verb} {seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{verb} {minutes} min"
    return f"{verb} {minutes // 60} h {minutes % 60} min"


def queue(
    db: Database, include_active: bool = True, now: float | None = None
) -> list[dict[str, Any]]:
    """Waiting (and held) hand-offs, newest first, with the conversation's summary.

    Times are given as staff read them (``requested`` in UTC, ``waiting`` as a duration
    measured up to ``now`` or until the hand-off was taken), never as Unix times.
    """
    now = time.time() if now is None else now
    statuses = ["waiting", "active"] if include_active else ["waiting"]
    with db.session() as session:
        rows = ConversationRepository(session).handoffs_with_conversations(statuses, limit=200)
    return [
        {
            "id": h.id,
            "sender_id": h.sender_id,
            "conversation_id": c.id if c else None,
            "reason": h.reason,
            "status": h.status,
            "requested": when(h.requested_at),
            "waiting": waiting_label((h.taken_at or now) - h.requested_at, h.taken_at is not None),
            "customer_ref": customer_ref(c.customer_id) if c else "",
            "channel": (c.channel if c else "") or "",
            "taken_by": h.taken_by,
            "turns": c.turns if c else 0,
        }
        for h, c in rows
    ]


def _get(session: Any, handoff_id: int) -> Handoff:
    handoff = ConversationRepository(session).handoff(handoff_id)
    if handoff is None:
        raise HandoffError("No such hand-off.")
    return handoff


def take(db: Database, rasa: RasaEvents, handoff_id: int, agent: str) -> Handoff:
    """Claim a waiting conversation and pause the bot on it."""
    with db.transaction() as session:
        handoff = _get(session, handoff_id)
        if handoff.status == "active" and handoff.taken_by != agent:
            raise HandoffError(f"{handoff.taken_by} already holds this conversation.")
        if handoff.status not in ("waiting", "active"):
            raise HandoffError("This hand-off is already finished.")
        lang = shopper_language(session, handoff.sender_id)
        rasa.append(
            handoff.sender_id,
            [
                {"event": "pause"},
                {
                    "event": "bot",
                    "data": {
                        "custom": {
                            "type": "handoff",
                            "state": "agent_joined",
                            "text": t("handoff.agent_joined", lang),
                        }
                    },
                    "metadata": {"agent": agent},
                },
            ],
            side_effects=True,
        )
        handoff.status = "active"
        handoff.taken_by = agent
        handoff.taken_at = time.time()
        return handoff


def reply(db: Database, rasa: RasaEvents, handoff_id: int, agent: str, text: str) -> None:
    """Send the agent's message to the shopper's widget (only by the agent holding it)."""
    text = text.strip()
    if not text:
        raise HandoffError("Type a message first.")
    with db.session() as session:
        handoff = _get(session, handoff_id)
        if handoff.status != "active" or handoff.taken_by != agent:
            raise HandoffError("Take the conversation before replying.")
        sender_id = handoff.sender_id
        lang = shopper_language(session, sender_id)
    text = text[:4000]  # the agent's words as typed, in either language
    # The text stays on the event (transcripts, exports); the custom payload is what the
    # widget receives (rasa_addons/socketio_channel.py sends it alone), so it can show the
    # message as a person's, not the assistant's.
    rasa.append(
        sender_id,
        [
            {
                "event": "bot",
                "text": text,
                "data": {"custom": agent_message(text, lang)},
                "metadata": {"agent": agent},
            }
        ],
        side_effects=True,
    )


def agent_message(text: str, lang: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """The widget payload of a staff member's message, labelled as from the support team in
    the shopper's language (``lang``); the text itself is passed through untouched."""
    return {"type": "agent_message", "text": text, "from": t("handoff.support_team", lang)}


def finish(db: Database, rasa: RasaEvents, handoff_id: int, agent: str, to_bot: bool) -> None:
    """Hand the conversation back to the bot or close it; either way the bot resumes."""
    with db.transaction() as session:
        handoff = _get(session, handoff_id)
        if handoff.status not in ("waiting", "active"):
            raise HandoffError("This hand-off is already finished.")
        if handoff.status == "active" and handoff.taken_by != agent:
            raise HandoffError(f"{handoff.taken_by} holds this conversation.")
        lang = shopper_language(session, handoff.sender_id)
        text = t("handoff.back_to_bot", lang) if to_bot else t("handoff.closed", lang)
        events: list[dict[str, Any]] = [
            {"event": "slot", "name": "handoff_requested", "value": False},
            {
                "event": "bot",
                "data": {"custom": {"type": "handoff", "state": "returned", "text": text}},
                "metadata": {"agent": agent},
            },
        ]
        # Both ways the bot answers again if the shopper writes later; closing only differs
        # in the message and in the hand-off record.
        events.insert(0, {"event": "resume"})
        rasa.append(handoff.sender_id, events, side_effects=True)
        handoff.status = "returned" if to_bot else "closed"
        handoff.closed_at = time.time()
