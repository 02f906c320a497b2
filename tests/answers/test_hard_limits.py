"""Lists respect what the shopper asked for: the kind of product, the price, properties.

Seen in a walkthrough (issue 16): "Rain jacket under $150, blue, size M" listed a down jacket,
fleeces and a hoodie; "anything waterproof?" listed products whose data says waterproof: false.
"""

from __future__ import annotations

import re

import pytest

from bot.answers.compose import feature_verdict
from bot.answers.facts import load_product_facts
from bot.answers.service import AnswerService
from bot.db import models as m
from bot.db.session import Database

pytestmark = pytest.mark.slow


def _listed_ids(answer) -> list[str]:
    return [c["id"] for c in answer.cards]


def _facts(db: Database, ids: list[str]):
    from bot.answers.facts import FactNumberer

    return load_product_facts(db, ids, FactNumberer())


async def test_a_price_limit_is_not_answered_with_another_kind_of_product(
    demo_shop, make_service
) -> None:
    svc: AnswerService = make_service(demo_shop)
    for question in (
        "Rain jacket under $150, blue, size M",
        "do you have rain jackets under $150 in blue size M",
    ):
        a = await svc.answer(question, sender_id=question)
        assert a.kind != "yes_no", question  # a search with a hard limit, not a yes/no
        listed = _facts(demo_shop, _listed_ids(a))
        assert listed, a.text
        # Only rain jackets are offered; none is claimed to fit a limit it breaks.
        assert all("rain jacket" in p.name.lower() for p in listed), a.text
        if "couldn't find" not in a.text:
            assert all(float(x) <= 150 for x in re.findall(r"\$(\d+\.\d\d)", a.text)), a.text
        assert "Fleece" not in a.text and "Hoodie" not in a.text, a.text


async def test_a_property_asked_for_is_a_hard_limit(demo_shop, make_service) -> None:
    svc: AnswerService = make_service(demo_shop)
    for question in ("anything waterproof?", "waterproof jacket", "show me waterproof shoes"):
        a = await svc.answer(question, sender_id=question)
        for p in _facts(demo_shop, _listed_ids(a)):
            assert feature_verdict(p, "waterproof")[0] is True, (question, p.name, a.text)


async def test_the_budget_said_before_holds_for_anything_with_a_property(
    demo_shop, make_service
) -> None:
    """Issue 16: "anything waterproof?" after "Rain jacket under $150, blue, size M" listed
    tents over the budget: "anything" is an open search like "something", so the remembered
    budget applies (size and colour only to the same kind of product)."""
    svc: AnswerService = make_service(demo_shop)
    await svc.answer("Rain jacket under $150, blue, size M", sender_id="budget")
    a = await svc.answer("anything waterproof?", sender_id="budget")
    listed = _facts(demo_shop, _listed_ids(a))
    assert listed, a.text
    for p in listed:
        assert feature_verdict(p, "waterproof")[0] is True, (p.name, a.text)
        assert min(v.price for v in p.variants) <= 150, (p.name, a.text)


async def test_a_product_whose_data_denies_the_property_is_never_offered(
    sqlite_shop, make_service
) -> None:
    a = await make_service(sqlite_shop).answer("any waterproof shoes?", sender_id="w")
    assert "Ridge Trail Runner" in a.text
    assert "City Canvas Sneaker" not in a.text  # its data says waterproof: false


def test_the_verdict_reads_attributes_feature_lines_and_negated_descriptions(sqlite_shop) -> None:
    with sqlite_shop.session() as s:
        ids = [p.id for p in s.query(m.Product).order_by(m.Product.id)]
    facts = {p.name: p for p in _facts(sqlite_shop, ids)}
    assert feature_verdict(facts["Ridge Trail Runner"], "waterproof")[0] is True
    assert feature_verdict(facts["City Canvas Sneaker"], "waterproof")[0] is False
    assert feature_verdict(facts["Summit Down Parka"], "waterproof")[0] is None
    assert feature_verdict(facts["Stormshell Rain Jacket"], "hood")[0] is True


async def test_yes_answers_do_not_show_internal_item_ids(shop, make_service) -> None:
    a = await make_service(shop).answer(
        "does the ridge trail runner come in black size 44?", sender_id="i"
    )
    assert "Yes" in a.text
    assert "SB-V" not in a.text and "(item" not in a.text


async def test_how_many_options_counts_the_variants_by_option(shop, make_service) -> None:
    a = await make_service(shop).answer(
        "how many options does the ridge trail runner have?", sender_id="n"
    )
    facts = _facts(shop, ["SB-P0001"])[0]
    total = len(facts.variants)
    in_stock = sum(1 for v in facts.variants if v.in_stock)
    assert f"comes in {total} options, {in_stock} of them in stock" in a.text, a.text
