"""Live hand-off: the waiting queue, taking a conversation, agent replies, giving it back.

Silence while a person holds the conversation uses Rasa's own ``pause`` event: a paused
tracker still logs every user message (so the console sees it through the event broker) but
the processor predicts no action (``MessageProcessor._should_handle_message``). Replies are
``bot`` events appended with ``execute_side_effects=true&output_channel=socketio``, which
makes Rasa emit them to the shopper's Socket.IO room. See docs/console.md.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select

from bot.console.models import Conversation, Handoff
from bot.db.session import Database
from bot.texts import t

log = logging.getLogger(__name__)


class HandoffError(ValueError):
    """A hand-off request that cannot be done (message is safe to show)."""


class RasaEvents:
    """Appends events to a Rasa conversation through its HTTP API (``--enable-api``)."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s

    def append(self, sender_id: str, events: list[dict[str, Any]], side_effects: bool) -> None:
        params: dict[str, str] = {"output_channel": "socketio"}
        if side_effects:
            params["execute_side_effects"] = "true"
        if self.token:
            params["token"] = self.token
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/tracker/events"
        try:
            response = httpx.post(url, params=params, json=events, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            log.warning("Rasa not reachable for hand-off (%s)", type(exc).__name__)
            raise HandoffError("The assistant server is not reachable; try again.") from exc
        if response.status_code >= 400:
            log.warning("Rasa refused hand-off events: HTTP %s", response.status_code)
            raise HandoffError("The assistant server refused the message.")


def queue(db: Database, include_active: bool = True) -> list[dict[str, Any]]:
    """Waiting (and held) hand-offs, newest first, with the conversation's summary."""
    statuses = ["waiting", "active"] if include_active else ["waiting"]
    with db.session() as session:
        rows = session.execute(
            select(Handoff, Conversation)
            .join(Conversation, Conversation.sender_id == Handoff.sender_id, isouter=True)
            .where(Handoff.status.in_(statuses))
            .order_by(Handoff.requested_at.desc(), Handoff.id.desc())
            .limit(200)
        ).all()
    return [
        {
            "id": h.id,
            "sender_id": h.sender_id,
            "conversation_id": c.id if c else None,
            "reason": h.reason,
            "status": h.status,
            "requested_at": h.requested_at,
            "taken_by": h.taken_by,
            "turns": c.turns if c else 0,
        }
        for h, c in rows
    ]


def _get(session: Any, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
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
                            "text": t("handoff.agent_joined"),
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
    rasa.append(
        sender_id,
        [{"event": "bot", "text": text[:4000], "metadata": {"agent": agent}}],
        side_effects=True,
    )


def finish(db: Database, rasa: RasaEvents, handoff_id: int, agent: str, to_bot: bool) -> None:
    """Hand the conversation back to the bot or close it; either way the bot resumes."""
    with db.transaction() as session:
        handoff = _get(session, handoff_id)
        if handoff.status not in ("waiting", "active"):
            raise HandoffError("This hand-off is already finished.")
        if handoff.status == "active" and handoff.taken_by != agent:
            raise HandoffError(f"{handoff.taken_by} holds this conversation.")
        text = t("handoff.back_to_bot") if to_bot else t("handoff.closed")
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
