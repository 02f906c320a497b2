"""Frustration over turns makes actions offer a person once, before the shopper asks."""

from __future__ import annotations

from insight_helpers import make_tracker, run_action

from actions.conversation import ActionAnswerPolicy, ActionOtherOrderStatus
from bot.insights.frustration import OFFER_TEXT, assess, handoff_offer

ANGRY = [
    ("where is my order", "track_order"),
    ("this is ridiculous, still nothing", "complaint"),
    ("WHY IS THIS SO SLOW", "nlu_fallback"),
]


def offers(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("text") == OFFER_TEXT]


def test_assess_counts_signals_with_reasons() -> None:
    calm = assess(["where is my order?", "it's #S1000001"], ["track_order", "inform"])
    assert calm.score == 0 and not calm.over_threshold
    one_grumble = assess(["where is my order?", "this is annoying"], ["track_order", "inform"])
    assert 0 < one_grumble.score < 3 and not one_grumble.over_threshold
    hot = assess(
        ["asdf", "what the hell", "damn it, ANSWER ME NOW PLEASE"],
        ["nlu_fallback", "nlu_fallback", "nlu_fallback"],
    )
    assert hot.over_threshold
    text = " ".join(hot.reasons)
    assert "not understood" in text and "swearing" in text and "shouted" in text


def test_no_offer_when_happy_or_already_handled() -> None:
    texts, intents = [t for t, _ in ANGRY], [i for _, i in ANGRY]
    assert handoff_offer(texts, intents, already_offered=False, handoff_requested=False)
    assert not handoff_offer(texts, intents, already_offered=True, handoff_requested=False)
    assert not handoff_offer(texts, intents, already_offered=False, handoff_requested=True)
    calmed = [*texts, "ok great, thanks!"]
    assert not handoff_offer(
        calmed, [*intents, "thank"], already_offered=False, handoff_requested=False
    )


def test_action_appends_offer_with_quick_reply(empty_shop) -> None:
    messages = run_action(ActionOtherOrderStatus(), make_tracker(ANGRY))
    assert messages[0]["text"] != OFFER_TEXT  # the action's own answer comes first
    (offer,) = offers(messages)
    assert offer["buttons"] == [{"title": "Talk to a person", "payload": "/contact_human_agent"}]


def test_calm_conversation_gets_no_offer(empty_shop) -> None:
    tracker = make_tracker([("what is your return policy?", "ask_return_policy")])
    messages = run_action(ActionAnswerPolicy(), tracker)
    assert messages and not offers(messages)


def test_offer_is_made_once_per_conversation(empty_shop) -> None:
    earlier = [{"event": "bot", "text": OFFER_TEXT}]
    angrier = [*ANGRY, ("STILL NOTHING, USELESS", "complaint")]
    tracker = make_tracker(angrier, extra_events=earlier)
    assert not offers(run_action(ActionOtherOrderStatus(), tracker))


def test_no_offer_once_a_person_was_requested(empty_shop) -> None:
    tracker = make_tracker(ANGRY, slots={"handoff_requested": True})
    assert not offers(run_action(ActionOtherOrderStatus(), tracker))
