"""Order numbers as the shop stores them (``#W1234567``), from whatever a shopper typed."""

from __future__ import annotations

import re

# A stored order id: '#', one letter, seven digits.
ORDER_ID = re.compile(r"^#[A-Z]\d{7}$")
# An order id written in a text: '#' optional, any case, not glued to a word, a product id
# ("SB-P1234567") or a longer number. Group 1 is the id without '#'.
ORDER_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])#?([A-Za-z]\d{7})(?!\d)")


def normalise_order_id(raw: str | None) -> str:
    """'w2611340', ' #w2611340 ', '##W2611340' → '#W2611340'; '' → '#'.

    The one normaliser (the services, the dialogue's parser and the transcript indexer used
    three that disagreed on spaces and repeated '#'); it never validates: see ``ORDER_ID``.
    """
    return "#" + (raw or "").strip().lstrip("#").strip().upper()


def find_order_ids(text: str | None) -> list[str]:
    """Every order id written in the text, normalised, in order, without repeats (the one
    finder: the dialogue's parser, the answer service, its grounding check and the console)."""
    found = (normalise_order_id(m.group(1)) for m in ORDER_ID_IN_TEXT.finditer(text or ""))
    return list(dict.fromkeys(found))


def is_order_id(raw: str | None) -> bool:
    """Does this look like an order number once normalised?"""
    return bool(ORDER_ID.match(normalise_order_id(raw)))


# The digits an example order number shows, whatever the shop's own digits are.
_EXAMPLE_DIGITS = "1234567890"


def example_order_id(sample: str | None) -> str:
    """An order number in the shop's own format for the bot to show as an example: ``sample``
    (one of the shop's stored order ids) with its digits replaced ('#S1000029' → '#S1234567'),
    so no real order number is ever shown; without a sample, the stored shape (``ORDER_ID``)."""
    shape = normalise_order_id(sample) if sample and sample.strip() else "#A0000000"
    digits = iter(_EXAMPLE_DIGITS * (len(shape) // len(_EXAMPLE_DIGITS) + 1))
    return "".join(next(digits) if c.isdigit() else c for c in shape)
