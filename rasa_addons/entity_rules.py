"""Sanity rules over the entities the NLU extracted, before any slot or rule sees them.

Why: the CRF tags by context, so it misfires in ways the dialogue cannot undo: the first five
digits of "S1000200" became a ZIP, and "Northpeak Nova", "San Francisco" or "Mastercard" became
person names that the identification step then tried to verify. These rules run inside the
NLU pipeline (``entity_sanity.EntitySanity``, after every extractor) so that slot mappings,
rules, the console and ``rasa test`` all see the same cleaned entities:

1. An entity with a closed form (``order_id``, ``email``, ``zip``: the types that have a regex
   in the training data) is kept only where its regex matches; it takes the match's span. A
   ZIP inside an order id or a longer number is therefore never a ZIP.
2. A ``person_name`` is dropped when it is a known non-name: an entry of the configured lookup
   tables (catalog products, colours, materials, places, assistants and brands), part of a
   catalog product name ("Northpeak Nova"), any other entity's annotated value or a synonym
   in the training data ("mastercard"), when one of its words is never part of a name ("my
   order", "hi Sam"), when it holds digits or "@", or when it lies inside a postal address
   the message gives ("500 Market Street, San Francisco, CA 94105": a street, not a person;
   the dialogue's own address parser, ``bot.dialogue.parsing.address_span``, finds it).
3. Overlapping spans: one rule, the closed-form entity first, then the longer span, then the
   higher confidence. Two extractors reporting the same type on the same span is one entity
   seen twice, not a conflict, and both copies stay (``rasa test`` scores each extractor).
4. A ``quantity`` that is money, a size, a time, a rating or a measure ("$80", "size 10",
   "30 days", "5 stars", "500 ml") is dropped: a quantity counts things.
5. Values are normalised: synonyms of the training data applied to what the synonym mapper
   did not see (regex matches), order ids as the shop stores them (``bot.orders.ids``), and a
   Chinese colour, size, material, way to pay or cancellation reason given the English value
   of the longest phrase of the dialogue's table it holds (``bot.dialogue.chinese``: 蓝色 ->
   blue, 大号 -> large, 礼品卡 -> gift card, 下错单了 -> ordered by mistake), so the slots get
   the values the English side gives.

No Rasa imports here, so the 3.11 test suite checks these rules directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.parsing import address_span
from bot.orders.ids import normalise_order_id
from bot.texts.detect import has_han

PERSON = "person_name"
QUANTITY = "quantity"
# A quantity counts things: a number that is money, a size, a time or a rating is none.
_NOT_A_COUNT_BEFORE = re.compile(r"(?:[$€£#]|\b(?:size|sz|us|eu|uk|no|number|zip|code))\s*$", re.I)
_NOT_A_COUNT_AFTER = re.compile(
    r"^\s*(?:%|[$€£]|(?:percent|dollars?|bucks|usd|euros?|cents|days?|weeks?|months?|years?|hours?"
    r"|minutes?|mins?|am|pm|stars?|inches|inch|cm|mm|kg|lbs?|oz|ml|gb|tb|mah)\b)",
    re.I,
)
_NAME_CHARS = re.compile(r"[^\w\s&'-]", re.UNICODE)
_NORMALISERS = {"order_id": normalise_order_id}
# ``\b`` with a word character that is not a Chinese character.
_WORD = r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_BOUNDARY = rf"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"


def name_key(text: str) -> str:
    """How a phrase is compared with the vocabulary: lower case, punctuation dropped."""
    return " ".join(_NAME_CHARS.sub(" ", text or "").lower().split())


@dataclass
class Vocabulary:
    """What the rules know, collected from the training data when the model is trained."""

    patterns: dict[str, list[str]] = field(default_factory=dict)
    non_names: set[str] = field(default_factory=set)
    name_parts: set[str] = field(default_factory=set)  # contiguous word runs of products
    name_stop_words: set[str] = field(default_factory=set)  # never a word of a name ("my")
    synonyms: dict[str, str] = field(default_factory=dict)
    # entity -> Chinese phrase -> the English value (bot.dialogue.chinese.ENTITY_WORDS)
    chinese_values: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_non_names(self, phrases: Iterable[Any]) -> None:
        self.non_names.update(k for k in (name_key(str(p)) for p in phrases) if k)

    def add_name_parts(self, phrases: Iterable[Any]) -> None:
        """Every run of two or more consecutive words of each phrase (brand + line, ...)."""
        for phrase in phrases:
            words = name_key(str(phrase)).split()
            for start in range(len(words)):
                for end in range(start + 2, len(words) + 1):
                    self.name_parts.add(" ".join(words[start:end]))
            if len(words) >= 3:  # "<brand> <line> <type>": the brand alone ("Northpeak")
                self.non_names.add(words[0])

    def as_json(self) -> dict[str, Any]:
        return {
            "patterns": self.patterns,
            "non_names": sorted(self.non_names),
            "name_parts": sorted(self.name_parts),
            "name_stop_words": sorted(self.name_stop_words),
            "synonyms": self.synonyms,
            "chinese_values": self.chinese_values,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Vocabulary:
        return cls(
            patterns={k: list(v) for k, v in (data.get("patterns") or {}).items()},
            non_names=set(data.get("non_names") or ()),
            name_parts=set(data.get("name_parts") or ()),
            name_stop_words=set(data.get("name_stop_words") or ()),
            synonyms=dict(data.get("synonyms") or {}),
            chinese_values={k: dict(v) for k, v in (data.get("chinese_values") or {}).items()},
        )


class EntityRules:
    """The rules above, compiled once per loaded model."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        # Compiled as the RegexEntityExtractor runs them (word boundaries, any case), except
        # that Chinese characters do not count as word characters: with ``\b`` "订单S1000077现在"
        # held no order id (issue 20).
        self._patterns = {
            name: [re.compile(rf"{_BOUNDARY}{p}{_BOUNDARY}", re.IGNORECASE) for p in patterns]
            for name, patterns in vocabulary.patterns.items()
        }

    def is_non_name(self, value: str) -> bool:
        key = name_key(value)
        if not key or any(c.isdigit() for c in value) or "@" in value:
            return True
        if key in self.vocabulary.non_names or key in self.vocabulary.name_parts:
            return True
        return any(word in self.vocabulary.name_stop_words for word in key.split())

    def _closed_form_span(self, text: str, entity: dict[str, Any]) -> tuple[int, int] | None:
        """The regex match the entity lies on, or None (then it is no such entity)."""
        start, end = entity.get("start"), entity.get("end")
        for pattern in self._patterns[entity["entity"]]:
            for match in pattern.finditer(text):
                if start is None or end is None:
                    if match.group(0).lower() == str(entity.get("value", "")).lower():
                        return match.span()
                elif match.start() < end and start < match.end():
                    return match.span()
        return None

    def _chinese_value(self, kind: str, value: str) -> str:
        """The English value of the longest table phrase in a Chinese value, else the value."""
        table = self.vocabulary.chinese_values.get(kind)
        if not table or not has_han(value):
            return value
        phrases = [phrase for phrase in table if phrase in value]
        return table[max(phrases, key=len)] if phrases else value

    def _normalised(self, entity: dict[str, Any]) -> dict[str, Any]:
        value = str(entity.get("value", "")).strip()
        value = self.vocabulary.synonyms.get(value.lower(), value)
        value = self._chinese_value(str(entity["entity"]), value)
        normalise = _NORMALISERS.get(entity["entity"])
        return {**entity, "value": normalise(value) if normalise else value}

    def clean(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entities worth believing, in text order, values normalised."""
        kept: list[tuple[int, dict[str, Any], bool]] = []
        names = any(e.get("entity") == PERSON for e in entities)
        address = address_span(text) if text and names else None
        for index, entity in enumerate(entities):
            kind = entity.get("entity")
            if not kind:
                continue
            closed = kind in self._patterns
            if closed and text:
                span = self._closed_form_span(text, entity)
                if span is None:
                    continue
                entity = {**entity, "start": span[0], "end": span[1], "value": text[slice(*span)]}
            if kind == PERSON and (
                self.is_non_name(str(entity.get("value", ""))) or _inside(entity, address)
            ):
                continue
            if kind == QUANTITY and text and not _is_a_count(text, entity):
                continue
            kept.append((index, self._normalised(entity), closed))
        return [entity for _, entity in _resolve_overlaps(kept)]


def _is_a_count(text: str, entity: dict[str, Any]) -> bool:
    span = _span(entity)
    if span is None:
        return True
    before, after = text[: span[0]], text[span[1] :]
    return not (_NOT_A_COUNT_BEFORE.search(before) or _NOT_A_COUNT_AFTER.match(after))


def _inside(entity: dict[str, Any], outer: tuple[int, int] | None) -> bool:
    span = _span(entity)
    return bool(outer and span and outer[0] <= span[0] and span[1] <= outer[1])


def _span(entity: dict[str, Any]) -> tuple[int, int] | None:
    start, end = entity.get("start"), entity.get("end")
    return (int(start), int(end)) if start is not None and end is not None else None


def _resolve_overlaps(
    candidates: list[tuple[int, dict[str, Any], bool]],
) -> list[tuple[int, dict[str, Any]]]:
    """Closed form first, then the longer span, then the higher confidence; first seen on ties."""

    def rank(item: tuple[int, dict[str, Any], bool]) -> tuple[int, int, float, int]:
        index, entity, closed = item
        span = _span(entity) or (0, 0)
        confidence = entity.get("confidence_entity")
        score = float(confidence) if isinstance(confidence, (int, float)) else 1.0
        return (-int(closed), -(span[1] - span[0]), -score, index)

    accepted: list[tuple[int, dict[str, Any]]] = []
    for index, entity, _closed in sorted(candidates, key=rank):
        span = _span(entity)
        clash = False
        for _, other in accepted:
            other_span = _span(other)
            if span is None or other_span is None:
                continue
            if span == other_span and entity["entity"] == other["entity"]:
                continue  # the same entity from a second extractor
            if span[0] < other_span[1] and other_span[0] < span[1]:
                clash = True
                break
        if not clash:
            accepted.append((index, entity))
    return sorted(accepted, key=lambda item: ((_span(item[1]) or (0, 0))[0], item[0]))
