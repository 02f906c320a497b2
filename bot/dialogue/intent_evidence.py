"""What a message must (not) carry for an intent to be believable: the classifier's guess gives
way when the message contradicts it.

"I'd like to exchange the 3 ft bookshelf for the brown, 5 ft one in order #W6319233" was read
as ``place_order`` ("I want to order the red one"), and "swap them for a different version" as
``change_payment_method``; the request was then not taken up. A message that names one of the
shop's orders is not about placing a new one, and a payment change names a way to pay. The
vetoed intent is dropped from the ranking and the rest renormalised (the probability of each
given that it is not the vetoed one), so a clear second choice is not sent to the fallback. A
vetoed runner-up is dropped as well: "change the digital camera for the 30MP, 3x, SD card one
... in order #W6711349" (change_order 0.47, change_payment_method 0.46) was sent to the
fallback as ambiguous, by a reading the message rules out.
"Sorry, typo! My zip code is 94120." after a failed identification was read as
``change_shipping_address`` (the training data has "I entered the wrong zip code on my order"):
a shopper who states their zip and says nothing of an address, a delivery or a move is
correcting who they are, not where an order goes.
A message that is nothing but who the shopper is or which order ("订单#W2611340", "Noah Brown,
20001", "it's S1000029") answers a question: ``inform``, whatever the classifier made of the few
words around the value when the classifier is unsure (the Chinese form was sent to the fallback
inside the address form); a confident guess stands ("S1000029" alone may well be a status
question).
"Hi, I'm Mia Silva and my zip code is 95173. I'd like to exchange the 3 ft bookshelf for the
brown, 5 ft one in order #W6319233." split its confidence between ``exchange_item`` (0.39) and
``change_order`` (0.28) and went to the fallback twice, then to a person. The two are one
request, swapping an item of an order, whose task the order's status decides (the task
registry's counterparts: an item change of a delivered order is an exchange). When they are
the classifier's first two guesses, the first takes both shares: sure of the request, not unsure.

Standard library only: the Rasa server imports it (``rasa_addons/intent_evidence.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.dialogue import payment_words  # standard library only as well
from bot.dialogue.questions import UNSURE as _UNSURE  # one line between sure and guessing

_PAYMENT_WORDS = re.compile(
    r"\b(?:pay|paid|paying|payment|card|credit|debit|visa|mastercard|amex|american express|"
    r"discover|paypal|gift ?card|billing|bill|charge|charged)\b"
    # Chinese has no word boundaries: 付款方式, 支付, 信用卡, 礼品卡, 扣款, 贝宝 ... (the words
    # the payment answers are read with too: bot/dialogue/payment_words.py)
    + "|"
    + "|".join(map(re.escape, payment_words.TOPIC_WORDS)),
    re.IGNORECASE,
)
# Cards that pay for nothing: a product's option ("the 30MP, 5x, CF card one" is a camera).
_OTHER_CARDS = re.compile(
    r"\b(?:sd|cf|micro ?sd|xqd|memory|storage|sim|graphics|video|sound|network|greeting|"
    r"business|birthday|playing|trading|index|score|report) card\b",
    re.IGNORECASE,
)


# "my zip (code) is 94120", "我的邮编是94120": the shopper's own zip stated as a fact.
_ZIP_STATEMENT = re.compile(
    r"\bmy\s+(?:zip|postal|post)(?:\s*code)?\s+is\s*:?\s*\d{5}|邮编(?:是|为|:|：)\s*\d{5}",
    re.IGNORECASE,
)
# Words of an address change: the zip is then part of the new address.
_ADDRESS_WORDS = re.compile(
    r"\b(?:address|addresses|ship|shipping|shipped|deliver|delivery|delivered|send|sent|street|"
    r"st|ave|avenue|road|rd|apt|apartment|suite|moved|move|moving|new|now|change|update|"
    r"instead)\b|地址|寄|送到|收货|搬|改|新|换",
    re.IGNORECASE,
)


def _names_order(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    return any(e.get("entity") == "order_id" for e in entities)


def _names_payment(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    return bool(_PAYMENT_WORDS.search(_OTHER_CARDS.sub(" ", text))) or any(
        e.get("entity") == "payment_method" for e in entities
    )


def _states_own_zip(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    return bool(_ZIP_STATEMENT.search(text)) and not _ADDRESS_WORDS.search(text)


# intent -> why it is not believable for this message (one rule per intent).
VETOES = {
    "place_order": _names_order,  # an existing order's number: a change, not a new order
    # one of the shop's orders or products is the shop's business ("how much is the Electric
    # Kettle?" was taken for off-topic by the out-of-scope detector)
    "out_of_scope": lambda text, entities: (
        _names_order(text, entities) or any(e.get("entity") == "product" for e in entities)
    ),
    "change_payment_method": lambda text, entities: not _names_payment(text, entities),
    "change_shipping_address": _states_own_zip,  # an identity correction, not a new address
}


# Under _UNSURE the classifier is guessing; a bare identity value then counts as an answer.
# Values that answer "who are you / which order"; words that may stand around them.
_IDENTITY_ENTITIES = frozenset({"order_id", "email", "zip", "person_name"})
_FILLER = re.compile(
    r"订单号|订单|单号|号码|邮编|邮箱|名字|我叫|我是|我的|我|是|的|"
    r"\b(?:my|the|it'?s|it is|is|order|number|no|id|zip|code|email|name|i'?m|i am|this is)\b",
    re.IGNORECASE,
)


def _bare_identity_answer(text: str, entities: Sequence[dict[str, Any]]) -> bool:
    """Only identity/order values and filler words: nothing else the shopper asks for."""
    spans = [
        (e["start"], e["end"])
        for e in entities
        if e.get("entity") in _IDENTITY_ENTITIES
        and isinstance(e.get("start"), int)
        and isinstance(e.get("end"), int)
    ]
    if not spans:
        return False
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return not re.sub(r"[\W_]+", "", _FILLER.sub(" ", rest))


# Intents whose tasks are counterparts in the task registry (``OrderTask.counterpart``;
# tests/dialogue/test_intent_evidence.py checks the two agree).
COUNTERPART_INTENTS: frozenset[frozenset[str]] = frozenset(
    {frozenset({"change_order", "exchange_item"})}
)


def _counterparts_merged(ranking: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The first guess with its counterpart's share added, the counterpart out of the ranking
    (so Rasa's ambiguity rule no longer sees two close guesses); None when the first two
    guesses are not counterparts."""
    if len(ranking) < 2:
        return None
    first, second = (str(r.get("name") or "") for r in ranking[:2])
    if frozenset({first, second}) not in COUNTERPART_INTENTS:
        return None
    top = dict(ranking[0])
    top["confidence"] = float(top.get("confidence") or 0.0) + float(
        ranking[1].get("confidence") or 0.0
    )
    return [top, *(dict(r) for r in ranking[2:])]


