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

from bot.console.repositories.conversations import ConversationRepository
from bot.db.session import Session
from bot.insights.repository import ProfileRepository

LABELS = ("positive", "neutral", "negative")


def sentiment_by_channel(session: Session, since: float, channel: str = "") -> dict[str, Any]:
    """Per channel: scored shopper messages by label and the negative share, for the
    conversations started since ``since``."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name, label, n in ConversationRepository(session).sentiment_labels_by_channel(
        since, channel
    ):
        counts[name][label] += n
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
    facts = [
        (kind, int(ref))
        for kind, ref in ProfileRepository(session).message_fact_refs()
        if ref.isdigit()
    ]
    channel_of = ConversationRepository(session).channels_of_events(ref for _, ref in facts)
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, ref in facts:
        name = channel_of.get(ref)
        if name is not None and (not channel or name == channel):
            out[name][kind] += 1
    return {name: dict(kinds) for name, kinds in out.items()}
