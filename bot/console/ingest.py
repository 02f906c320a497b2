"""Keep the ``conversations`` summary up to date from Rasa's ``events`` table.

Runs incrementally without losing an event that commits late. Ids come from a sequence but
several Rasa replicas (or one with concurrent requests) commit in any order: id 101 can be
visible while id 100 is still in an open transaction. So the state keeps a *watermark* (every
id up to it is folded in, or given up) and the ids above it that are already folded in
(``console_ingested_events``, deduplicated by primary key). Each run reads the events above
the watermark that are not folded in yet; the watermark moves over a gap only once a later
event has been known for ``GAP_GRACE_S`` (a transaction that old was rolled back: sequences
leave such holes for good). When nothing is new a run costs one indexed query.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from bot.channels.comments import FLAG_KEY, flag_tag
from bot.console.models import (
    Conversation,
    ConversationFacet,
    Handoff,
    IngestState,
)
from bot.console.outcomes import (
    HANDOFF_REASON_SLOT,
    HANDOFF_SLOT,
    OutcomeState,
    handoff_reason_label,
    is_handoff_action,
)
from bot.console.repositories.conversations import LANG_FACET
from bot.console.repositories.ingest import IngestRepository
from bot.db.events import events_of
from bot.db.session import Database, Session
from bot.insights.store import record_message_sentiment
from bot.orders.ids import find_order_ids, normalise_order_id
from bot.texts.domain import LANGUAGE_SLOT

log = logging.getLogger(__name__)

FRUSTRATION_THRESHOLD = -0.5
IGNORED_ACTIONS = {"action_listen", "action_session_start"}
BATCH = 5000
# How long an id gap below committed events waits for its transaction to commit. Rasa writes
# an event in a transaction of milliseconds; five minutes covers a stalled replica.
GAP_GRACE_S = 300.0


def parse_event(raw: str | None) -> dict[str, Any]:
    """The event dict Rasa stored, or ``{}`` for unreadable rows (logged, never fatal)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        log.warning("events row with unreadable JSON skipped")
        return {}
    return value if isinstance(value, dict) else {}


def sentiment_of(event: dict[str, Any]) -> float | None:
    """A user event's sentiment score if the sentiment stage attached one."""
    for holder in (event.get("metadata") or {}, event.get("parse_data") or {}):
        value = holder.get("sentiment") if isinstance(holder, dict) else None
        if isinstance(value, dict):
            value = value.get("score", value.get("compound", value.get("value")))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    text = event.get("text")
    if event.get("event") == "user" and isinstance(text, str) and text.strip():
        from bot.insights.sentiment import score_text  # the shop's own model (insights)

        return score_text(text).score
    return None


@dataclass
class _Work:
    conv: Conversation
    intents: list[str]
    tags: list[str]
    latencies: list[int]
    facets: set[str]
    outcome: OutcomeState
    handoff_reason: str | None = None
    handoff_at: float | None = None
    # The shopper restarted the conversation (the widget's "New conversation" sends Rasa's
    # /restart while a hand-off is open): its open hand-off leaves the queue.
    cancelled_at: float | None = None


_LOCK = threading.Lock()


def ingest_new_events(db: Database, batch_size: int = BATCH, now: float | None = None) -> int:
    """Fold all new events into the summary tables; returns how many events were read.

    Runs are serialised: by a process lock (SQLite ignores FOR UPDATE) and, across processes
    on PostgreSQL, by the row lock on the ingest state.
    """
    with _LOCK:
        return _ingest(db, batch_size, time.time() if now is None else now)


def _ingest(db: Database, batch_size: int, now: float) -> int:
    total = 0
    while True:
        with db.transaction() as session:
            state = _lock_state(session)
            if not total:
                _backfill_outcomes(session)
            rows = IngestRepository(session).new_events(state.last_event_id, batch_size)
            if rows:
                _apply(session, list(rows))
                IngestRepository(session).mark_folded((row.id for row in rows), now)
            _advance_watermark(session, state, now)
            total += len(rows)
        if len(rows) < batch_size:
            return total


OUTCOMES_MARK = "outcomes"  # an IngestState row: the backfill below has run


