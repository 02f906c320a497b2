"""Chinese answers to form questions reach the English parsers as the shop's own words."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from bot.dialogue import chinese, items

TSHIRT = items.Item("v1", "p1", "T-Shirt", {"color": "red", "size": "M"}, Decimal(20))
OTHERS = [
    items.Item("v2", "p1", "T-Shirt", {"color": "blue", "size": "M"}, Decimal(20)),
    items.Item("v3", "p1", "T-Shirt", {"color": "blue", "size": "L"}, Decimal(22)),
    items.Item("v4", "p1", "T-Shirt", {"color": "red", "size": "L"}, Decimal(18)),
]


@pytest.mark.parametrize(
    ("text", "table", "expected"),
    [
        ("换成蓝色的", chinese.OPTION_WORDS, "换成 blue 的"),
        ("深空灰", chinese.OPTION_WORDS, " space gray "),
        ("全部都退", chinese.OPTION_WORDS, " all 都退"),
        ("退到礼品卡", chinese.PAYMENT_WORDS, "退到 gift card "),
        ("拍错了", chinese.REASON_WORDS, " ordered by mistake 了"),
        ("the blue one", chinese.OPTION_WORDS, "the blue one"),  # English is left alone
    ],
)
def test_phrases_become_the_shops_words(text: str, table: Mapping[str, str], expected: str) -> None:
    assert chinese.in_english(text, table) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("换成蓝色的，L码", ["v3"]),
        ("蓝色", ["v2"]),  # the size stays as it is
        ("大一号", ["v4"]),
        ("最便宜的", ["v4"]),
    ],
)
def test_a_new_version_described_in_chinese(said: str, expected: list[str]) -> None:
    universe = items.universe_of([TSHIRT, *OTHERS])
    text = chinese.in_english(said, chinese.OPTION_WORDS)
    assert items.choose_variant([text], TSHIRT, OTHERS, universe).ids == expected


def test_option_words_share_the_catalogs_colour_and_material_words() -> None:
    """One vocabulary: every Chinese colour and material search knows is an option answer."""
    from bot.catalog.filters import CHINESE_MATERIALS, chinese_colour_names
    from bot.dialogue.chinese import OPTION_WORDS, in_english

    for table in (chinese_colour_names(), CHINESE_MATERIALS):
        assert all(OPTION_WORDS[word] == value for word, value in table.items())
    assert in_english("换成酒红的", OPTION_WORDS).split() == ["换成", "burgundy", "的"]
    assert "brown" not in in_english("咖啡机那件", OPTION_WORDS)  # coffee, not a colour


def test_a_way_to_pay_the_answers_know_is_a_payment_word_for_the_intent_check() -> None:
    """One list (bot/dialogue/payment_words.py): "用储蓄卡付" was a payment change for the
    intent check and no way to pay for the payment answer."""
    from bot.dialogue import payment_words
    from bot.dialogue.intent_evidence import reranked

    ranking = [
        {"name": "change_payment_method", "confidence": 0.6},
        {"name": "change_order", "confidence": 0.4},
    ]
    for word, english in payment_words.METHODS.items():
        assert chinese.in_english(f"改用{word}付", chinese.PAYMENT_WORDS).split() == [
            "改用",
            *english.split(),
            "付",
        ]
        assert reranked(f"改用{word}付", ranking, []) is None, word  # the payment change stands
    found = reranked("换成蓝色的", ranking, [])  # no way to pay: not a payment change
    assert found is not None and found[0]["name"] == "change_order"


def _line(variant: str, product: str, name: str, **options: str) -> items.Item:
    return items.Item(variant, product, name, options, Decimal(10))


# τ task 0's order: the shopper writes the products' Chinese names.
ORDER = [
    _line("h1", "headphones", "Headphones", type="over-ear", color="blue"),
    _line("v1", "vacuum", "Vacuum Cleaner", type="robotic"),
    _line("k1", "keyboard", "Mechanical Keyboard", **{"switch type": "linear"}),
    _line("t1", "thermostat", "Smart Thermostat", color="black"),
    _line("w1", "watch", "Smart Watch", color="gold"),
]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("机械键盘", ["k1"]),
        ("键盘", ["k1"]),  # the head noun is enough
        ("那个耳机", ["h1"]),  # 耳机 is headphones or earbuds: the order has headphones
        ("扫地机器人和恒温器", ["v1", "t1"]),
        ("智能手表", ["w1"]),
    ],
)
def test_items_named_in_chinese(said: str, expected: list[str]) -> None:
    text = chinese.in_english(said, chinese.ITEM_WORDS)
    universes = {line.product_id: items.universe_of([line]) for line in ORDER}
    assert items.match_items(text, ORDER, universes).ids == expected


def test_the_item_of_a_chinese_swap_request_and_a_correction() -> None:
    request = chinese.in_english("订单 #W2378156 的机械键盘想换成 clicky 的", chinese.ITEM_WORDS)
    assert items.swapped_items(request, ORDER) == ["k1"]
    said = chinese.in_english("是恒温器，不是键盘", chinese.ITEM_WORDS)
    assert [i.id for i in items.named_lines(items.without_negated(said), ORDER)] == ["t1"]
