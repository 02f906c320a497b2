"""The conversation list: filters and keyset pagination over the summary table.

Ordering is ``(started_at DESC, id DESC)``; the cursor is the last row's pair, so page N costs
the same as page 1 (an index range scan, no OFFSET). Facet filters (intent, tag, order id,
e-mail) are semi-joins on ``conversation_facets`` whose index starts with the facet.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from bot.console.models import Conversation, ConversationFacet
from bot.console.pii import mask_email
from bot.console.pseudonym import customer_ref

PAGE_SIZE = 50


def _tri(value: str | None) -> bool | None:
    """``"yes"``/``"no"`` from a form into True/False; anything else means 'any'."""
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass
class ListFilters:
    """What the list page's filter form sends (all optional, all strings from the query)."""

    date_from: str = ""
    date_to: str = ""
    channel: str = ""
    intent: str = ""
    fallback: str = ""
    handoff: str = ""
    resolved: str = ""
    reviewed: str = ""
    sentiment_below: str = ""
    tag: str = ""
    order_id: str = ""
    email: str = ""
    q: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ListFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v).strip()[:200] for k, v in data.items() if k in names and v})

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def _facets(filters: ListFilters) -> list[str]:
    facets: list[str] = []
    if filters.order_id:
        facets.append("order:#" + filters.order_id.lstrip("#").upper())
    if filters.email:
        facets.append(f"email:{filters.email.lower()}")
    if filters.tag:
        facets.append(f"tag:{filters.tag.lower()}")
    if filters.intent:
        facets.append(f"intent:{filters.intent}")
    return facets  # most selective first: the first one drives the scan


def filtered_select(
    filters: ListFilters, after: tuple[float, int] | None = None
) -> Select[tuple[Conversation]]:
    """The filtered, ordered query (list pages and export), optionally after a cursor.

    With a facet filter the scan is driven by ``conversation_facets`` (ordered by its copy of
    ``started_at``), so a rare intent or tag does not walk the whole conversation index.
    """
    facets = _facets(filters)
    stmt = select(Conversation)
    if facets:
        stmt = stmt.join(
            ConversationFacet,
            and_(
                ConversationFacet.conversation_id == Conversation.id,
                ConversationFacet.facet == facets[0],
            ),
        )
        started_col, id_col = ConversationFacet.started_at, ConversationFacet.conversation_id
    else:
        started_col, id_col = Conversation.started_at, Conversation.id
    start, end = _date(filters.date_from), _date(filters.date_to)
    if start:
        stmt = stmt.where(started_col >= datetime.combine(start, time(), UTC).timestamp())
    if end:
        stmt = stmt.where(
            started_col < datetime.combine(end + timedelta(days=1), time(), UTC).timestamp()
        )
    if after is not None:
        stmt = stmt.where(
            tuple_(started_col, id_col) < tuple_(literal(after[0]), literal(after[1]))
        )
    for column, raw in (
        (Conversation.fell_back, filters.fallback),
        (Conversation.handed_off, filters.handoff),
        (Conversation.resolved, filters.resolved),
        (Conversation.reviewed, filters.reviewed),
    ):
        wanted = _tri(raw)
        if wanted is not None:
            stmt = stmt.where(column.is_(wanted))
    if filters.channel:
        stmt = stmt.where(Conversation.channel == filters.channel)
    if filters.sentiment_below:
        with contextlib.suppress(ValueError):
            stmt = stmt.where(Conversation.min_sentiment < float(filters.sentiment_below))
    for facet in facets[1:]:
        stmt = stmt.where(
            Conversation.id.in_(
                select(ConversationFacet.conversation_id).where(ConversationFacet.facet == facet)
            )
        )
    if filters.q:
        needle = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                Conversation.search_text.like(f"%{needle}%", escape="\\"),
                Conversation.sender_id == filters.q,
            )
        )
    return stmt.order_by(started_col.desc(), id_col.desc())


def channels(session: Session, limit: int = 50) -> list[str]:
    """The channels conversations came from (widget ``socketio``, ``telegram``...), for the
    channel filters of the list and analytics pages."""
    found = session.scalars(
        select(Conversation.channel).where(Conversation.channel != "").distinct().limit(limit)
    )
    return sorted(found)


def parse_cursor(cursor: str | None) -> tuple[float, int] | None:
    if not cursor or ":" not in cursor:
        return None
    started, _, ident = cursor.partition(":")
    try:
        return float(started), int(ident)
    except ValueError:
        return None


def page_select(filters: ListFilters, cursor: str | None, size: int = PAGE_SIZE) -> Select[Any]:
    """One page: the filtered query after the cursor, one extra row to know if more exist."""
    return filtered_select(filters, parse_cursor(cursor)).limit(size + 1)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None


def list_page(
    session: Session, filters: ListFilters, cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of summaries (masked e-mail) and the cursor of the next page."""
    convs = list(session.scalars(page_select(filters, cursor, size)))
    more = len(convs) > size
    convs = convs[:size]
    nxt = f"{convs[-1].started_at!r}:{convs[-1].id}" if more and convs else None
    return Page(rows=[summary_dict(c) for c in convs], next_cursor=nxt)


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