def _backfill_outcomes(session: Session) -> None:
    """Once: conversations ingested before outcomes existed get theirs replayed from their
    events (under the ingest lock, so one process does it)."""
    if IngestRepository(session).state(OUTCOMES_MARK) is not None:
        return
    stale = IngestRepository(session).conversations_without_outcome()
    for conv in stale:
        state = OutcomeState()
        for event_id, data in events_of(session, [conv.sender_id]):
            if event_id <= conv.last_event_id:
                state.feed(parse_event(data))
        _store_outcome(conv, state)
    session.add(IngestState(name=OUTCOMES_MARK, last_event_id=0))


def _store_outcome(conv: Conversation, state: OutcomeState) -> None:
    """The list's flags and analytics share one definition (bot/console/outcomes.py)."""
    outcome = state.summary()
    conv.outcome = state.to_json()
    conv.fell_back = outcome.fell_back
    conv.handed_off = outcome.handed_off
    conv.resolved = outcome.resolved
    conv.last_turn_failed = state.turn_fell_back or state.turn == "waiting"


def _advance_watermark(session: Session, state: IngestState, now: float) -> None:
    """Move the watermark over every folded-in id and over gaps older than the grace."""
    mark = state.last_event_id
    above = IngestRepository(session).folded_above(mark)
    for event_id, seen_at in above:
        if event_id != mark + 1 and now - seen_at < GAP_GRACE_S:
            break  # an id below this one may still commit
        mark = event_id
    if mark != state.last_event_id:
        state.last_event_id = mark
        IngestRepository(session).forget_folded_up_to(mark)


def _lock_state(session: Session) -> IngestState:
    return IngestRepository(session).lock_state()


def _apply(session: Session, rows: list[Any]) -> None:
    senders = {row.sender_id for row in rows if row.sender_id}
    existing = IngestRepository(session).conversations_by_sender(senders)
    works: dict[str, _Work] = {}
    for row in rows:
        if not row.sender_id:
            continue
        event = parse_event(row.data)
        if not event:
            continue
        work = works.get(row.sender_id)
        if work is None:
            work = works[row.sender_id] = _start_work(
                session, existing.get(row.sender_id), row.sender_id, event
            )
        _fold(work, row.id, event)
        record_message_sentiment(session, row.id, row.sender_id, event)
    if not works:
        return
    conv_ids = [w.conv.id for w in works.values()]
    known = IngestRepository(session).facets_of(conv_ids)
    open_handoffs = IngestRepository(session).senders_with_open_handoff(list(works))
    for work in works.values():
        _finish(session, work, known, open_handoffs)


def _start_work(
    session: Session, conv: Conversation | None, sender_id: str, event: dict[str, Any]
) -> _Work:
    if conv is None:
        ts = float(event.get("timestamp") or 0.0)
        conv = Conversation(
            sender_id=sender_id,
            started_at=ts,
            last_event_at=ts,
            last_event_id=0,
            channel="",
            turns=0,
            intents="[]",
            tags="[]",
            latencies_ms="[]",
            search_text="",
            note="",
            fell_back=False,
            handed_off=False,
            resolved=False,
            last_turn_failed=False,
            reviewed=False,
        )
        session.add(conv)
        session.flush()
    outcome = OutcomeState.from_json(conv.outcome)
    return _Work(
        conv=conv,
        intents=json.loads(conv.intents or "[]"),
        tags=json.loads(conv.tags or "[]"),
        latencies=json.loads(conv.latencies_ms or "[]"),
        facets=set(),
        outcome=outcome,
    )


def _fold(work: _Work, event_id: int, event: dict[str, Any]) -> None:
    conv = work.conv
    kind = event.get("event")
    ts = float(event.get("timestamp") or conv.last_event_at or 0.0)
    conv.last_event_id = max(conv.last_event_id or 0, event_id)
    conv.last_event_at = max(conv.last_event_at or 0.0, ts)
    work.outcome.feed(event)
    if kind == "user":
        _fold_user(work, event, ts)
    elif kind == "bot":
        if conv.pending_user_ts is not None:
            work.latencies.append(max(0, round((ts - conv.pending_user_ts) * 1000)))
            conv.pending_user_ts = None
    elif kind == "action":
        if is_handoff_action(str(event.get("name") or "")):
            work.handoff_at = work.handoff_at or ts
    elif kind == "slot":
        _fold_slot(work, event, ts)
    elif kind == "restart":
        work.cancelled_at = ts
        work.handoff_at = None  # a request earlier in this batch is cancelled with the rest


