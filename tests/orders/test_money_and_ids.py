"""The one money helper and the one order-id normaliser (issue 15 item 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.dialogue.parsing import extract_order_id
from bot.orders.ids import is_order_id, normalise_order_id
from bot.orders.money import money, usd


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("w2611340", "#W2611340"),  # what the parser hands over (no '#')
        ("#W2611340", "#W2611340"),
        (" #w2611340 ", "#W2611340"),  # the services strip what the shopper typed
        ("##W2611340", "#W2611340"),  # the transcript indexer saw doubled '#'
        ("# w2611340", "#W2611340"),
        ("", "#"),
        (None, "#"),
    ],
)
def test_normalise_order_id(raw: str | None, expected: str) -> None:
    assert normalise_order_id(raw) == expected


def test_is_order_id_and_the_parser_agree() -> None:
    assert is_order_id("w2611340") and is_order_id("#S1000001")
    assert not is_order_id("W261134") and not is_order_id("12345678")
    assert extract_order_id("where is #w2611340?") == "#W2611340"


@pytest.mark.parametrize(
    ("value", "amount", "words"),
    [
        (Decimal("35"), Decimal("35.00"), "$35.00"),
        (0.1, Decimal("0.10"), "$0.10"),  # floats go through str: no binary noise
        ("1234.5", Decimal("1234.50"), "$1,234.50"),
        (2, Decimal("2.00"), "$2.00"),
    ],
)
def test_money_and_usd(value: object, amount: Decimal, words: str) -> None:
    assert money(value) == amount  # type: ignore[arg-type]
    assert usd(value) == words  # type: ignore[arg-type]
