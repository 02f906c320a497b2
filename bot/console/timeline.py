"""One conversation as turns: what the shopper said, how it was understood, what the bot did.

Built straight from Rasa's events (the summary table has no per-turn data). Masking happens
here, once, so the HTML view, the JSON API and exports all get the same masked text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.console.ingest import IGNORED_ACTIONS, parse_event
from bot.console.pii import (
    IDENTITY_QUESTIONS,
    KnownPII,
    conversation_terms,
    load_known_pii,
    mask_text,
    mask_value,
)
from bot.console.repositories.conversations import ConversationRepository
from bot.db.session import Session


@dataclass
class Turn:
    """A user message and everything up to the next one (or the opening bot events)."""

    event_id: int | None = None
    at: str = ""
    timestamp: float | None = None
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    corrected_intent: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    sentiment: float | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    bot_messages: list[dict[str, Any]] = field(default_factory=list)
    slots: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: int | None = None


def when(ts: float | None) -> str:
    """A stored Unix time as staff read it: ``2026-12-05 00:12:03 UTC`` ("" for none)."""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def load_events(session: Session, sender_id: str) -> list[tuple[int, dict[str, Any]]]:
    rows = ConversationRepository(session).events(sender_id)
    return [(event_id, parse_event(data)) for event_id, data in rows]


def build_turns(
    session: Session, sender_id: str, reveal: bool = False, known: KnownPII | None = None
) -> list[Turn]:
    """The conversation's turns; texts, entity values and slot values masked unless revealed.

    Masking includes what the customer record says about the conversation's customer
    (``known``; looked up from the summary when not given).
    """
    from bot.console.ingest import sentiment_of

    if known is None and not reveal:
        customer_id = ConversationRepository(session).customer_of(sender_id)
        known = load_known_pii(session, customer_id)

    def show(value: Any, name: str | None = None) -> Any:
        return value if reveal else mask_value(value, known, name)

    corrections = {
        c.event_id: c.corrected_intent
        for c in ConversationRepository(session).corrections(sender_id)
    }
    events = load_events(session, sender_id)
    if not reveal:  # what the shopper gave here is masked too, verified or not
        known = (known or KnownPII()).plus(conversation_terms([e for _, e in events]))
    turns: list[Turn] = [Turn()]
    asked: str | None = None  # the form question open when the shopper wrote
    for event_id, event in events:
        kind = event.get("event")
        ts = event.get("timestamp")
        current = turns[-1]
        if kind == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value") if isinstance(event.get("value"), str) else None
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            answer_mask = IDENTITY_QUESTIONS.get(asked or "")
            turns.append(
                Turn(
                    event_id=event_id,
                    at=_iso(ts),
                    timestamp=ts,
                    text=(event.get("text") or "")
                    if reveal
                    else answer_mask or mask_text(event.get("text"), known),
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    corrected_intent=corrections.get(event_id),
                    entities=[
                        {
                            "entity": e.get("entity"),
                            "value": show(e.get("value"), e.get("entity")),
                            "extractor": e.get("extractor"),
                            "confidence": e.get("confidence_entity"),
                        }
                        for e in parse.get("entities") or []
                        if isinstance(e, dict)
                    ],
                    sentiment=sentiment_of(event),
                )
            )
        elif kind == "bot":
            meta = event.get("metadata") or {}
            message = {
                "at": _iso(ts),
                "text": show(event.get("text") or ""),
                "data": show({k: v for k, v in (event.get("data") or {}).items() if v}),
                "facts": show(meta.get("facts") or meta.get("used_facts")),
                "grounding": meta.get("grounding", meta.get("grounded")),
                "agent": meta.get("agent"),
            }
            current.bot_messages.append(message)
            if current.latency_ms is None and current.timestamp is not None and ts is not None:
                current.latency_ms = max(0, round((ts - current.timestamp) * 1000))
        elif kind == "action" and event.get("name") not in IGNORED_ACTIONS:
            current.actions.append(
                {
                    "name": event.get("name"),
                    "policy": event.get("policy"),
                    "confidence": event.get("confidence"),
                }
            )
        elif kind == "slot":
            name = event.get("name")
            current.slots.append({"name": name, "value": show(event.get("value"), name)})
        elif kind in ("pause", "resume"):
            current.actions.append(
                {"name": f"conversation {kind}d", "policy": "console", "confidence": None}
            )
    if not (turns[0].bot_messages or turns[0].actions or turns[0].slots):
        turns.pop(0)
    return turns
