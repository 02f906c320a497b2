"""Free-form answers that are true to the catalog, the policy and the shopper's own orders.

One turn: read session memory -> retrieve facts (catalog search with filters from the
message and remembered preferences, policy passages, the verified shopper's orders) ->
prompt -> generate -> check every claim against the facts -> regenerate once -> else the
template answer. Any LLM failure or timeout also ends in the template answer. The service
only READS orders: it is given a read-only view, so no prompt can make it change one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from bot.answers.compose import compose_answer
from bot.answers.facts import (
    FactNumberer,
    FactSheet,
    ProductFact,
    load_product_facts,
    order_fact,
    policy_facts,
    product_id_of,
)
from bot.answers.grounding import GroundingReport, check_reply, products_mentioned
from bot.answers.prompt import build_messages, correction_message
from bot.answers.question import POLICY_WORDS, Question, analyse, content_terms, term_in
from bot.catalog.cards import product_card
from bot.catalog.filters import SearchFilters, parse_filters
from bot.db.session import Database
from bot.llm.base import ChatMessage, LLMBackend
from bot.llm.template import TemplateBackend
from bot.memory.base import InProcessSessionMemory, SessionMemory
from bot.memory.state import SessionState
from bot.safety.sanitize import sanitize_user_text
from bot.texts import active_locale, language

log = logging.getLogger(__name__)

SearchMode = Literal["keyword", "semantic", "hybrid"]

MAX_ORDERS_IN_FACTS = 5


class OrderReader(Protocol):
    """The read-only part of ``OrderService`` an answer may use."""

    def list_orders(self, customer_id: str) -> Any: ...

    def order_details(self, customer_id: str, order_id: str) -> Any: ...


class ReadOnlyOrders:
    """Expose only the two reads of an order service, so answers cannot reach a change."""

    def __init__(self, service: Any) -> None:
        self._list = service.list_orders
        self._details = service.order_details

    def list_orders(self, customer_id: str) -> Any:
        return self._list(customer_id)

    def order_details(self, customer_id: str, order_id: str) -> Any:
        return self._details(customer_id, order_id)


@dataclass
class Answer:
    text: str
    cards: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    grounded: bool
    backend: str
    fell_back: bool
    latency_ms: float
    kind: str = "general"
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cards_payload(self) -> dict[str, Any]:
        return {"type": "product_cards", "products": self.cards}

    def metadata(self) -> dict[str, Any]:
        """What the staff console shows next to the bot message."""
        return {
            "answer": {
                "backend": self.backend,
                "grounded": self.grounded,
                "fell_back": self.fell_back,
                "kind": self.kind,
                "problems": self.problems,
                "facts": self.facts,
                "latency_ms": round(self.latency_ms, 1),
                "timings": {k: round(v, 2) for k, v in self.timings.items()},
            }
        }


# Enough for a list to find the few that fit hard limits; few enough for a small model's prompt.
MAX_PRODUCT_FACTS = 8


class AnswerService:
    def __init__(
        self,
        db: Database,
        *,
        backend: LLMBackend | None = None,
        memory: SessionMemory | None = None,
        orders: OrderReader | None = None,
        search_mode: SearchMode = "hybrid",
        timeout_s: float = 8.0,
        max_new_tokens: int = 200,
        max_message_chars: int = 2000,
    ) -> None:
        self.db = db
        self.backend: LLMBackend = backend or TemplateBackend()
        self.memory: SessionMemory = memory or InProcessSessionMemory()
        self.orders = ReadOnlyOrders(orders) if orders is not None else None
        self.search_mode = search_mode
        self.timeout_s = timeout_s
        self.max_new_tokens = max_new_tokens
        self.max_message_chars = max_message_chars

    # -- the turn -------------------------------------------------------------------------
    async def answer(
        self, question: str, *, sender_id: str, customer_id: str | None = None
    ) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        text = sanitize_user_text(question, self.max_message_chars)
        state = self.memory.load(sender_id)

        t = time.perf_counter()
        facts = self.gather_facts(text, state, customer_id)
        timings["retrieval_ms"] = _ms(t)

        t = time.perf_counter()
        messages = build_messages(facts)
        timings["prompt_ms"] = _ms(t)

        reply, report, fell_back, problems, gen_ms, check_ms = await self._generate_checked(
            messages, facts
        )
        timings["generation_ms"] = gen_ms
        timings["check_ms"] = check_ms

        mentioned = products_mentioned(reply, facts.products)
        cards = [product_card(p) for p in mentioned[:5]]  # docs/widget.md
        self._remember(sender_id, text, reply, facts, mentioned, customer_id)
        timings["total_ms"] = _ms(started)
        return Answer(
            text=reply,
            cards=cards,
            facts=facts.as_dict(),
            grounded=report.ok,
            backend=self.backend.name,
            fell_back=fell_back,
            latency_ms=timings["total_ms"],
            kind=facts.analysis.kind if facts.analysis else "general",
            problems=problems,
            timings=timings,
        )

    # -- retrieval -------------------------------------------------------------------------
    def gather_facts(self, text: str, state: SessionState, customer_id: str | None) -> FactSheet:
        q = analyse(text, state.preferences)
        numberer = FactNumberer()
        focus_id = state.last_product_id if q.refers_back else None
        product_ids: list[str] = []
        if q.refers_back and not focus_id and _names_nothing(text, q):
            # "Do you have it in blue?" with nothing shown before: ask, don't guess.
            q.kind = "unclear_referent"
        elif q.kind != "order" and not (q.kind == "policy" and not q.refers_back):
            product_ids = self._search_products(text, q, focus_id)
        candidates = load_product_facts(self.db, product_ids, FactNumberer())
        if focus_id and not any(p.id == focus_id for p in candidates):
            focus_id = None
        if not focus_id:
            named = _named_product(text, candidates)
            if named is not None:
                focus_id = named.id
                candidates = [named, *[p for p in candidates if p.id != named.id]]
            else:
                candidates = _relevant(text, q, candidates)
        products = [replace(p, number=numberer.next()) for p in candidates[:MAX_PRODUCT_FACTS]]
        policies = []
        if q.kind == "policy" or (
            POLICY_WORDS.search(text) and (q.kind != "order" or not customer_id)
        ):
            policies = policy_facts(self._search_policy(text), numberer)
        orders = []
        if q.kind == "order" and customer_id and self.orders is not None:
            orders = self._order_facts(customer_id, q, numberer)
        return FactSheet(
            question=text,
            products=products,
            policies=policies,
            orders=orders,
            customer_id=customer_id,
            focus_product_id=focus_id,
            memory_lines=state.prompt_lines(),
            filters=q.filters,
            analysis=q,
        )

    def _search_products(self, text: str, q: Question, focus_id: str | None) -> list[str]:
        from bot.catalog.search import search_products

        if q.kind == "yes_no" and focus_id:
            return [focus_id]
        ids: list[str] = []
        try:
            filters: SearchFilters = q.filters
            if q.kind == "yes_no":
                # Search without the asked colour/size: a product that lacks it is the answer.
                filters = SearchFilters()
            hits = search_products(self.db, text, filters=filters, limit=5, mode=self.search_mode)
            if q.kind != "yes_no" and (not filters.is_empty() or q.features):
                # A list checks its hard limits on the facts, so it needs candidates beyond the
                # first five: ones that fit the words but not the price (to say so instead of
                # offering a different kind of product), and enough to find the few that have
                # an asked property such as "waterproof".
                seen = {product_id_of(h) for h in hits}
                hits += [
                    h
                    for h in search_products(
                        self.db, text, filters=SearchFilters(), limit=12, mode=self.search_mode
                    )
                    if product_id_of(h) not in seen
                ]
            if not hits and filters.sources and "memory" in filters.sources.values():
                hits = search_products(
                    self.db, text, filters=parse_filters(text), limit=5, mode=self.search_mode
                )
            if not hits and not filters.is_empty() and q.kind != "recommend":
                # A product named outright ("the ... Wooden Puzzle") may not satisfy a filter
                # read from its own name ("wooden" -> material wood); name beats filter.
                hits = search_products(
                    self.db, text, filters=SearchFilters(), limit=5, mode=self.search_mode
                )
            ids = [pid for pid in (product_id_of(h) for h in hits) if pid]
        except Exception:
            log.exception("catalog search failed; answering without catalog facts")
        if focus_id:
            ids = [focus_id, *[i for i in ids if i != focus_id]]
        return ids

    def _search_policy(self, text: str) -> Sequence[Any]:
        from bot.catalog.search import search_policy

        try:
            # Passages in the conversation's language (policy.md or policy.zh.md).
            lang = "zh" if language(active_locale()) == "zh" else "en"
            return search_policy(self.db, text, limit=3, mode=self.search_mode, language=lang)
        except Exception:
            log.exception("policy search failed; answering without policy facts")
            return []

    def _order_facts(self, customer_id: str, q: Question, numberer: FactNumberer) -> list:
        assert self.orders is not None
        if q.order_ids:
            wanted = q.order_ids
        else:
            listed = self.orders.list_orders(customer_id)
            if not getattr(listed, "ok", False):
                return []
            summaries = sorted(listed.value, key=lambda s: s.created_at, reverse=True)
            wanted = [s.id for s in summaries[:MAX_ORDERS_IN_FACTS]]
        facts = []
        for oid in wanted:
            result = self.orders.order_details(customer_id, oid)
            # Refused (unknown or someone else's order) never becomes a fact.
            if getattr(result, "ok", False) and result.value.customer_id == customer_id:
                facts.append(order_fact(result.value, numberer.next()))
        return facts

    # -- generation and checking ---------------------------------------------------------
    async def _generate_checked(
        self, messages: list[ChatMessage], facts: FactSheet
    ) -> tuple[str, GroundingReport, bool, list[str], float, float]:
        check_ms = 0.0
        t = time.perf_counter()
        if isinstance(self.backend, TemplateBackend):
            reply = compose_answer(facts)
            gen_ms = _ms(t)
            t = time.perf_counter()
            report = check_reply(reply, facts)
            check_ms = _ms(t)
            if not report.ok:
                log.warning("template answer failed its own check: %s", report.problems)
            return reply, report, False, report.problems, gen_ms, check_ms

        problems: list[str] = []
        attempt_messages = list(messages)
        gen_ms = 0.0
        for attempt in range(2):
            t = time.perf_counter()
            try:
                # The service enforces the deadline too: a backend that ignores its timeout
                # must not hold the shopper's turn.
                reply = await asyncio.wait_for(
                    self.backend.generate(
                        attempt_messages, max_new_tokens=self.max_new_tokens, timeout=self.timeout_s
                    ),
                    self.timeout_s + 1.0,
                )
            except Exception as exc:  # LLMError, our deadline, library bugs: all -> template
                gen_ms += _ms(t)
                log.warning("LLM backend %s failed (%s); template answer", self.backend.name, exc)
                problems.append(f"backend error: {exc}")
                break
            gen_ms += _ms(t)
            t = time.perf_counter()
            report = check_reply(reply, facts) if reply.strip() else _empty_report()
            check_ms += _ms(t)
            if report.ok:
                return reply.strip(), report, False, problems, gen_ms, check_ms
            problems += report.problems
            log.info("reply attempt %d not grounded: %s", attempt + 1, report.problems)
            attempt_messages = [
                *messages,
                ChatMessage("assistant", reply),
                correction_message(report.problems),
            ]
        t = time.perf_counter()
        reply = compose_answer(facts)
        gen_ms += _ms(t)
        t = time.perf_counter()
        report = check_reply(reply, facts)
        check_ms += _ms(t)
        return reply, report, True, problems, gen_ms, check_ms

    # -- memory ----------------------------------------------------------------------------
    def _remember(
        self,
        sender_id: str,
        question: str,
        reply: str,
        facts: FactSheet,
        mentioned: list[ProductFact],
        customer_id: str | None,
    ) -> None:
        q = facts.analysis
        prefs = _stated_preferences(q) if q else {}
        shown = [p.id for p in mentioned]
        recommended = bool(q and q.kind in ("recommend", "compare") and len(shown) > 1)

        def mutate(state: SessionState) -> None:
            state.add_turn("user", question)
            state.add_turn("bot", reply)
            if shown:
                state.saw_products(shown, recommended=recommended)
            if prefs:
                state.set_preferences(prefs)
            if customer_id:
                state.customer_id = customer_id

        try:
            self.memory.update(sender_id, mutate)
        except Exception:  # memory is a help, never a reason to fail an answer
            log.exception("could not update session memory for %s", sender_id)


def _named_product(text: str, products: list[ProductFact]) -> ProductFact | None:
    """The product whose name (with or without its brand) the shopper wrote out."""
    low = " ".join(text.lower().split())
    best: tuple[int, ProductFact] | None = None
    for p in products:
        name = p.name.lower()
        short = name[len(p.brand) :].strip() if p.brand and name.startswith(p.brand.lower()) else ""
        for candidate in (name, short):
            if (
                len(candidate) >= 4
                and candidate in low
                and (best is None or len(candidate) > best[0])
            ):
                best = (len(candidate), p)
    return best[1] if best else None


def _relevant(text: str, q: Question, products: list[ProductFact]) -> list[ProductFact]:
    """Drop products sharing no word with the question (semantic search always returns
    something; "do you sell bicycles?" must not list yoga mats). Suggestions keep the rest,
    word matches first."""
    terms = content_terms(text)
    if not terms:
        return products
    matching = [p for p in products if any(term_in(t, p.searchable_text()) for t in terms)]
    if q.kind == "recommend":
        return matching + [p for p in products if p not in matching]
    return matching


def _names_nothing(text: str, q: Question) -> bool:
    """True when the message has no words naming a product (only pronouns, colour, size...)."""
    from bot.catalog.filters import COLOURS
    from bot.catalog.keyword import query_terms

    ignore = set(COLOURS) | {w for f in q.features for w in f.split()} | {"size", "stock"}
    if q.filters.size:
        ignore.add(q.filters.size.lower())
    return not [t for t in query_terms(text) if t.lower() not in ignore and not t.isdigit()]


def _stated_preferences(q: Question) -> dict[str, str]:
    f = q.filters
    said = {k for k, src in f.sources.items() if src == "message"}
    prefs: dict[str, str] = {}
    if "size" in said and f.size:
        prefs["size"] = f.size
    if "colour" in said and f.colour:
        prefs["colour"] = f.colour
    if "max_price" in said and f.max_price is not None:
        prefs["budget"] = str(f.max_price)
    if "category" in said and f.category:
        prefs["category"] = f.category
    if "material" in said and f.material:
        prefs["material"] = f.material
    return prefs


def _empty_report() -> GroundingReport:
    return GroundingReport(ok=False, problems=["the reply was empty"])


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
