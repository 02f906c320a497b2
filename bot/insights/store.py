"""Persist message sentiment next to Rasa's events (called from the console's ingest)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.insights.models import MessageSentiment
from bot.insights.sentiment import get_model, score_text


def record_message_sentiment(
    session: Session, event_id: int, sender_id: str, event: dict[str, Any]
) -> None:
    """Store the score of a user event's text (no-op for other events or empty text)."""
    text = event.get("text")
    if event.get("event") != "user" or not isinstance(text, str) or not text.strip():
        return
    result = score_text(text)
    session.add(
        MessageSentiment(
            event_id=event_id,
            sender_id=sender_id[:255],
            label=result.label,
            score=result.score,
            confidence=result.confidence,
            model=get_model().name,
        )
    )
