"""Conversations: the summary list's query, one conversation's events and corrections,
review edits, hand-offs and the analytics read.

The list is ordered ``(started_at DESC, id DESC)``; the cursor is the last row's pair, so page N
costs the same as page 1 (an index range scan, no OFFSET). Facet filters (intent, tag, order
id, e-mail) are semi-joins on ``conversation_facets`` whose index starts with the facet.
Every method works inside the caller's session (the caller keeps the unit of work).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from bot.console.models import Conversation, ConversationFacet, Handoff, IntentCorrection
from bot.db.events import EVENTS
from bot.db.session import Database
from bot.insights.models import MessageSentiment

PAGE_SIZE = 50


# A conversation's languages (the `language` slot's values) are facets: "lang:zh", "lang:en".
LANG_FACET = "lang:"


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
    lang: str = ""

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
    if filters.lang:
        facets.append(f"{LANG_FACET}{filters.lang.lower()}")
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


class ConversationRepository:
    """Queries over the conversation summary, its facets, corrections and hand-offs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the list -------------------------------------------------------------------------

    def page(
        self, filters: ListFilters, cursor: str | None, size: int = PAGE_SIZE
    ) -> list[Conversation]:
        """One page after the cursor, one extra row to know if more exist."""
        return list(self.session.scalars(page_select(filters, cursor, size)))

    def filtered(self, filters: ListFilters) -> Iterator[Conversation]:
        """Every conversation the filters select, in list order, streamed 500 at a time."""
        stmt = filtered_select(filters).execution_options(yield_per=500)
        yield from self.session.scalars(stmt)

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Conversation)) or 0)

    def started_bounds(self) -> Row[tuple[Any, Any]]:
        """(earliest, latest) ``started_at`` of the summary."""
        return self.session.execute(
            select(func.min(Conversation.started_at), func.max(Conversation.started_at))
        ).one()

    def add_summaries(
        self, convs: list[dict[str, Any]], facets: list[tuple[str, int]], first: int
    ) -> None:
        """Insert summary rows (what ingest would produce) and their facets; a facet names
        its conversation by position ``first + i`` in ``convs`` (the benchmark's generator)."""
        ids = self.session.scalars(
            insert(Conversation).returning(Conversation.id, sort_by_parameter_order=True),
            convs,
        ).all()
        started = {first + i: (ids[i], convs[i]["started_at"]) for i in range(len(convs))}
        self.session.execute(
            insert(ConversationFacet),
            [
                {"facet": f, "conversation_id": started[k][0], "started_at": started[k][1]}
                for f, k in facets
            ],
        )

    # -- one conversation -----------------------------------------------------------------

    def get(self, conv_id: int) -> Conversation | None:
        return self.session.get(Conversation, conv_id)

    def customer_of(self, sender_id: str) -> str | None:
        """The verified customer id the summary holds for this conversation."""
        return self.session.scalar(
            select(Conversation.customer_id).where(Conversation.sender_id == sender_id)
        )

    def customers_of(self, senders: Iterable[str]) -> dict[str, str | None]:
        """Sender id -> customer id of these conversations."""
        return {
            sender_id: customer_id
            for sender_id, customer_id in self.session.execute(
                select(Conversation.sender_id, Conversation.customer_id).where(
                    Conversation.sender_id.in_(set(senders))
                )
            )
        }

    def events(self, sender_id: str) -> list[tuple[int, str | None]]:
        """(id, data) of the conversation's Rasa events, oldest first."""
        rows = self.session.execute(
            select(EVENTS.c.id, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id)
            .order_by(EVENTS.c.id)
        ).all()
        return [(row.id, row.data) for row in rows]

    def event_data(self, event_id: int, sender_id: str) -> str | None:
        """The JSON of one event of this conversation (None if it is not one of its events)."""
        row = self.session.execute(
            select(EVENTS.c.data).where(EVENTS.c.id == event_id, EVENTS.c.sender_id == sender_id)
        ).first()
        return row.data if row else None

    def corrections(self, sender_id: str) -> list[IntentCorrection]:
        return list(
            self.session.scalars(
                select(IntentCorrection).where(IntentCorrection.sender_id == sender_id)
            )
        )

    def correction(self, event_id: int) -> IntentCorrection | None:
        return self.session.get(IntentCorrection, event_id)

    def all_corrections(self) -> list[IntentCorrection]:
        """Every kept correction, oldest first."""
        return list(
            self.session.scalars(select(IntentCorrection).order_by(IntentCorrection.at)).all()
        )

    def replace_tag_facets(self, conv: Conversation, tags: list[str]) -> None:
        """The conversation's ``tag:`` facets become exactly ``tags``."""
        self.session.execute(
            delete(ConversationFacet).where(
                ConversationFacet.conversation_id == conv.id,
                ConversationFacet.facet.like("tag:%"),
            )
        )
        for tag in tags:
            self.session.add(
                ConversationFacet(
                    facet=f"tag:{tag}", conversation_id=conv.id, started_at=conv.started_at
                )
            )

    # -- hand-offs ------------------------------------------------------------------------

    def handoffs_with_conversations(
        self, statuses: list[str], limit: int
    ) -> list[tuple[Handoff, Conversation | None]]:
        """Hand-offs in these states, newest first, each with its conversation's summary."""
        rows = self.session.execute(
            select(Handoff, Conversation)
            .join(Conversation, Conversation.sender_id == Handoff.sender_id, isouter=True)
            .where(Handoff.status.in_(statuses))
            .order_by(Handoff.requested_at.desc(), Handoff.id.desc())
            .limit(limit)
        ).all()
        return [(h, c) for h, c in rows]

    def handoff(self, handoff_id: int) -> Handoff | None:
        return self.session.get(Handoff, handoff_id)

    def languages_of(self, conv_ids: list[int]) -> dict[int, list[str]]:
        """Conversation id → the languages it was held in (sorted), from its ``lang:`` facets."""
        out: dict[int, list[str]] = {i: [] for i in conv_ids}
        if not conv_ids:
            return out
        rows = self.session.execute(
            select(ConversationFacet.conversation_id, ConversationFacet.facet).where(
                ConversationFacet.conversation_id.in_(conv_ids),
                ConversationFacet.facet.like(LANG_FACET + "%"),
            )
        )
        for conv_id, facet in rows:
            out[conv_id].append(facet.removeprefix(LANG_FACET))
        return {i: sorted(langs) for i, langs in out.items()}

    # -- analytics ------------------------------------------------------------------------

    def language_rows(self, since: float, channel: str = "") -> list[Row[Any]]:
        """(language, conversations, resolved, handed off, fell back) of conversations
        started at or after ``since`` (of one channel when given); a conversation held in two
        languages counts in both."""
        lang = func.substr(ConversationFacet.facet, len(LANG_FACET) + 1)
        query = (
            select(
                lang,
                func.count(),
                func.sum(case((Conversation.resolved, 1), else_=0)),
                func.sum(case((Conversation.handed_off, 1), else_=0)),
                func.sum(case((Conversation.fell_back, 1), else_=0)),
            )
            .join(Conversation, Conversation.id == ConversationFacet.conversation_id)
            .where(
                ConversationFacet.facet.like(LANG_FACET + "%"),
                ConversationFacet.started_at >= since,
                Conversation.turns > 0,
            )
            .group_by(lang)
            .order_by(func.count().desc())
        )
        if channel:
            query = query.where(Conversation.channel == channel)
        return list(self.session.execute(query))

    def analytics_rows(self, since: float, channel: str = "") -> Iterator[Row[Any]]:
        """(started_at, outcome, min_sentiment, intents, latencies_ms, channel) of
        conversations started at or after ``since`` (a Unix time), of one channel when
        ``channel`` is given, streamed."""
        query = select(
            Conversation.started_at,
            Conversation.outcome,
            Conversation.min_sentiment,
            Conversation.intents,
            Conversation.latencies_ms,
            Conversation.channel,
        ).where(Conversation.started_at >= since)
        if channel:
            query = query.where(Conversation.channel == channel)
        yield from self.session.execute(query)

    # -- channels -------------------------------------------------------------------------

    def channels(self, limit: int = 50) -> list[str]:
        """The channels conversations came from (widget ``socketio``, ``telegram``...), for
        the channel filters of the list and analytics pages."""
        found = self.session.scalars(
            select(Conversation.channel).where(Conversation.channel != "").distinct().limit(limit)
        )
        return sorted(found)

    def sentiment_labels_by_channel(
        self, since: float, channel: str = ""
    ) -> list[tuple[str, str, int]]:
        """(channel, sentiment label, scored shopper messages) for conversations started at
        or after ``since``."""
        query = (
            select(Conversation.channel, MessageSentiment.label, func.count())
            .join(Conversation, Conversation.sender_id == MessageSentiment.sender_id)
            .where(Conversation.started_at >= since)
            .group_by(Conversation.channel, MessageSentiment.label)
        )
        if channel:
            query = query.where(Conversation.channel == channel)
        return [
            (str(name or ""), str(label), int(n)) for name, label, n in self.session.execute(query)
        ]

    def channels_of_events(self, event_ids: Iterable[int], chunk: int = 500) -> dict[int, str]:
        """The channel of the conversation each Rasa events row belongs to."""
        ids = sorted(set(event_ids))
        sender_of: dict[int, str] = {}
        for start in range(0, len(ids), chunk):
            rows = self.session.execute(
                select(EVENTS.c.id, EVENTS.c.sender_id).where(
                    EVENTS.c.id.in_(ids[start : start + chunk])
                )
            )
            sender_of.update((int(event_id), str(sender)) for event_id, sender in rows)
        senders = sorted(set(sender_of.values()))
        channel_of: dict[str, str] = {}
        for start in range(0, len(senders), chunk):
            rows = self.session.execute(
                select(Conversation.sender_id, Conversation.channel).where(
                    Conversation.sender_id.in_(senders[start : start + chunk])
                )
            )
            channel_of.update((str(sender), str(name or "")) for sender, name in rows)
        return {
            event_id: channel_of[sender]
            for event_id, sender in sender_of.items()
            if sender in channel_of
        }


def explain_page(db: Database, filters: ListFilters, cursor: str | None = None) -> str:
    """The database's plan for one page query (PostgreSQL: EXPLAIN ANALYZE)."""
    stmt = page_select(filters, cursor)
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with db.engine.connect() as conn:
        rows = conn.execute(text(prefix + str(compiled))).all()
    return "\n".join(" | ".join(str(c) for c in row) for row in rows)


def analyze_summary_tables(db: Database) -> None:
    """Refresh PostgreSQL's statistics after a bulk insert (a no-op elsewhere)."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE conversations"))
            conn.execute(text("ANALYZE conversation_facets"))
