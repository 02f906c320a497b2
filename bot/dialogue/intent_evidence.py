"""What a message must (not) carry for an intent to be believable: the classifier's guess gives
way when the message contradicts it.

"I'd like to exchange the 3 ft bookshelf for the brown, 5 ft one in order #W6319233" was read
as ``place_order`` ("I want to order the red one"), and "swap them for a different version" as
``change_payment_method``; the request was then not taken up. A message that names one of the
shop's orders is not about placing a new one, and a payment change names a way to pay. The
vetoed intent is dropped from the ranking and the rest renormalised (the probability of each
given that it is not the vetoed one), so a clear second choice is not sent to the fallback.

Standard library only: the Rasa server imports it (``rasa_addons/intent_evidence.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_PAYMENT_WORDS = re.compile(
    r"\b(?:pay|paid|paying|payment|card|credit|debit|visa|mastercard|amex|american express|"
    r"discover|paypal|gift ?card|billing|bill|charge|charged)\b",
    re.IGNORECASE,
)
# Cards that pay for nothing: a product's option ("the 30MP, 5x, CF card one" is a camera).
_OTHER_CARDS = re.compile(
    r"\b(?:sd|cf|micro ?sd|xqd|memory|storage|sim|graphics|video|sound|network|greeting|"
    r"business|birthday|playing|trading|index|score|report) card\b",
    re.IGNORECASE,
)


def _names_order(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    return any(e.get("entity") == "order_id" for e in entities)


def _names_payment(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    return bool(_PAYMENT_WORDS.search(_OTHER_CARDS.sub(" ", text))) or any(
        e.get("entity") == "payment_method" for e in entities
    )


# intent -> why it is not believable for this message (one rule per intent).
VETOES = {
    "place_order": _names_order,  # an existing order's number: a change, not a new order
    "change_payment_method": lambda text, entities: not _names_payment(text, entities),
}


def _vetoed(intent: str, text: str, entities: Sequence[dict[str, Any]]) -> bool:
    veto = VETOES.get(intent)
    return veto is not None and veto(text, entities)


def reranked(
    text: str, ranking: Sequence[dict[str, Any]], entities: Sequence[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The ranking without the top intent when the message contradicts it, renormalised;
    None when the top intent stands (or nothing else is left)."""
    if not ranking or text.startswith("/"):
        return None
    if not _vetoed(str(ranking[0].get("name") or ""), text, entities):
        return None
    rest = [dict(r) for r in ranking[1:] if not _vetoed(str(r.get("name") or ""), text, entities)]
    total = sum(float(r.get("confidence") or 0.0) for r in rest)
    if not rest or total <= 0:
        return None
    for r in rest:
        r["confidence"] = float(r.get("confidence") or 0.0) / total
    return rest
