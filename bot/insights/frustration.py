"""Notice a shopper getting frustrated and offer a person before they have to ask.

Signals over the last few user turns: sentiment (the configured model; negative turns count
more the more negative they are), trailing "not understood" turns, SHOUTING and swearing.
A single grumpy message stays below the threshold; the same mood held over turns, or one
shouted, sworn message, crosses it. The offer is made at most once per conversation and never
when the shopper already asked for (or got) a person, or just sounded happy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.dialogue.replies import Reply, button
from bot.insights.sentiment import SentimentModel, is_shouting, score_text, swear_count

WINDOW = 4  # user turns considered
THRESHOLD = 3.0
FALLBACK_INTENTS = {"nlu_fallback"}
HANDOFF_INTENTS = {"contact_human_agent", "human_handoff", "request_human"}
OFFER_TEXT = (
    "I'm sorry this is taking so long. Would you like me to bring in a person from our "
    "support team? They'll see this conversation, so you won't have to repeat anything."
)
OFFER_BUTTON_TITLE = "Talk to a person"


@dataclass
class Frustration:
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def over_threshold(self) -> bool:
        return self.score >= THRESHOLD


def assess(
    user_texts: Sequence[str], intents: Sequence[str], model: SentimentModel | None = None
) -> Frustration:
    """How frustrated the recent turns sound, with the reasons (for logs and the console)."""
    scorer = model.score if model is not None else score_text  # cached for the configured one
    texts = list(user_texts)[-WINDOW:]
    recent_intents = list(intents)[-WINDOW:]
    score = 0.0
    reasons: list[str] = []
    negative_turns = 0
    for text in texts:
        result = scorer(text)
        if result.label == "negative":
            negative_turns += 1
            score += 1.0 + abs(min(result.score, 0.0))
    if negative_turns:
        reasons.append(f"{negative_turns} negative turn(s) of the last {len(texts)}")
    trailing = 0
    for intent in reversed(recent_intents):
        if intent not in FALLBACK_INTENTS:
            break
        trailing += 1
    if trailing:
        score += trailing
        reasons.append(f"{trailing} turn(s) in a row not understood")
    shouted = sum(1 for t in texts if is_shouting(t))
    if shouted:
        score += shouted
        reasons.append(f"{shouted} shouted (all caps) turn(s)")
    swearing = sum(1 for t in texts if swear_count(t))
    if swearing:
        score += swearing
        reasons.append(f"swearing in {swearing} turn(s)")
    return Frustration(round(score, 2), reasons)


def handoff_offer(
    user_texts: Sequence[str],
    intents: Sequence[str],
    *,
    already_offered: bool,
    handoff_requested: bool,
    model: SentimentModel | None = None,
) -> Reply | None:
    """The "Talk to a person" offer to append to the bot's reply, or None."""
    if already_offered or handoff_requested or not user_texts:
        return None
    if intents and intents[-1] in HANDOFF_INTENTS:
        return None
    latest = model.score(user_texts[-1]) if model is not None else score_text(user_texts[-1])
    if latest.label == "positive":
        return None
    if not assess(user_texts, intents, model).over_threshold:
        return None
    return Reply(OFFER_TEXT, buttons=[button(OFFER_BUTTON_TITLE, "contact_human_agent")])