def _vetoed(intent: str, text: str, entities: Sequence[dict[str, Any]]) -> bool:
    veto = VETOES.get(intent)
    return veto is not None and veto(text, entities)


def reranked(
    text: str, ranking: Sequence[dict[str, Any]], entities: Sequence[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The ranking without the intents the message contradicts, renormalised, and with
    counterpart intents merged; None when the ranking stands as it is."""
    if not ranking or text.startswith("/"):
        return None
    found = _reranked(text, ranking, entities)
    merged = _counterparts_merged(found if found is not None else ranking)
    return merged if merged is not None else found


def _reranked(
    text: str, ranking: Sequence[dict[str, Any]], entities: Sequence[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    unsure = float(ranking[0].get("confidence") or 0.0) < _UNSURE
    if unsure and _bare_identity_answer(text, entities):
        inform = [dict(r) for r in ranking if r.get("name") == "inform"]
        if inform:  # an answer, with the classifier's other guesses kept behind it
            inform[0]["confidence"] = 1.0
            return inform + [{**r, "confidence": 0.0} for r in ranking if r.get("name") != "inform"]
    rest = [dict(r) for r in ranking if not _vetoed(str(r.get("name") or ""), text, entities)]
    if len(rest) == len(ranking):
        return None
    total = sum(float(r.get("confidence") or 0.0) for r in rest)
    if not rest or total <= 0:
        return None
    for r in rest:
        r["confidence"] = float(r.get("confidence") or 0.0) / total
    return rest
