"""Parsing price ranges, sizes, colours, materials, categories and stock from messages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog.filters import LETTER_SIZES, parse_filters


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("something for a rainy hike under $120", None, "120.00"),
        ("between 50 and 80 dollars please", "50.00", "80.00"),
        ("anything cheaper than 30?", None, "30.00"),
        ("a kettle from $80 to $50", "50.00", "80.00"),
        ("$20-$35 gift", "20.00", "35.00"),
        ("over $100 is fine", "100.00", None),
        ("budget of 45.50", None, "45.50"),
        ("no more than 60 bucks", None, "60.00"),
        ("trail shoes", None, None),
    ],
)
def test_price_ranges(text: str, low: str | None, high: str | None) -> None:
    f = parse_filters(text)
    assert f.min_price == (Decimal(low) if low else None)
    assert f.max_price == (Decimal(high) if high else None)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("is the red trail shoe waterproof and does it come in 44?", "44"),
        ("size 44.5 please", "44.5"),
        ("EU 42 hiking boots", "42"),
        ("a hoodie in XL", "XL"),
        ("size medium", "M"),
        ("do you have it in a large", "L"),
        ("size s", "S"),
        ("2 person tent", None),
        ("boots under 44 dollars", None),
        ("a large backpack", None),
        ("jeans size 32", "32"),
    ],
)
def test_sizes(text: str, size: str | None) -> None:
    assert parse_filters(text).size == size


def test_colour_material_category_and_stock() -> None:
    f = parse_filters("Grey merino sweater, in stock, for my shoes collection")
    assert f.colour == "gray"
    assert f.material == "merino"
    assert f.category == "footwear"
    assert f.in_stock
    assert parse_filters("available now?").in_stock
    assert not parse_filters("is it available in blue").in_stock
    assert parse_filters("a red jacket").colour == "red"
    assert parse_filters("a jacket").colour is None
    described = parse_filters("red shoes in 44 under $120, in stock").describe()
    assert described == ["up to $120.00", "colour red", "size 44", "category footwear", "in stock"]


def test_memory_fills_gaps_and_message_wins() -> None:
    memory = {"size": "m", "colour": "blue", "budget": "$80", "brand": "Northpeak"}
    f = parse_filters("a rain jacket", memory_prefs=memory)
    assert (f.size, f.colour, f.max_price, f.brand) == ("M", "blue", Decimal("80.00"), "Northpeak")
    assert f.sources["size"] == "memory"
    g = parse_filters("a red rain jacket under $150 in XL", memory_prefs=memory)
    assert (g.size, g.colour, g.max_price) == ("XL", "red", Decimal("150.00"))
    assert g.sources["colour"] == "message"


PRICE_PHRASES = [
    "under ${}",
    "below {} dollars",
    "cheaper than {}",
    "less than ${}",
    "up to {} usd",
]


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(min_value=100, max_value=99_999_99),
    phrase=st.sampled_from(PRICE_PHRASES),
    before=st.sampled_from(["", "a tent ", "show me boots "]),
)
def test_price_ceiling_property(cents: int, phrase: str, before: str) -> None:
    amount = Decimal(cents) / 100
    f = parse_filters(before + phrase.format(f"{amount:.2f}"))
    assert f.max_price == amount
    assert f.min_price is None
    assert f.size is None  # a price is never read as a size


@settings(max_examples=200, deadline=None)
@given(a=st.integers(min_value=1, max_value=5000), b=st.integers(min_value=1, max_value=5000))
def test_between_is_ordered_property(a: int, b: int) -> None:
    f = parse_filters(f"between {a} and {b} dollars")
    assert f.min_price == Decimal(min(a, b)) and f.max_price == Decimal(max(a, b))


@settings(max_examples=100, deadline=None)
@given(
    size=st.one_of(
        st.integers(min_value=35, max_value=49).map(str),
        st.sampled_from(LETTER_SIZES),
    ),
    template=st.sampled_from(["size {}", "Size {} please", "do you have it in size {}?"]),
)
def test_explicit_size_property(size: str, template: str) -> None:
    assert parse_filters(template.format(size)).size == size.upper()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_breaks_the_parser(text: str) -> None:
    f = parse_filters(text)
    for price in (f.min_price, f.max_price):
        assert price is None or price >= 0
    assert isinstance(f.describe(), list)
