"""The ingest's reads and writes: Rasa's events above the watermark, the folded-in ids, the
ingest state rows, and the summary rows an event batch touches.

The folding rules (bot/console/ingest.py) decide what changes; these methods run inside its
transaction, so one batch is still committed or rolled back as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.console.models import (
    Conversation,
    ConversationFacet,
    Handoff,
    IngestedEvent,
    IngestState,
)
from bot.db.events import EVENTS

OPEN_HANDOFF = ["waiting", "active"]


class IngestRepository:
    """Ingest queries on one session (the ingest's transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the state ------------------------------------------------------------------------

    def lock_state(self) -> IngestState:
        """The ``events`` state row, locked for this transaction (created on first use)."""
        stmt = select(IngestState).where(IngestState.name == "events").with_for_update()
        state = self.session.scalars(stmt).first()
        if state is None:
            try:
                with self.session.begin_nested():
                    self.session.add(IngestState(name="events", last_event_id=0))
            except IntegrityError:
                pass
            state = self.session.scalars(stmt).one()
        return state

    def state(self, name: str) -> IngestState | None:
        return self.session.get(IngestState, name)

    def new_events(self, after: int, limit: int) -> list[Row[Any]]:
        """(id, sender_id, data) of events above the watermark not folded in yet, by id."""
        folded = select(IngestedEvent.event_id).where(IngestedEvent.event_id == EVENTS.c.id)
        return list(
            self.session.execute(
                select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data)
                .where(EVENTS.c.id > after, ~folded.exists())
                .order_by(EVENTS.c.id)
                .limit(limit)
            ).all()
        )

    def mark_folded(self, event_ids: Iterable[int], now: float) -> None:
        self.session.execute(
            insert(IngestedEvent), [{"event_id": event_id, "at": now} for event_id in event_ids]
        )

    def folded_above(self, mark: int) -> list[tuple[int, float]]:
        """(event id, when folded in) of folded-in events above the watermark, by id."""
        rows = self.session.execute(
            select(IngestedEvent.event_id, IngestedEvent.at)
            .where(IngestedEvent.event_id > mark)
            .order_by(IngestedEvent.event_id)
        ).all()
        return [(event_id, at) for event_id, at in rows]

    def forget_folded_up_to(self, mark: int) -> None:
        self.session.execute(delete(IngestedEvent).where(IngestedEvent.event_id <= mark))

    # -- summary rows ---------------------------------------------------------------------

    def conversations_without_outcome(self) -> list[Conversation]:
        return list(
            self.session.scalars(
                select(Conversation).where(Conversation.outcome.in_(["", "{}"]))
            ).all()
        )

    def conversations_by_sender(self, senders: Iterable[str]) -> dict[str, Conversation]:
        return {
            c.sender_id: c
            for c in self.session.scalars(
                select(Conversation).where(Conversation.sender_id.in_(set(senders)))
            )
        }

    def facets_of(self, conv_ids: list[int]) -> set[tuple[int, str]]:
        """(conversation id, facet) pairs already stored for these conversations."""
        return {
            (row[0], row[1])
            for row in self.session.execute(
                select(ConversationFacet.conversation_id, ConversationFacet.facet).where(
                    ConversationFacet.conversation_id.in_(conv_ids)
                )
            )
        }

    def senders_with_open_handoff(self, senders: list[str]) -> set[str]:
        return set(
            self.session.scalars(
                select(Handoff.sender_id).where(
                    Handoff.sender_id.in_(senders), Handoff.status.in_(OPEN_HANDOFF)
                )
            )
        )

    def open_handoffs(self, sender_id: str) -> list[Handoff]:
        return list(
            self.session.scalars(
                select(Handoff).where(
                    Handoff.sender_id == sender_id, Handoff.status.in_(OPEN_HANDOFF)
                )
            )
        )

    def customer_email(self, customer_id: str) -> str | None:
        """The shop's e-mail of this customer; raises when the shop tables are missing."""
        from bot.db.models import Customer

        with self.session.begin_nested():
            return self.session.scalar(select(Customer.email).where(Customer.id == customer_id))
