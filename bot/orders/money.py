"""Money in one place: amounts are Decimals with two places, shown in the shop's currency.

Every module that rounds or prints an amount (order plans, replies, grounded answers, data
loaders) uses these two functions, so a price reads the same wherever the shopper sees it;
the formatting itself (symbol, separators by locale) is ``bot.texts.money``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot import texts

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | float | str) -> Decimal:
    """An amount as a Decimal with two places; floats go through ``str`` so 0.1 stays 0.10."""
    return Decimal(str(value)).quantize(CENT)


def amount_in(text: object) -> Decimal | None:
    """The first amount written in a text ("under $1,200" -> 1200.00), or None."""
    match = re.search(r"\d+(?:\.\d{1,2})?", str(text or "").replace(",", ""))
    return money(match.group(0)) if match else None


def usd(value: Decimal | int | float | str, locale: str | None = None) -> str:
    """'$1,234.50' (US dollars, in the conversation's locale unless one is given)."""
    return texts.money(money(value), "USD", locale)


def plain(value: Decimal | int | float | str) -> str:
    """'1234.50': an amount in the widget's payloads (docs/widget.md), which format it."""
    return str(money(value))
