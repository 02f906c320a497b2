"""The entity sanity rules (rasa_addons/entity_rules.py) on hand-made extractor output.

The model-level figures are in test_entity_extraction.py; these pin each rule down without a
trained model: closed forms only where their regex matches, non-names dropped, one overlap
rule, normalised values.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.chinese import ENTITY_WORDS
from bot.dialogue.parsing import extract_zips
from bot.nlu.data import load_nlu
from bot.orders.ids import normalise_order_id
from rasa_addons.entity_rules import EntityRules, Vocabulary, name_key
from tests.nlu.conftest import NLU_DIR


@pytest.fixture(scope="module")
def rules() -> EntityRules:
    """The vocabulary EntitySanity would build from the committed training data."""
    nlu = load_nlu(NLU_DIR)
    vocabulary = Vocabulary(
        patterns={k: nlu.regexes[k] for k in ("order_id", "email", "zip")},
        synonyms={t.lower(): v for v, texts in nlu.synonyms.items() for t in texts},
        chinese_values={k: dict(v) for k, v in ENTITY_WORDS.items()},
    )
    for table in ("product", "color", "material", "place", "non_name"):
        vocabulary.add_non_names(nlu.lookups[table])
    vocabulary.add_name_parts(nlu.lookups["product"])
    vocabulary.name_stop_words.update(nlu.lookups["non_name_word"])
    vocabulary.add_non_names([*vocabulary.synonyms, *vocabulary.synonyms.values()])
    return EntityRules(vocabulary)


def entity(text: str, kind: str, part: str, extractor: str = "CRFEntityExtractor", **extra: Any):
    start = text.index(part)
    return {
        "entity": kind,
        "start": start,
        "end": start + len(part),
        "value": part,
        "extractor": extractor,
        **extra,
    }


def kinds(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity"], str(e["value"])) for e in found]


def test_a_zip_cut_from_an_order_number_is_dropped(rules: EntityRules) -> None:
    text = "order S1000200 please"
    crf_zip = {**entity(text, "zip", "10002"), "value": "10002"}
    found = rules.clean(
        text, [crf_zip, entity(text, "order_id", "S1000200", "RegexEntityExtractor")]
    )
    assert kinds(found) == [("order_id", "#S1000200")]


@pytest.mark.parametrize(
    "text, number",
    [("item 1000200300 is broken", "10002"), ("call 555-10002", "10002"), ("SB-V100020", "10002")],
)
def test_a_zip_inside_a_longer_number_is_dropped(
    rules: EntityRules, text: str, number: str
) -> None:
    assert rules.clean(text, [entity(text, "zip", number)]) == []
    assert extract_zips(text) == []  # the dialogue's own parser agrees


def test_a_standalone_zip_is_kept_with_its_whole_span(rules: EntityRules) -> None:
    text = "I am Theo Brooks, zip 92145, where is my order?"
    partial = {**entity(text, "zip", "9214"), "value": "9214"}  # a CRF span one digit short
    found = rules.clean(text, [partial, entity(text, "person_name", "Theo Brooks")])
    assert kinds(found) == [("person_name", "Theo Brooks"), ("zip", "92145")]


@pytest.mark.parametrize(
    "name",
    [
        "Northpeak Nova",
        "Northpeak",
        "San Francisco",
        "Google Assistant",
        "Mastercard",
        "Texas",
        "my card",
        "Room 101",
        "me@x.com",
        "hi Sam",
        "my order",
        "Nike",
    ],
)
def test_non_names_are_never_person_names(rules: EntityRules, name: str) -> None:
    text = f"hi {name} thanks"
    assert rules.clean(text, [entity(text, "person_name", name)]) == []


@pytest.mark.parametrize("name", ["Theo Brooks", "Noah Brown", "Grace Okafor", "Madison Lee"])
def test_real_names_stay(rules: EntityRules, name: str) -> None:
    text = f"I'm {name}"
    assert kinds(rules.clean(text, [entity(text, "person_name", name)])) == [("person_name", name)]


def test_a_name_inside_a_postal_address_is_a_street(rules: EntityRules) -> None:
    text = "I need my order shipped to 500 Market Street, San Francisco, CA 94105"
    assert rules.clean(text, [entity(text, "person_name", "Market Street")]) == []
    # the shopper's own name before the address stays
    text = "I'm Theo Brooks, please ship to 12 Oak Street, Austin, TX 78701"
    found = rules.clean(
        text,
        [entity(text, "person_name", "Theo Brooks"), entity(text, "person_name", "Oak Street")],
    )
    assert kinds(found) == [("person_name", "Theo Brooks")]


def test_overlaps_closed_form_first_then_longer_span(rules: EntityRules) -> None:
    text = "is the northpeak nova rain jacket in blue"
    short = entity(text, "person_name", "northpeak nova", confidence_entity=0.99)
    long = entity(text, "product", "northpeak nova rain jacket", confidence_entity=0.6)
    colour = entity(text, "color", "blue")
    found = rules.clean(text, [colour, short, long])
    assert kinds(found) == [("product", "northpeak nova rain jacket"), ("color", "blue")]
    text = "my zip 10001 and 3 shirts"
    clash = [entity(text, "quantity", "10001"), entity(text, "zip", "10001")]
    assert kinds(rules.clean(text, clash)) == [("zip", "10001")]


def test_the_same_entity_from_two_extractors_is_kept_twice(rules: EntityRules) -> None:
    text = "where is #w2611340"
    both = [entity(text, "order_id", "w2611340"), entity(text, "order_id", "#w2611340", "Regex")]
    found = rules.clean(text, both)
    assert kinds(found) == [("order_id", "#W2611340")] * 2
    assert {(e["start"], e["end"]) for e in found} == {(text.index("w2"), len(text))}


def test_ids_glued_to_chinese_text_are_kept(rules: EntityRules) -> None:
    """Chinese is written without spaces: "订单S1000077现在" must keep its order id."""
    text = "订单S1000077现在什么状态"
    found = rules.clean(text, [entity(text, "order_id", "S1000077", "Regex")])
    assert kinds(found) == [("order_id", "#S1000077")]
    text = "订单号S10000771"  # an 8-digit number is still no order id
    assert rules.clean(text, [entity(text, "order_id", "S1000077")]) == []


def test_values_are_normalised(rules: EntityRules) -> None:
    text = "pay with pay pal, I bought it by accident"
    found = rules.clean(
        text,
        [
            entity(text, "payment_method", "pay pal"),
            entity(text, "cancel_reason", "bought it by accident", "RegexEntityExtractor"),
        ],
    )
    assert kinds(found) == [("payment_method", "paypal"), ("cancel_reason", "ordered by mistake")]
    assert normalise_order_id(" s1000001 ") == "#S1000001"  # the rule's own normaliser


def test_a_zip_glued_to_chinese_text_is_kept(rules: EntityRules) -> None:
    """邮编10001: Chinese characters are no word around a ZIP (the regex and the rule)."""
    for text in ("邮编10001", "我的邮编是10001，名字王芳", "寄到纽约，邮编：10001的那个地址"):
        found = rules.clean(text, [entity(text, "zip", "10001")])
        assert kinds(found) == [("zip", "10001")], text


def test_digits_of_order_numbers_and_longer_numbers_are_no_chinese_zip(rules: EntityRules) -> None:
    for text, digits in (("订单S1000200到哪了", "10002"), ("电话13800138000", "13800")):
        assert rules.clean(text, [entity(text, "zip", digits)]) == [], text


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("color", "蓝色", "blue"),
        ("color", "深蓝色", "navy"),
        ("size", "大号", "large"),
        ("size", "加大号", "xl"),
        ("material", "纯棉", "cotton"),
        ("payment_method", "礼品卡", "gift card"),
        ("payment_method", "尾号4242的信用卡", "credit card"),
        ("cancel_reason", "下错单了", "ordered by mistake"),
        ("cancel_reason", "买重复了", "ordered by mistake"),
        ("cancel_reason", "不想要了", "no longer needed"),
        ("cancel_reason", "在别家买了", "在别家买了"),  # no policy reason: as typed
        ("payment_method", "支付宝", "支付宝"),  # not one the shop takes: as typed
        ("size", "M", "M"),
        ("product", "蓝牙耳机", "蓝牙耳机"),  # only the mapped entities
    ],
)
def test_chinese_values_get_the_dialogues_english_value(
    rules: EntityRules, kind: str, value: str, expected: str
) -> None:
    text = f"就要{value}吧"
    assert kinds(rules.clean(text, [entity(text, kind, value)])) == [(kind, expected)]


def test_entities_without_spans_are_checked_by_value(rules: EntityRules) -> None:
    assert kinds(rules.clean("hello", [{"entity": "zip", "value": "10001"}])) == []
    assert kinds(rules.clean("", [{"entity": "order_id", "value": "s1000001"}])) == [
        ("order_id", "#S1000001")
    ]


def test_name_key() -> None:
    assert name_key("  Ampere & Oak,  Rook! ") == "ampere & oak rook"


@pytest.mark.parametrize(
    "text, number",
    [
        ("anything under $80", "80"),
        ("size 10 please", "10"),
        ("within 30 days", "30"),
        ("I'd give it 5 stars", "5"),
        ("the 500 ml bottle", "500"),
        ("around 20 dollars", "20"),
        ("about 15%", "15"),
    ],
)
def test_money_sizes_times_and_measures_are_no_quantity(
    rules: EntityRules, text: str, number: str
) -> None:
    assert rules.clean(text, [entity(text, "quantity", number)]) == []


@pytest.mark.parametrize(
    "text, number", [("I need 2 notebooks", "2"), ("two of them", "two"), ("3", "3")]
)
def test_counts_stay_quantities(rules: EntityRules, text: str, number: str) -> None:
    assert kinds(rules.clean(text, [entity(text, "quantity", number)])) == [("quantity", number)]


def test_a_count_before_in_stock_stays(rules: EntityRules) -> None:
    text = "do you have 2 in stock"
    assert kinds(rules.clean(text, [entity(text, "quantity", "2")])) == [("quantity", "2")]
