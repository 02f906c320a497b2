"""Crafted bad LLM replies never reach the shopper: checked, regenerated once, else template."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scripted import ScriptedBackend

from bot.answers.facts import FactNumberer, FactSheet, PolicyFact
from bot.answers.grounding import check_reply
from bot.llm.base import LLMError, LLMTimeout

ALICE = "alice_smith_1234"


async def test_grounded_reply_is_sent_as_written(sqlite_shop, make_service) -> None:
    good = "Yes, the Ridge Trail Runner [F1] is waterproof and costs $119.00."
    backend = ScriptedBackend([good])
    svc = make_service(sqlite_shop, backend=backend)
    answer = await svc.answer("is the ridge trail runner waterproof?", sender_id="s1")
    assert answer.text == good
    assert answer.grounded and not answer.fell_back
    assert answer.backend == "scripted"
    assert [c["id"] for c in answer.cards] == ["SB-P0001"]
    assert len(backend.prompts) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "The Ridge Trail Runner costs only $99.00 today!",  # wrong price
        "Try our SB-P0999 Cloud Walker, also waterproof.",  # invented product id
        "The Ridge Trail Runner is available as item SB-V000199.",  # invented variant id
        "Your order #S1000003 with the parka was delivered.",  # another customer's order
        "You can return it within 60 days, no questions asked.",  # invented policy number
        "We give a 15% discount on trail shoes this week.",  # invented percentage
        "The Ridge Trail Runner in red size 44 is in stock, 12 left.",  # false stock claims
        "I have refunded your order, the money is on its way.",  # claims an order action
    ],
)
async def test_bad_replies_never_reach_the_shopper(sqlite_shop, make_service, bad) -> None:
    backend = ScriptedBackend([bad, bad])
    svc = make_service(sqlite_shop, backend=backend)
    answer = await svc.answer(
        "is the red ridge trail runner waterproof and in stock in 44?",
        sender_id="s2",
        customer_id=ALICE,
    )
    assert answer.text != bad
    assert answer.fell_back is True
    assert answer.grounded is True  # the template answer passed the check
    assert answer.problems, "the rejected claims are recorded for the console"
    assert len(backend.prompts) == 2, "regenerated exactly once before falling back"
    # The correction prompt names the problem.
    assert "not in the facts" in backend.prompts[1][-1].content
    for token in ("$99.00", "SB-P0999", "SB-V000199", "#S1000003", "60 days", "15%", "12 left"):
        assert token not in answer.text


async def test_second_attempt_used_when_it_is_grounded(sqlite_shop, make_service) -> None:
    backend = ScriptedBackend(
        ["It costs $10.00.", "The Stormshell Rain Jacket costs $109.00 in yellow."]
    )
    svc = make_service(sqlite_shop, backend=backend)
    answer = await svc.answer("how much is the stormshell rain jacket?", sender_id="s3")
    assert answer.text == "The Stormshell Rain Jacket costs $109.00 in yellow."
    assert not answer.fell_back and answer.grounded
    assert any("$10.00" in p for p in answer.problems)


@pytest.mark.parametrize("error", [LLMError, LLMTimeout])
async def test_backend_failure_gives_the_template_answer(sqlite_shop, make_service, error) -> None:
    svc = make_service(sqlite_shop, backend=ScriptedBackend([error]))
    answer = await svc.answer("what is your return policy?", sender_id="s4")
    assert answer.fell_back
    assert "30 days" in answer.text
    assert answer.grounded


def _facts_with_policy(body: str) -> FactSheet:
    n = FactNumberer()
    return FactSheet(
        question="how long do I have to return?",
        policies=[PolicyFact(n.next(), "p", "returns", "Returns", body)],
    )


def test_invented_thirty_day_policy_is_caught() -> None:
    facts = _facts_with_policy("Returns are accepted within 14 days of delivery.")
    report = check_reply("You have a 30-day return window.", facts)
    assert not report.ok
    assert any("30" in p for p in report.problems)
    assert check_reply("You have 14 days to return an item.", facts).ok
    assert not check_reply("You have thirty days to return it.", facts).ok


def test_policy_amounts_are_checked() -> None:
    facts = _facts_with_policy("Shipping is free on orders over $50.00.")
    assert check_reply("Shipping is free above $50.", facts).ok
    assert not check_reply("Shipping is free above $35.", facts).ok


def test_shopper_budget_may_be_echoed() -> None:
    from bot.catalog.filters import parse_filters

    facts = FactSheet(question="x", filters=parse_filters("something under $120"))
    assert check_reply("Nothing under $120 right now.", facts).ok
    assert facts.filters.max_price == Decimal("120.00")


async def test_template_answers_pass_their_own_check(shop, make_service) -> None:
    """On SQLite and PostgreSQL: every template answer is grounded by construction."""
    svc = make_service(shop)
    questions = [
        "is the red trail runner waterproof and does it come in 44?",
        "do you have it in blue?",
        "something for a rainy hike under $120",
        "compare the rain jacket and the down parka",
        "is the city canvas sneaker waterproof?",
        "is the stormshell rain jacket in stock in size L?",
        "how long does shipping take?",
        "where is my order?",
        "tell me about the summit down parka",
        "do you sell bicycles?",
    ]
    for q in questions:
        answer = await svc.answer(q, sender_id="tmpl", customer_id=ALICE)
        assert answer.grounded, (q, answer.text, answer.problems)
        assert answer.backend == "template" and not answer.fell_back


class _StuckBackend:
    """Ignores its timeout and would never answer; the service's own deadline applies."""

    name = "stuck"

    async def generate(self, messages, *, max_new_tokens=200, timeout=8.0) -> str:
        import asyncio

        await asyncio.sleep(3600)
        return "never"

    async def stream(self, messages, *, max_new_tokens=200, timeout=8.0):
        yield await self.generate(messages)

    async def aclose(self) -> None:
        return None


class _BrokenBackend(_StuckBackend):
    name = "broken"

    async def generate(self, messages, *, max_new_tokens=200, timeout=8.0) -> str:
        raise RuntimeError("library bug")


@pytest.mark.parametrize("backend_cls", [_StuckBackend, _BrokenBackend])
async def test_stuck_or_broken_backends_fall_back(sqlite_shop, backend_cls) -> None:
    import time

    from bot.answers.service import AnswerService

    svc = AnswerService(sqlite_shop, backend=backend_cls(), search_mode="keyword", timeout_s=0.2)
    started = time.perf_counter()
    answer = await svc.answer("how long does shipping take?", sender_id="stuck")
    assert time.perf_counter() - started < 5
    assert answer.fell_back and "3-5 business days" in answer.text
