"""Several requests in one message: split it into request clauses and plan them in order.

"Cancel #W1 because I ordered by mistake, and also cancel #W2, I changed my mind" is two
requests, each with its own order and reason; "return the kettle and exchange the clock" is
two tasks on one order; "I want to return the lamp. Also, what is your return policy?" is a
task and a question. The message is cut into clauses (sentences, then a conjunction that
starts a new request: "and also", "then", "and exchange ..."); the NLU model classifies each
clause (the Rasa channel does that, ``rasa_addons/multi_request.py``) and :func:`plan`
groups them into requests: a clause that is no request of its own (a greeting, who the
shopper is, a reason) joins the request next to it, and clauses of one intent join unless
they name different orders. The dialogue then does the first request and queues the rest
(``bot/dialogue/agenda.py``, ``actions/requests.py``).

Standard library only: the Rasa server imports it too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.orders.ids import find_order_ids  # standard library only as well

# Intents that are no request of their own: small talk, answers to a question, the fallback
# (the "Did you mean" suggestions never offer these either), and tones that go with a
# request rather than being one.
SMALL_TALK_AND_ANSWERS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "bot_challenge",
        "out_of_scope",
        "stop",
        "nlu_fallback",
    }
)
NOT_A_REQUEST = SMALL_TALK_AND_ANSWERS | {"complaint", "place_order", "contact_human_agent"}
# Who the shopper is holds for the whole message, whichever clause says it.
IDENTITY_ENTITIES = frozenset({"email", "person_name", "zip"})
ORDER_ENTITY = "order_id"

# A sentence ends at . ? ! followed by a space and the next sentence (not after a short
# abbreviation of an address or a title: "123 Main St. Apt 4").
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATION = re.compile(
    r"\b(?:st|ave|rd|dr|blvd|ln|apt|no|mr|mrs|ms|jr|sr|ste|e\.g|i\.e|approx)\.$", re.I
)
# A conjunction that starts another request inside a sentence: "..., and also ...",
# "... then ...", or "and" directly before a request verb ("return the kettle and exchange
# the clock"), but not "the black mouse and the thermostat".
_REQUEST_START = (
    r"(?:i(?:'d| would| also)?\s+(?:like|want|need)|i'd\s+also|can\s+you|could\s+you|"
    r"would\s+you|please|cancel|return|exchange|swap|change|modify|update|switch|replace|"
    r"send\s+back|refund|track|check|tell\s+me|what|where|when|how|is|are|do|does|can\s+i)\b"
)
_CONJUNCTION = re.compile(
    r"(?:[,;]\s*|\s+)(?:and\s+(?:then\s+|also\s+)?|then\s+|also[,]?\s+|plus\s+)"
    rf"(?=(?:also\s+)?{_REQUEST_START})"
    r"|[,;]\s*(?=also\b)",
    re.IGNORECASE,
)

# Chinese writes no space after its punctuation: a sentence ends at 。！？； (or ! ? ; before
# Chinese), and inside one a comma starts another request before a word that says so:
# "先帮我取消订单#W1，再查一下#W2到哪了", "…，然后…", "…，另外…", "…，顺便问一下…".
_ZH_SENTENCE_END = re.compile(r"(?<=[。！？；])\s*(?=\S)|(?<=[!?;])\s*(?=[\u4e00-\u9fff])")
_ZH_NEXT = r"(?:然后|接着|另外|此外|还有|顺便|同时|对了|再|也|还)"
_ZH_CONJUNCTION = re.compile(rf"[，,]\s*(?={_ZH_NEXT})")


@dataclass(frozen=True)
class Clause:
    """A stretch of the message (character offsets into it)."""

    start: int
    end: int
    text: str


@dataclass
class RequestPart:
    """One request: its span of the message, the intent of its leading clause, its
    entities (offsets into the whole message)."""

    start: int
    end: int
    text: str
    intent: str
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "intent": self.intent,
            "confidence": self.confidence,
            "entities": self.entities,
        }


def _trimmed(text: str, start: int, end: int) -> Clause | None:
    piece = text[start:end]
    stripped = piece.strip(" ,;")
    if not stripped:
        return None
    lead = piece.index(stripped)
    return Clause(start + lead, start + lead + len(stripped), stripped)


def split_clauses(text: str) -> list[Clause]:
    """The message cut into sentences, and sentences at a conjunction that starts a request."""
    text = text or ""
    cuts = [0]
    for match in _SENTENCE_END.finditer(text):
        if not _ABBREVIATION.search(text[max(0, match.start() - 12) : match.start()]):
            cuts.append(match.end())
    cuts = sorted({*cuts, *(m.end() for m in _ZH_SENTENCE_END.finditer(text)), len(text)})
    clauses: list[Clause] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        pos = start
        conjunctions = [*_CONJUNCTION.finditer(text, start, end)]
        conjunctions += _ZH_CONJUNCTION.finditer(text, start, end)
        for match in sorted(conjunctions, key=lambda m: m.start()):
            if match.start() > pos and text[pos : match.start()].strip(" ,;"):
                found = _trimmed(text, pos, match.start())
                if found:
                    clauses.append(found)
                pos = match.end()
        found = _trimmed(text, pos, end)
        if found:
            clauses.append(found)
    return clauses


_OPENS_REQUEST = re.compile(
    rf"^(?:(?:hi|hello|hey|oh|ok|okay|and|also|then|plus|btw|by the way|one more thing|"
    rf"another thing|secondly|lastly|finally)\b[,:!]?\s*)*(?:also\s+)?{_REQUEST_START}",
    re.IGNORECASE,
)


# Chinese: after openers and fillers ("另外，", "再", "我还", "请问"), a verb of a request, a
# wish or a question word ("再查一下…", "另外，退货要多久？"), not a detail ("退款到礼品卡" is
# one: it names where the money goes, not what to do).
_ZH_OPENS_REQUEST = re.compile(
    r"^(?:(?:你好|您好|嗨|哈喽|那|那么|好的|另外|此外|还有|然后|接着|顺便|同时|对了|先|最后|"
    r"再|也|还|我|请问|麻烦|请)[，,：:！!]?\s*)*"
    r"(?:想|要|需要|帮|能|可以|可不可以|取消|退货|退掉|退了|退回|换|改|修改|更改|查|看一下|问|催|"
    r"什么|怎么|如何|多久|多长|多少|哪|为什么|是否|有没有)"
)


def opens_request(text: str) -> bool:
    """Whether a clause starts like a request of its own ("Also, I'd like to ...", "what is
    ...?", "exchange the clock", "再查一下…"), not like a detail of the one before ("The
    refund should go to my card")."""
    stripped = text.strip()
    return bool(_OPENS_REQUEST.match(stripped) or _ZH_OPENS_REQUEST.match(stripped))


def _orders(text: str, entities: Sequence[dict[str, Any]]) -> set[str]:
    """The orders a request names: written in it, or tagged by the NLU."""
    tagged = [str(e.get("value")) for e in entities if e.get("entity") == ORDER_ENTITY]
    return set(find_order_ids(" ".join([text, *tagged])))


def is_request(intent: str) -> bool:
    return bool(intent) and intent not in NOT_A_REQUEST


def plan(
    text: str, clauses: Sequence[Clause], parses: Sequence[dict[str, Any]]
) -> list[RequestPart]:
    """The requests of a message, in order, from its clauses and each clause's NLU parse.

    A clause that is no request, or does not open like one, joins the request before it
    (or the first one, when it leads); a clause of the same intent as the request before it
    joins it unless both name an order and the orders differ ("return the kettle and the
    clock" is one return).
    """
    parts: list[RequestPart] = []
    leading: list[tuple[Clause, list[dict[str, Any]]]] = []
    for clause, parse in zip(clauses, parses, strict=True):
        intent = str((parse.get("intent") or {}).get("name") or "")
        confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
        entities = [
            {**e, "start": e["start"] + clause.start, "end": e["end"] + clause.start}
            for e in parse.get("entities") or []
            if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
        ]
        last = parts[-1] if parts else None
        joins = last is not None and (
            not is_request(intent)
            or not opens_request(clause.text)
            or (
                intent == last.intent
                and not (
                    _orders(clause.text, entities)
                    and _orders(last.text, last.entities) != _orders(clause.text, entities)
                )
            )
        )
        if last is not None and joins:
            last.end = clause.end
            last.text = text[last.start : last.end]
            last.entities.extend(entities)
        elif not is_request(intent):
            leading.append((clause, entities))
        else:
            start = leading[0][0].start if leading and not parts else clause.start
            carried = [e for _, found in leading for e in found] if not parts else []
            parts.append(
                RequestPart(
                    start, clause.end, text[start : clause.end], intent, confidence, carried
                )
            )
            parts[-1].entities.extend(entities)
            leading = []
    return parts


def in_span(entity: dict[str, Any], start: int, end: int) -> bool:
    """Whether an entity (offsets into the message) lies inside ``start:end``."""
    at, to = entity.get("start"), entity.get("end")
    if not isinstance(at, int) or not isinstance(to, int):
        return True  # no offsets (a button's entities): keep it
    return start <= at and to <= end


def first_request_entities(
    entities: Sequence[dict[str, Any]], first: dict[str, Any]
) -> list[dict[str, Any]]:
    """The message's entities that belong to its first request, plus who the shopper is."""
    start, end = int(first.get("start", 0)), int(first.get("end", 0))
    return [e for e in entities if e.get("entity") in IDENTITY_ENTITIES or in_span(e, start, end)]
