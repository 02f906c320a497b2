"""Insight per channel: how shoppers feel and what they like, by the channel they wrote on.

Every shopper message is scored on ingest whatever its channel (bot/insights/store.py), and
preference profiles learn from the messages of every conversation where the customer was
identified (bot/insights/profiles.py), so Telegram and WhatsApp DMs feed the same insights as
widget chats. This module only attributes them to channels for the analytics page: message
sentiment through the conversation's channel, message-sourced preference facts through the
event they cite.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.models import Conversation
from bot.db.events import EVENTS
from bot.insights.models import MessageSentiment, ProfileFact

LABELS = ("positive", "neutral", "negative")
_CHUNK = 500


def sentiment_by_channel(session: Session, since: float, channel: str = "") -> dict[str, Any]:
    """Per channel: scored shopper messages by label and the negative share, for the
    conversations started since ``since``."""
    query = (
        select(Conversation.channel, MessageSentiment.label, func.count())
        .join(Conversation, Conversation.sender_id == MessageSentiment.sender_id)
        .where(Conversation.started_at >= since)
        .group_by(Conversation.channel, MessageSentiment.label)
    )
    if channel:
        query = query.where(Conversation.channel == channel)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name, label, n in session.execute(query):
        counts[name or ""][label] += n
    out = {}
    for name, labels in counts.items():
        total = sum(labels.values())
        out[name] = {
            "messages": total,
            **{label: labels[label] for label in LABELS},
            "negative_share": round(labels["negative"] / total, 4) if total else None,
        }
    return out


def preferences_by_channel(session: Session, channel: str = "") -> dict[str, dict[str, int]]:
    """Per channel: how many preference facts (size, colour, budget, category, brand) the
    profiles learned from shoppers' messages written on it."""
    facts = session.execute(
        select(ProfileFact.kind, ProfileFact.evidence_ref).where(ProfileFact.source == "message")
    ).all()
    ids = sorted({int(ref) for _, ref in facts if ref.isdigit()})
    sender_of: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(EVENTS.c.id, EVENTS.c.sender_id).where(
                EVENTS.c.id.in_(ids[start : start + _CHUNK])
            )
        )
        sender_of.update((int(event_id), str(sender)) for event_id, sender in rows)
    senders = sorted(set(sender_of.values()))
    channel_of: dict[str, str] = {}
    for start in range(0, len(senders), _CHUNK):
        found = session.execute(
            select(Conversation.sender_id, Conversation.channel).where(
                Conversation.sender_id.in_(senders[start : start + _CHUNK])
            )
        )
        channel_of.update((str(sender), str(name or "")) for sender, name in found)
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, ref in facts:
        sender = sender_of.get(int(ref)) if ref.isdigit() else None
        name = channel_of.get(sender or "", "") if sender else ""
        if sender and (not channel or name == channel):
            out[name][kind] += 1
    return {name: dict(kinds) for name, kinds in out.items()}
