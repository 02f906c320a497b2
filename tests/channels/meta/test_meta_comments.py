"""Public comment triage, the per-post/per-user reply limits and the public reply's shape."""

from __future__ import annotations

import pytest

from bot.channels.comments import ReplyLimiter, flag_of, public_reply, triage


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "decision"),
    [
        ("how much is this?", "product_info", 0.9, "public"),
        ("does it come in blue?", "check_availability", 0.8, "public"),
        ("what's your return policy?", "check_refund_policy", 0.95, "public"),
        ("my order never arrived!!", "track_order", 0.9, "private"),
        ("I want to cancel, it's #W1234567", "product_info", 0.9, "private"),  # an order id
        ("mail me at ann@example.com about this", "product_info", 0.9, "private"),
        ("I can't log into my account", "recover_password", 0.7, "private"),
        ("love it!", "thank", 0.9, "ignore"),
        ("hmm", "product_info", 0.3, "ignore"),  # too unsure to answer in public
        ("you are all fucking useless", "complaint", 0.9, "abusive"),
        ("scammers, thieves!", "complaint", 0.9, "abusive"),
        ("Earn $500 a day, DM me", "product_info", 0.9, "spam"),
        ("check out my profile for free followers", "search_product", 0.9, "spam"),
        ("great deals at https://cheap.example/x", "search_product", 0.9, "spam"),
        ("buy buy buy buy buy buy buy buy buy buy buy buy", "search_product", 0.9, "spam"),
    ],
)
def test_triage(text: str, intent: str, confidence: float, decision: str) -> None:
    assert triage(text, intent, confidence).decision == decision


def test_plain_questions_are_not_flagged() -> None:
    for text in (
        "Is the blue one in stock?",
        "How long does shipping to Texas take?",
        "What's the price of the oak lamp?",
        "Do you ship to Canada",
    ):
        assert flag_of(text) is None


def test_reply_limiter_per_post_and_per_user_in_a_window() -> None:
    now = [0.0]
    limiter = ReplyLimiter(per_post=3, per_user=2, window_s=60, clock=lambda: now[0])
    assert limiter.allow("post1", "ann") and limiter.allow("post1", "ann")
    assert not limiter.allow("post1", "ann")  # ann: 2 per window
    assert limiter.allow("post1", "bob")
    assert not limiter.allow("post1", "cat")  # post1: 3 per window
    assert limiter.allow("post2", "cat")
    now[0] = 61.0
    assert limiter.allow("post1", "ann")  # the window moved on


def test_public_reply_is_short_whole_sentences_without_personal_data() -> None:
    texts = [
        "The Oak Lamp costs $45.00 and is in stock.",
        "Write to help@shop.example or call 555-123-4567 for more. " + "More words. " * 40,
    ]
    reply = public_reply(texts, limit=120)
    assert len(reply) <= 120
    assert reply.startswith("The Oak Lamp costs $45.00 and is in stock.")
    assert "help@shop.example" not in reply and "555-123-4567" not in reply
    assert public_reply(["", "  "]) == ""
