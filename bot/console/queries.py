"""The conversation list: pages of summaries as the list, the API and exports show them.

The filters and the keyset-paginated query live with the other conversation queries
(bot/console/repositories/conversations.py); this module turns rows into what staff read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.console.models import Conversation
from bot.console.pii import mask_email
from bot.console.pseudonym import customer_ref
from bot.console.repositories.conversations import (
    PAGE_SIZE,
    ConversationRepository,
    ListFilters,
    parse_cursor,
)
from bot.db.session import Session

__all__ = [
    "PAGE_SIZE",
    "ListFilters",
    "Page",
    "channels",
    "list_page",
    "parse_cursor",
    "summary_dict",
]


def channels(session: Session) -> list[str]:
    """The channels conversations came from, for the channel filters (list, analytics)."""
    return ConversationRepository(session).channels()


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None


def list_page(
    session: Session, filters: ListFilters, cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of summaries (masked e-mail) and the cursor of the next page."""
    convs = ConversationRepository(session).page(filters, cursor, size)
    more = len(convs) > size
    convs = convs[:size]
    nxt = f"{convs[-1].started_at!r}:{convs[-1].id}" if more and convs else None
    languages = ConversationRepository(session).languages_of([c.id for c in convs])
    rows = [{**summary_dict(c), "languages": languages[c.id]} for c in convs]
    return Page(rows=rows, next_cursor=nxt)


def summary_dict(conv: Conversation, reveal: bool = False) -> dict[str, Any]:
    """The list/export view of one conversation; e-mail masked, customer id a reference.

    The raw customer id (``first_last_1234``) is a name, so unless revealed the field holds
    the pseudonymous reference (bot/console/pseudonym.py), which still groups a customer.
    """
    ref = customer_ref(conv.customer_id)
    return {
        "id": conv.id,
        "sender_id": conv.sender_id,
        "started_at": datetime.fromtimestamp(conv.started_at, UTC).isoformat(timespec="seconds"),
        "channel": conv.channel,
        "customer_id": conv.customer_id if reveal else (ref or None),
        "customer_ref": ref,
        "customer_email": conv.customer_email if reveal else mask_email(conv.customer_email),
        "turns": conv.turns,
        "intents": json.loads(conv.intents or "[]"),
        "fell_back": conv.fell_back,
        "handed_off": conv.handed_off,
        "resolved": conv.resolved,
        "min_sentiment": conv.min_sentiment,
        "tags": json.loads(conv.tags or "[]"),
        "reviewed": conv.reviewed,
    }
