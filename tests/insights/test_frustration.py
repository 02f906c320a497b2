"""The one frustration model: its scores on sample conversations, the offer of a person made
once before the shopper asks, and the complaint path handing over on the same scores."""

from __future__ import annotations

import pytest
from insight_helpers import make_tracker, run_action

from actions.conversation import ActionAnswerPolicy, ActionOtherOrderStatus
from bot.dialogue.conversation import complaint_reply
from bot.insights.frustration import HANDOFF_AT, OFFER_AT, assess, handoff_offer, offer_texts
from bot.insights.sentiment import score_text
from bot.texts import t, use_locale

OFFER_TEXT = t("frustration.offer", "en")

ANGRY = [
    ("where is my order", "track_order"),
    ("this is ridiculous, still nothing", "complaint"),
    ("WHY IS THIS SO SLOW", "nlu_fallback"),
]


def offers(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("text") == OFFER_TEXT]


def test_assess_counts_signals_with_reasons() -> None:
    calm = assess(["where is my order?", "it's #S1000001"], ["track_order", "inform"])
    assert calm.score == 0 and not calm.offer_due
    one_grumble = assess(["where is my order?", "this is annoying"], ["track_order", "inform"])
    assert 0 < one_grumble.score < 3 and not one_grumble.offer_due
    hot = assess(
        ["asdf", "what the hell", "damn it, ANSWER ME NOW PLEASE"],
        ["nlu_fallback", "nlu_fallback", "nlu_fallback"],
    )
    assert hot.offer_due and hot.handoff_due
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


# Sample conversations (user texts and intents) and the score the model gives each: pinned so
# a change to the lexicon or the weights shows up here, with the decisions it changes.
SAMPLES: list[tuple[str, list[tuple[str, str]], float, bool, bool]] = [
    # name, turns, score, offer due, hand-off due
    ("calm", [("where is my order?", "track_order"), ("#W1234567", "inform")], 0.0, False, False),
    ("one complaint", [("my parcel was late", "complaint")], 2.78, False, False),
    ("fed up", [("I'm fed up with this", "complaint")], 2.98, False, False),
    (
        "two complaints",
        [("my parcel was late", "complaint"), ("still nothing, this is not helping", "complaint")],
        5.78,
        True,
        True,
    ),
    (
        "shouted complaint",
        [("my parcel was late", "complaint"), ("THIS IS RIDICULOUS, still nothing!!", "complaint")],
        5.78,
        True,
        True,
    ),
    (
        "not understood twice, annoyed",
        [("asdf", "nlu_fallback"), ("this is annoying", "nlu_fallback")],
        3.78,
        True,
        False,
    ),
    ("happy", [("great, thanks a lot!", "thank")], 0.0, False, False),
    # Chinese: no capitals to shout in; insisting (到底, 还没, ！！) and asking again count
    ("calm zh", [("我的订单到哪了？", "track_order"), ("S1000029", "inform")], 0.0, False, False),
    ("one grumble zh", [("质量太差了，再也不买了", "complaint")], 3.0, True, False),
    (
        "insisting zh",
        [("订单什么时候发货", "track_order"), ("怎么还没发货？？", "nlu_fallback")],
        4.0,
        True,
        True,
    ),
    (
        "asks again zh",
        [("我要人工", "contact_human_agent"), ("到底有没有人？我要投诉！！", "nlu_fallback")],
        5.0,
        True,
        True,
    ),
    ("happy zh", [("谢谢，问题解决了 👍", "thank")], 0.0, False, False),
]


@pytest.mark.parametrize(("name", "turns", "score", "offer", "handoff"), SAMPLES)
def test_scores_of_sample_conversations(
    name: str, turns: list[tuple[str, str]], score: float, offer: bool, handoff: bool
) -> None:
    found = assess([t for t, _ in turns], [i for _, i in turns])
    assert found.score == pytest.approx(score, abs=0.01), (name, found.reasons)
    assert (found.offer_due, found.handoff_due) == (offer, handoff), name


@pytest.mark.parametrize(("name", "turns", "score", "offer", "handoff"), SAMPLES)
def test_complaint_path_and_offer_agree(
    name: str, turns: list[tuple[str, str]], score: float, offer: bool, handoff: bool
) -> None:
    """Both paths read the same assessment: the complaint hands over exactly when the model
    says so, and never where the courtesy offer would not even have been made."""
    texts, intents = [t for t, _ in turns], [i for _, i in turns]
    found = assess(texts, intents)
    reply, reason = complaint_reply(found.handoff_due)
    assert (reason == "frustration") is found.handoff_due
    assert (reply.payload or {}).get("type") == ("handoff" if found.handoff_due else None)
    offered = handoff_offer(texts, intents, already_offered=False, handoff_requested=False)
    happy = score_text(texts[-1]).label == "positive"
    assert (offered is not None) == (found.offer_due and not happy)
    if found.handoff_due:
        assert found.offer_due  # a hand-off level always includes the offer level


def test_thresholds_are_ordered() -> None:
    assert 0 < OFFER_AT <= HANDOFF_AT


def test_chinese_signals_have_their_reasons() -> None:
    turns = ["我要人工", "我的快递到底到哪了？", "已经催了三次了！！", "我要投诉，转人工"]
    found = assess(turns, ["x"] * len(turns))
    text = " ".join(found.reasons)
    assert "insisting" in text and "again" in text and found.handoff_due
    # the same words once, calmly, stay below the offer
    assert not assess(["麻烦帮我转人工客服"], ["contact_human_agent"]).offer_due


def test_offer_speaks_the_conversations_language_and_is_recognised_in_both(empty_shop) -> None:
    angry_zh = [
        ("我的订单到哪了", "track_order"),
        ("太慢了，到底什么时候到？？", "complaint"),
        ("还没到，气死了！！", "nlu_fallback"),
    ]
    with use_locale("zh"):
        messages = run_action(ActionOtherOrderStatus(), make_tracker(angry_zh))
    (offer,) = [m for m in messages if m.get("text") in offer_texts()]
    assert offer["text"] == t("frustration.offer", "zh")
    assert offer["buttons"] == [{"title": "转人工客服", "payload": "/contact_human_agent"}]
    # an offer made in English earlier counts in a conversation that switched to Chinese
    earlier = [{"event": "bot", "text": OFFER_TEXT}]
    with use_locale("zh"):
        again = run_action(ActionOtherOrderStatus(), make_tracker(angry_zh, extra_events=earlier))
    assert not [m for m in again if m.get("text") in offer_texts()]
