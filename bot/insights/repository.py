"""Insights' storage: preference-profile facts, opt-outs and message-sentiment rows.

Profiles (bot/insights/profiles.py) and the sentiment store (bot/insights/store.py) decide
what to keep; these functions read and write the rows inside the caller's session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from bot.insights.models import MessageSentiment, ProfileFact, ProfileOptOut

_BUFFER = "insight_message_sentiments"


class ProfileRepository:
    """Profile queries on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def opted_out(self, customer_id: str) -> bool:
        """True once the customer asked for their profile to be erased (and not back in)."""
        return self.session.get(ProfileOptOut, customer_id) is not None

    def delete_facts(self, customer_id: str) -> int:
        """Delete the customer's stored facts; returns how many rows went."""
        result = self.session.execute(
            delete(ProfileFact).where(ProfileFact.customer_id == customer_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def facts(self, customer_id: str) -> list[ProfileFact]:
        """The customer's stored facts in the order they were written."""
        return list(
            self.session.scalars(
                select(ProfileFact)
                .where(ProfileFact.customer_id == customer_id)
                .order_by(ProfileFact.id)
            ).all()
        )

    def message_fact_refs(self) -> list[tuple[str, str]]:
        """(kind, events row id) of every fact learned from a shopper's message."""
        rows = self.session.execute(
            select(ProfileFact.kind, ProfileFact.evidence_ref).where(
                ProfileFact.source == "message"
            )
        )
        return [(str(kind), str(ref)) for kind, ref in rows]

    def opt_out(self, customer_id: str) -> None:
        if not self.opted_out(customer_id):
            self.session.add(ProfileOptOut(customer_id=customer_id))

    def opt_in(self, customer_id: str) -> None:
        self.session.execute(delete(ProfileOptOut).where(ProfileOptOut.customer_id == customer_id))


def queue_message_sentiment(session: Session, row: dict[str, Any]) -> None:
    """Buffer one ``insight_message_sentiment`` row on the session; the buffer is written
    with one bulk INSERT just before the session commits (per-row ORM objects made the
    100k-conversation ingest ~50 % slower)."""
    buffer = session.info.get(_BUFFER)
    if buffer is None:
        buffer = session.info[_BUFFER] = []
        event.listen(session, "before_commit", _write_buffer, once=True)
    buffer.append(row)


def _write_buffer(session: Session) -> None:
    rows = session.info.pop(_BUFFER, None)
    if rows:
        session.execute(insert(MessageSentiment), rows)
