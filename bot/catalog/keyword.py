"""Keyword retrieval: SQLite FTS5 or PostgreSQL full text, behind one function.

The index itself (SQLite FTS5 tables kept in sync by triggers, PostgreSQL GIN expression
indexes) and its SQL live in bot/catalog/repositories/keyword.py; this module decides which
words of a message are searched for.

Shopper messages are sentences, not search syntax, so both dialects get an OR query of
the message's content words and rank by BM25 (SQLite) or ``ts_rank`` (PostgreSQL).
"""

from __future__ import annotations

import logging
import re
import time

from bot.catalog.repositories.keyword import (
    KeywordIndex,
    ensure_search_indexes,
    pause_keyword_sync,
    rebuild_keyword_index,
)
from bot.db.session import Session
from bot.texts.segment import chinese_pairs

__all__ = [
    "STOPWORDS",
    "ensure_search_indexes",
    "keyword_policy_rank",
    "keyword_policy_rank_zh",
    "keyword_rank",
    "keyword_rank_zh",
    "pause_keyword_sync",
    "query_terms",
    "rebuild_keyword_index",
]

log = logging.getLogger(__name__)

_STOPWORD_TEXT = """
a an and are as at be but by can could do does did for from get got have has i i'm im in
into is it its it's me my of on or our please show so some something that the their them
then there these they this to too up us want wanted was we what which with would you your
any anything need looking look find buy got hi hello hey thanks thank do does dont don't
one ones more most very really just like also if how much many about well good best
under below over above cheaper than less between dollars dollar bucks usd price size stock
available"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def query_terms(query: str) -> list[str]:
    """Content words of a message, lower-cased, de-duplicated, in order."""
    seen: list[str] = []
    for word in re.findall(r"[a-z0-9]+", (query or "").lower()):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()) or word in seen:
            continue
        seen.append(word)
    return seen[:32]


COMMON_TERM_SHARE = 0.1
_DF_TTL_S = 300.0
_df_cache: dict[str, int] = {}  # document counts, capped at the threshold
_df_exact: dict[str, int] = {}  # full counts, only needed when every word is common
_df_state = {"docs": 0, "loaded_at": -1e9}


def _drop_common_terms(session: Session, terms: list[str]) -> list[str]:
    """Leave out words found in more than 10% of products ("water", "black" on 100k).

    BM25 gives them little weight (idf ~2 against ~6 for a rare word) and the semantic
    ranking still reads the whole message, but their long posting lists made an OR query on
    a large catalog many times slower: at 100k products "boil water for tea in the kitchen"
    took 24 ms with "water" and "kitchen", 3 ms without. The rarest word is always kept.
    A word's document count comes from the index itself (``MATCH`` applies the same Porter
    stemming as the documents: "boots" is counted as "boot"), counted only up to the
    threshold, and is cached for a few minutes per process.
    """
    now = time.monotonic()
    if now - _df_state["loaded_at"] > _DF_TTL_S:
        _df_cache.clear()
        _df_exact.clear()
        _df_state["docs"] = KeywordIndex(session).product_count()
        _df_state["loaded_at"] = now
    docs = _df_state["docs"]
    if docs < 1000:  # small shops: every word is cheap, keep them all
        return terms
    cap = int(COMMON_TERM_SHARE * docs) + 1
    for term in terms:
        if term not in _df_cache:
            _df_cache[term] = _documents_with(session, term, cap)
    kept = [t for t in terms if _df_cache[t] < cap]
    if kept:
        return kept
    # every word is common: keep the rarest, which needs their full counts
    for term in terms:
        if term not in _df_exact:
            _df_exact[term] = _documents_with(session, term, int(docs) + 1)
    return [min(terms, key=lambda t: _df_exact[t])]


def _documents_with(session: Session, term: str, cap: int) -> int:
    """How many products contain ``term`` (after stemming), counting no further than ``cap``."""
    return KeywordIndex(session).documents_with(term, cap)


def keyword_rank(session: Session, query: str, limit: int = 50) -> list[tuple[str, float]]:
    """Product ids with a keyword score (higher is better), best first."""
    terms = query_terms(query)
    if not terms:
        return []
    index = KeywordIndex(session)
    if index.dialect == "sqlite":
        terms = _drop_common_terms(session, terms)
    return index.product_scores(terms, limit)


def keyword_policy_rank(session: Session, query: str, limit: int = 20) -> list[tuple[str, float]]:
    """Policy passage ids with a keyword score, best first."""
    terms = query_terms(query)
    if not terms:
        return []
    return KeywordIndex(session).policy_scores(terms, limit)


def keyword_rank_zh(session: Session, query: str, limit: int = 50) -> list[tuple[str, float]]:
    """Product ids scored on the Chinese index (the message's character pairs), best first."""
    terms = chinese_pairs(query)
    return KeywordIndex(session).product_scores_zh(terms, limit) if terms else []


def keyword_policy_rank_zh(
    session: Session, query: str, limit: int = 20
) -> list[tuple[str, float]]:
    """Chinese policy passage ids scored on the Chinese index, best first."""
    terms = chinese_pairs(query)
    return KeywordIndex(session).policy_scores_zh(terms, limit) if terms else []
