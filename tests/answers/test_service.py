"""The template answers a shop can run on, retrieval with memory, orders of the shopper only."""

from __future__ import annotations

from bot.memory.base import InProcessSessionMemory

ALICE = "alice_smith_1234"


async def test_yes_no_attribute_and_size(shop, make_service) -> None:
    svc = make_service(shop)
    a = await svc.answer(
        "is the red trail runner waterproof and does it come in 44?", sender_id="a"
    )
    assert a.kind == "yes_no"
    assert "Ridge Trail Runner" in a.text
    assert "out of stock" in a.text  # red 44 has no stock
    assert "black, size 44 at $124.00" in a.text  # the in-stock alternative
    assert "waterproof" in a.text and "Yes" in a.text
    assert a.cards and a.cards[0]["id"] == "SB-P0001"
    card = a.cards[0]
    assert card == {
        "id": "SB-P0001",
        "name": "Ridge Trail Runner",
        "price": "119.00",
        "currency": "USD",
        "available": True,
        "url": "/products/SB-P0001",
        "image": "/img/products/SB-P0001.svg",
        "brand": "Northpeak",
        "summary": card["summary"],
    }


async def test_negative_attribute_answer(sqlite_shop, make_service) -> None:
    a = await make_service(sqlite_shop).answer(
        "is the city canvas sneaker waterproof?", sender_id="b"
    )
    assert a.text.count("No") >= 1 and "City Canvas Sneaker" in a.text


async def test_recommendation_under_budget_lists_prices(sqlite_shop, make_service) -> None:
    a = await make_service(sqlite_shop).answer(
        "something for a rainy hike under $120", sender_id="c"
    )
    assert a.kind == "recommend"
    assert "$109.00" in a.text  # the yellow jacket fits the budget
    assert "$149.00" not in a.text and "$289.00" not in a.text
    assert "Summit Down Parka" not in a.text
    assert {c["id"] for c in a.cards} >= {"SB-P0003"}


async def test_policy_question_quotes_the_passage(shop, make_service) -> None:
    a = await make_service(shop).answer("what is your return policy?", sender_id="d")
    assert a.kind == "policy"
    assert "within 30 days of delivery" in a.text
    assert any(f["kind"] == "policy" and f["id"] == "returns-window" for f in a.facts)
    assert a.cards == []


async def test_honest_when_facts_do_not_cover_it(sqlite_shop, make_service) -> None:
    a = await make_service(sqlite_shop).answer("do you sell bicycles?", sender_id="e")
    assert "couldn't find" in a.text
    assert a.cards == [] and a.facts == []


async def test_it_resolves_to_the_last_viewed_product(sqlite_shop, make_service) -> None:
    memory = InProcessSessionMemory()
    svc = make_service(sqlite_shop, memory=memory)
    first = await svc.answer("tell me about the stormshell rain jacket", sender_id="f")
    assert "Stormshell Rain Jacket" in first.text
    assert memory.load("f").last_product_id == "SB-P0003"
    follow = await svc.answer("do you have it in blue?", sender_id="f")
    assert "Stormshell Rain Jacket" in follow.text
    assert "Yes" in follow.text and "$149.00" in follow.text
    other = await svc.answer("do you have it in blue?", sender_id="someone-else")
    assert "Stormshell" not in other.text  # memory is per shopper
    assert "Which product do you mean?" in other.text


async def test_orders_only_of_the_identified_shopper(shop, make_service) -> None:
    svc = make_service(shop)
    mine = await svc.answer("where is my order?", sender_id="g", customer_id=ALICE)
    assert "#S1000001" in mine.text and "#S1000002" in mine.text
    assert "#S1000003" not in mine.text  # Bob's order
    assert all(f["id"] != "#S1000003" for f in mine.facts)
    theirs = await svc.answer("what's the status of #S1000003?", sender_id="g", customer_id=ALICE)
    assert "#S1000003" not in " ".join(f["text"] for f in theirs.facts)
    assert "couldn't find that order" in theirs.text
    anonymous = await svc.answer("where is my order?", sender_id="h")
    assert anonymous.facts == [] and "email" in anonymous.text


async def test_preferences_and_turns_are_remembered(sqlite_shop, make_service) -> None:
    memory = InProcessSessionMemory()
    svc = make_service(sqlite_shop, memory=memory)
    await svc.answer("I need a rain jacket under $150 in size M", sender_id="m", customer_id=ALICE)
    state = memory.load("m")
    assert state.preferences["budget"] == "150.00"
    assert state.preferences["size"] == "M"
    assert state.customer_id == ALICE
    assert state.turns[0]["role"] == "user" and "rain jacket" in state.turns[0]["text"]
    assert "SB-P0003" in state.viewed


async def test_metadata_records_facts_and_grounding(sqlite_shop, make_service) -> None:
    a = await make_service(sqlite_shop).answer("tell me about the summit down parka", sender_id="x")
    meta = a.metadata()["answer"]
    assert meta["grounded"] is True and meta["backend"] == "template"
    assert meta["facts"][0]["ref"] == "F1" and "Summit Down Parka" in meta["facts"][0]["text"]
    assert set(meta["timings"]) >= {"retrieval_ms", "prompt_ms", "generation_ms", "check_ms"}


async def test_a_named_product_gets_its_own_overview(sqlite_shop, make_service) -> None:
    a = await make_service(sqlite_shop).answer(
        "tell me about the Stormshell Rain Jacket", sender_id="n"
    )
    assert a.text.startswith("**Stormshell Rain Jacket** by Northpeak — $109.00–$149.00")
    assert "Colours: blue, yellow" in a.text and "Sizes: M, L" in a.text
    assert [c["id"] for c in a.cards] == ["SB-P0003"]


def test_long_policy_passages_are_quoted_by_their_relevant_sentences() -> None:
    from bot.answers.compose import _quote

    body = (
        "Our warehouse is in Ohio. " * 10
        + "You can return items within 30 days of delivery. "
        + "Labels are emailed. " * 10
    )
    quote = _quote(body, "how many days do I have to return an item?")
    assert "within 30 days" in quote and len(quote) < len(body)
