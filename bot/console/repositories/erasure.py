"""Erasure's queries: finding one customer's conversations and rows, removing them, and
pseudonymising the shop record (bot/console/erasure.py decides what to erase and reports it).

Erasure crosses aggregates on purpose (shop customers, console tables, insights, Rasa's
events): it is the one operation that must reach every row about a person, in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.console.models import (
    AuditEntry,
    Conversation,
    ConversationFacet,
    Handoff,
    IntentCorrection,
)
from bot.db.events import EVENTS
from bot.db.models import Customer, Order, PaymentMethod
from bot.insights.models import MessageSentiment, ProfileFact, ProfileOptOut

_BLANK_ADDRESS = {"address1": "", "address2": "", "city": "", "state": "", "zip": ""}


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class ErasureRepository:
    """Erasure queries on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- finding ----------------------------------------------------------------------------

    def customers_matching(self, who: str) -> list[Customer]:
        """Shop customers whose id is ``who`` or whose e-mail is ``who`` (any case)."""
        return list(
            self.session.scalars(
                select(Customer).where(
                    or_(Customer.id == who, func.lower(Customer.email) == who.lower())
                )
            ).all()
        )

    def conversations_of(self, customer_id: str, email: str) -> list[Conversation]:
        """Conversations whose summary names this customer id or this e-mail."""
        return list(
            self.session.scalars(
                select(Conversation).where(
                    or_(
                        Conversation.customer_id == customer_id,
                        Conversation.customer_email == email,
                    )
                )
            ).all()
        )

    def conversations_of_any(self, ids: set[str], emails: set[str]) -> list[Conversation]:
        """Conversations keyed by any of these customer ids or e-mails."""
        return list(
            self.session.scalars(
                select(Conversation).where(
                    or_(Conversation.customer_id.in_(ids), Conversation.customer_email.in_(emails))
                )
            ).all()
        )

    def senders_mentioning(self, needle: str) -> set[str]:
        """Conversations with an event whose JSON mentions ``needle`` (lower case)."""
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return set(
            self.session.scalars(
                select(EVENTS.c.sender_id)
                .where(func.lower(EVENTS.c.data).like(f"%{escaped}%", escape="\\"))
                .distinct()
            )
        )

    def audit_entries_about(self, senders: list[str], needles: list[str]) -> list[AuditEntry]:
        """Audit rows of these conversations or whose detail mentions a needle (lower case)."""
        conditions: list[Any] = [AuditEntry.sender_id.in_(senders)]
        conditions += [func.lower(AuditEntry.detail).contains(n) for n in needles if n]
        return list(self.session.scalars(select(AuditEntry).where(or_(*conditions))))

    # -- removing -------------------------------------------------------------------------

    def delete_rows(self, senders: list[str], customer_ids: list[str]) -> dict[str, int]:
        """Delete every row of these conversations and customers; rows deleted per table."""
        rows: dict[str, int] = {}
        conv_ids = select(Conversation.id).where(Conversation.sender_id.in_(senders))
        rows["conversation_facets"] = _count(
            self.session.execute(
                delete(ConversationFacet).where(ConversationFacet.conversation_id.in_(conv_ids))
            )
        )
        by_sender: list[tuple[str, Any, Any]] = [
            ("intent_corrections", IntentCorrection.sender_id, IntentCorrection),
            ("handoffs", Handoff.sender_id, Handoff),
            ("insight_message_sentiment", MessageSentiment.sender_id, MessageSentiment),
            ("events", EVENTS.c.sender_id, EVENTS),
            ("conversations", Conversation.sender_id, Conversation),
        ]
        for name, column, table in by_sender:
            rows[name] = _count(self.session.execute(delete(table).where(column.in_(senders))))
        by_customer: list[tuple[str, Any, Any]] = [
            ("insight_profile_facts", ProfileFact.customer_id, ProfileFact),
            ("insight_profile_optout", ProfileOptOut.customer_id, ProfileOptOut),
        ]
        for name, column, table in by_customer:
            rows[name] = _count(self.session.execute(delete(table).where(column.in_(customer_ids))))
        return rows

    def pseudonymise_customer(self, old: str, new: str) -> bool:
        """Move the customer's orders and payment methods to a blank record ``new`` and delete
        ``old``; False when there is no such customer."""
        if self.session.get(Customer, old) is None:
            return False
        self.session.execute(
            insert(Customer).values(
                id=new, first_name="", last_name="", email=f"{new}@erased.invalid", phone="",
                country="", **_BLANK_ADDRESS,
            )
        )  # fmt: skip
        self.session.execute(
            update(PaymentMethod).where(PaymentMethod.customer_id == old).values(customer_id=new)
        )
        self.session.execute(
            update(Order).where(Order.customer_id == old).values(customer_id=new, **_BLANK_ADDRESS)
        )
        self.session.execute(delete(Customer).where(Customer.id == old))
        return True

    def forget_loaded_rows(self) -> None:
        """Drop what the session holds, so later reads see the rewritten rows."""
        self.session.expire_all()
