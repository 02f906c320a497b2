"""Persist message sentiment next to Rasa's events (called from the console's ingest).

Rows are buffered on the session and written with one bulk INSERT just before the ingest
batch commits (bot/insights/repository.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.db.session import Session
from bot.insights.repository import queue_message_sentiment
from bot.insights.sentiment import model_for, score_text


def record_message_sentiment(
    session: Session, event_id: int, sender_id: str, event_data: dict[str, Any]
) -> None:
    """Queue the score of a user event's text (no-op for other events or empty text)."""
    text = event_data.get("text")
    if event_data.get("event") != "user" or not isinstance(text, str) or not text.strip():
        return
    result = score_text(text)
    queue_message_sentiment(
        session,
        {
            "event_id": event_id,
            "sender_id": sender_id[:255],
            "label": result.label,
            "score": result.score,
            "confidence": result.confidence,
            "model": model_for(text).name,  # lexicon-zh for a Chinese message
            "created_at": datetime.now(UTC),
        },
    )