def _fold_user(work: _Work, event: dict[str, Any], ts: float) -> None:
    conv = work.conv
    conv.turns = (conv.turns or 0) + 1
    conv.pending_user_ts = ts
    if not conv.channel:
        conv.channel = str(event.get("input_channel") or "")[:60]
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    if intent:
        if intent not in work.intents:
            work.intents.append(intent)
        work.facets.add(f"intent:{intent}")
    score = sentiment_of(event)
    if score is not None and (conv.min_sentiment is None or score < conv.min_sentiment):
        conv.min_sentiment = score
    metadata = event.get("metadata")
    tag = flag_tag(metadata.get(FLAG_KEY)) if isinstance(metadata, dict) else None
    if tag and tag not in work.tags:  # a public comment flagged as spam/abuse (issue 19)
        work.tags.append(tag)
        conv.tags = json.dumps(work.tags)
        work.facets.add(f"tag:{tag}")
    text = str(event.get("text") or "")
    if text:
        # Cap the searchable text so a spammy conversation cannot bloat the row.
        if len(conv.search_text or "") < 20000:
            conv.search_text = ((conv.search_text or "") + "\n" + text.lower())[:20000]
        for order_id in find_order_ids(text):
            work.facets.add(f"order:{order_id}")


def _fold_slot(work: _Work, event: dict[str, Any], ts: float) -> None:
    conv = work.conv
    name, value = event.get("name"), event.get("value")
    if name == "customer_id" and value:
        conv.customer_id = str(value)[:60]
    elif name == "email" and value and isinstance(value, str):
        conv.customer_email = value.strip().lower()[:200]
    elif name == "order_id" and value and isinstance(value, str):
        work.facets.add(f"order:{normalise_order_id(value)}")
    elif name == HANDOFF_REASON_SLOT and isinstance(value, str) and value:
        work.handoff_reason = handoff_reason_label(value)
    elif name == HANDOFF_SLOT and value:
        work.handoff_at = work.handoff_at or ts
    elif name == LANGUAGE_SLOT and isinstance(value, str) and value:
        work.facets.add(f"{LANG_FACET}{value.lower()[:10]}")


def _finish(
    session: Session, work: _Work, known: set[tuple[int, str]], open_handoffs: set[str]
) -> None:
    conv = work.conv
    if conv.customer_id and not conv.customer_email:
        conv.customer_email = _customer_email(session, conv.customer_id)
    if conv.customer_email:
        work.facets.add(f"email:{conv.customer_email}")
    conv.intents = json.dumps(work.intents)
    conv.latencies_ms = json.dumps(work.latencies[-500:])
    _store_outcome(conv, work.outcome)
    for facet in work.facets:
        if (conv.id, facet) not in known:
            session.add(
                ConversationFacet(
                    facet=facet[:255], conversation_id=conv.id, started_at=conv.started_at
                )
            )
            known.add((conv.id, facet))
    if work.cancelled_at is not None and conv.sender_id in open_handoffs:
        for open_handoff in IngestRepository(session).open_handoffs(conv.sender_id):
            open_handoff.status = "cancelled"
            open_handoff.closed_at = work.cancelled_at
        open_handoffs.discard(conv.sender_id)
    if work.handoff_at is not None and conv.sender_id not in open_handoffs:
        session.add(
            Handoff(
                sender_id=conv.sender_id,
                reason=work.handoff_reason or _guess_reason(conv),
                status="waiting",
                requested_at=work.handoff_at,
            )
        )


def _guess_reason(conv: Conversation) -> str:
    if conv.min_sentiment is not None and conv.min_sentiment <= FRUSTRATION_THRESHOLD:
        return "frustration"
    if conv.fell_back:
        return "fallback"
    return "asked"


def _customer_email(session: Session, customer_id: str) -> str | None:
    try:
        email = IngestRepository(session).customer_email(customer_id)
    except Exception:  # shop tables missing in a transcripts-only database
        log.debug("customer lookup failed for %s", customer_id, exc_info=True)
        return None
    return email.lower() if email else None
