"""Profiles from orders, conversations and session memory; erasure; explainable picks."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

from bot.console.demo import Script, write_script
from bot.db import models as m
from bot.db.events import EVENTS
from bot.db.session import Database
from bot.insights.models import ProfileFact
from bot.insights.profiles import allow_profile, build_profile, erase_profile, load_profile
from bot.insights.recommend import recommend
from bot.memory.state import SessionState

TRAIL = "tess_trail_1001"  # bought trail shoes, size 44, Fernfoot
CASUAL = "cleo_casual_1002"  # bought a T-shirt, size S, Harbor Lane


def add_customer(db: Database, cid: str, order_id: str, variant_id: str) -> None:
    with db.transaction() as s:
        variant = s.get(m.Variant, variant_id)
        product = s.get(m.Product, variant.product_id)
        s.add(
            m.Customer(
                id=cid,
                first_name=cid.split("_")[0],
                last_name="Test",
                email=f"{cid}@example.com",
                zip="10001",
            )
        )
        s.flush()
        order = m.Order(id=order_id, customer_id=cid, status="delivered")
        order.lines.append(
            m.OrderLine(
                product_id=product.id,
                variant_id=variant.id,
                name=product.name,
                options=dict(variant.options),
                price=variant.price,
            )
        )
        s.add(order)


@pytest.fixture
def two_customers(shop: Database) -> Database:
    add_customer(shop, TRAIL, "#S9000001", "SB-V000107")  # Fernfoot trail shoe, red, 44
    add_customer(shop, CASUAL, "#S9000002", "SB-V007202")  # Harbor Lane T-shirt, orange, S
    return shop


def test_order_history_profile_has_evidence(two_customers: Database) -> None:
    profile = build_profile(two_customers, TRAIL)
    size = profile.top("size", "Footwear")
    assert size is not None and size.value == "44"
    assert size.evidence[0].source == "order" and size.evidence[0].ref == "#S9000001"
    assert "Fernfoot Harbor Trail Running Shoe" in size.evidence[0].excerpt
    assert profile.top("brand").value == "Fernfoot"
    assert profile.top("category").value == "Footwear"
    # Sizes are per category: the shoe size says nothing about T-shirts.
    assert profile.top("size", "Casual Clothing") is None


def test_two_customers_get_different_explainable_recommendations(two_customers) -> None:
    trail = recommend(two_customers, TRAIL, None, limit=3)
    casual = recommend(two_customers, CASUAL, None, limit=3)
    assert len(trail) == 3 and len(casual) == 3
    assert {r.product.category for r in trail} == {"Footwear"}
    assert {r.product.category for r in casual} == {"Casual Clothing"}
    assert not {r.product.product_id for r in trail} & {r.product.product_id for r in casual}
    for rec in trail:
        assert "size 44 in Footwear before (order #S9000001)" in rec.reason
        assert any(v.in_stock and v.options.get("size") == "44" for v in rec.product.variants)
        assert rec.product.product_id != "SB-P0001"  # already bought
    for rec in casual:
        assert "size S in Casual Clothing before (order #S9000002)" in rec.reason


def test_session_memory_steers_an_anonymous_shopper(shop: Database) -> None:
    memory = SessionState("anon-1")
    memory.set_preferences({"category": "footwear", "size": "42", "budget": "90"})
    picks = recommend(shop, None, memory, limit=3)
    assert picks
    for rec in picks:
        assert rec.product.category == "Footwear"
        assert "size 42, the size you told me earlier" in rec.reason
        assert "within your $90.00 budget" in rec.reason
        assert min(v.price for v in rec.product.variants if v.in_stock) <= Decimal("90")
    assert recommend(shop, None, None, limit=3, query="recommend me something") == []


def test_conversation_and_memory_evidence(two_customers: Database) -> None:
    write_script(
        two_customers,
        Script("conv-tess", 1_790_000_000.0)
        .user("hi, I'm tess_trail_1001@example.com", "inform")
        .slot("customer_id", TRAIL)
        .user("I want blue trail shoes in size 45 under $150", "search_product")
        .bot("Here are some."),
    )
    with two_customers.session() as s:
        rows = s.execute(select(EVENTS.c.id, EVENTS.c.data)).all()
    said = next(r.id for r in rows if "size 45" in (r.data or ""))
    memory = SessionState("conv-tess", customer_id=TRAIL)
    memory.set_preferences({"brand": "Trailmark"})
    profile = build_profile(two_customers, TRAIL, memories=[memory])
    size45 = [p for p in profile.of("size") if p.value == "45"]
    assert size45 and size45[0].evidence[0].source == "message"
    assert size45[0].evidence[0].ref == str(said)
    assert "size 45" in size45[0].evidence[0].excerpt
    assert {p.value for p in profile.of("colour")} >= {"blue", "red"}
    assert any(p.value == "150.00" for p in profile.of("budget"))
    brand = [p for p in profile.of("brand") if p.value.lower() == "trailmark"]
    assert brand and brand[0].evidence[0].source == "memory"
    # The first message carried an email address: it never lands in a profile.
    with two_customers.session() as s:
        excerpts = list(s.scalars(select(ProfileFact.excerpt)))
    assert not any("@example.com" in e for e in excerpts)


def test_erase_on_request_sticks_until_allowed(two_customers: Database) -> None:
    build_profile(two_customers, TRAIL)
    assert erase_profile(two_customers, TRAIL) > 0
    erased = load_profile(two_customers, TRAIL)
    assert erased.erased and erased.is_empty()
    assert build_profile(two_customers, TRAIL).is_empty()  # a rebuild does not undo it
    assert recommend(two_customers, TRAIL, None, limit=3) == []
    allow_profile(two_customers, TRAIL)
    assert not build_profile(two_customers, TRAIL).is_empty()
    with pytest.raises(LookupError):
        build_profile(two_customers, "nobody_0000")


def test_profile_cli(two_customers: Database) -> None:
    from bot.cli.profile import app

    runner = CliRunner()
    built = runner.invoke(app, ["build", TRAIL])
    assert built.exit_code == 0 and "preferences (built)" in built.output
    shown = runner.invoke(app, ["show", TRAIL, "--json"])
    assert shown.exit_code == 0 and '"#S9000001"' in shown.output
    assert runner.invoke(app, ["build", "nobody_0000"]).exit_code == 1
    erased = runner.invoke(app, ["erase", TRAIL, "--yes"])
    assert erased.exit_code == 0
    assert "erased on request" in runner.invoke(app, ["show", TRAIL]).output


def _message_facts(db: Database, customer: str, sender: str, lines: list[str]) -> set:
    script = Script(sender, 1_790_000_100.0).user("hi", "greet").slot("customer_id", customer)
    for line in lines:
        script = script.user(line, "search_product").bot("…")
    write_script(db, script)
    profile = build_profile(db, customer)
    return {
        (p.kind, p.value, p.category)
        for p in profile.preferences
        if any(e.source == "message" and e.ref != "" for e in p.evidence)
    }


@pytest.fixture
def own_events(two_customers: Database) -> Iterator[Database]:
    """Rasa's events table is outside the shared reset: leave no conversation behind (a later
    test's recommendations would read it)."""
    yield two_customers
    with two_customers.engine.begin() as conn:
        conn.execute(delete(EVENTS))


