"""Order numbers as the shop stores them (``#W1234567``), from whatever a shopper typed."""

from __future__ import annotations

import re

# A stored order id: '#', one letter, seven digits.
ORDER_ID = re.compile(r"^#[A-Z]\d{7}$")


def normalise_order_id(raw: str | None) -> str:
    """'w2611340', ' #w2611340 ', '##W2611340' → '#W2611340'; '' → '#'.

    The one normaliser (the services, the dialogue's parser and the transcript indexer used
    three that disagreed on spaces and repeated '#'); it never validates: see ``ORDER_ID``.
    """
    return "#" + (raw or "").strip().lstrip("#").strip().upper()


def is_order_id(raw: str | None) -> bool:
    """Does this look like an order number once normalised?"""
    return bool(ORDER_ID.match(normalise_order_id(raw)))