def test_chinese_messages_give_the_same_normalised_facts_as_english(
    own_events: Database,
) -> None:
    two_customers = own_events
    english = _message_facts(
        two_customers,
        TRAIL,
        "conv-en",
        ["I want blue shoes in size 45 under $150", "cotton please, something by Fernfoot"],
    )
    chinese = _message_facts(
        two_customers,
        CASUAL,
        "conv-zh",
        ["我想要蓝色的鞋子，45码，不超过150元", "最好是纯棉的，Fernfoot家的"],
    )
    assert chinese == english
    kinds = {kind: value for kind, value, _ in chinese}
    assert kinds["colour"] == "blue" and kinds["size"] == "45" and kinds["budget"] == "150.00"
    assert kinds["material"] == "cotton" and kinds["brand"] == "Fernfoot"
    # the evidence quotes the shopper's own Chinese words
    profile = load_profile(two_customers, CASUAL)
    (size,) = [p for p in profile.of("size") if p.value == "45"]
    assert "45码" in size.evidence[0].excerpt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黑色的M码", {"colour": "black", "size": "M"}),
        ("大号，500元以内", {"size": "L", "max_price": "500.00"}),
        ("预算不超过300块", {"max_price": "300.00"}),
        ("藏青色的羊毛外套", {"colour": "navy", "material": "wool"}),
        (
            "100到200元的背包",
            {"min_price": "100.00", "max_price": "200.00", "category": "backpack"},
        ),
        ("我明白了，麻烦你了", {}),  # 白 in 明白 and 麻 in 麻烦 are not a colour or linen
        ("买了两件，订单号S1000029", {}),  # a count and an order number are neither
    ],
)
def test_chinese_filter_words(text: str, expected: dict[str, str]) -> None:
    from bot.catalog.filters import parse_filters

    found = {k: v for k, v in parse_filters(text).as_dict().items() if v not in (None, False)}
    assert found == expected
