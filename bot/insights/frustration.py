"""The one frustration model: how upset the shopper sounds over the last few turns.

Both places that react to it use this module: the courtesy offer of a person appended to any
reply (``handoff_offer``, through ``actions/common.py:send``) and the complaint path, which hands
the conversation over without asking once frustration is high (``Frustration.handoff_due``, read
by ``action_complaint``). One word list (the sentiment lexicon, bot/insights/sentiment.py, or the
trained model that replaces it), one window, one set of thresholds:

- over the last ``WINDOW`` user turns, each negative turn counts 1 + |sentiment score| (so at
  most 2), each complaint (intent) 1, each trailing "not understood" turn 1, each shouted turn 1,
  each turn with swearing 1;
- Chinese has no capitals to shout in, so a Chinese turn that insists instead (！！/？？ runs,
  到底, 多少次, 还没, 怎么还, 催了) counts 1, like a shouted one; and asking for a person or to
  complain again (人工, 投诉 in a second turn and later) counts 1 per repeat, since a Chinese
  message the NLU misreads still says what it wants in those words;
- at ``OFFER_AT`` (3.0) the bot offers a person: a single grumpy message stays below, the same
  mood held over turns, or one shouted, sworn message, crosses it;
- at ``HANDOFF_AT`` (4.0) a complaint is handed over: a first calm complaint ("my parcel was
  late": about 2.8) gets an apology, a second one, or one shouted complaint, a person.

The offer is made at most once per conversation and never when the shopper already asked for
(or got) a person, or just sounded happy. docs/insights.md describes the model for operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.dialogue.replies import Reply, button
from bot.insights.sentiment import SentimentModel, is_shouting, score_text, swear_count
from bot.insights.sentiment_zh import demands_person, insists
from bot.texts import available_languages, t

WINDOW = 4  # user turns considered
OFFER_AT = 3.0
HANDOFF_AT = 4.0
COMPLAINT_INTENTS = {"complaint"}
FALLBACK_INTENTS = {"nlu_fallback"}
HANDOFF_INTENTS = {"contact_human_agent", "human_handoff", "request_human"}
OFFER_KEY = "frustration.offer"  # the offer's text in the catalog, in the shopper's language


def offer_texts() -> frozenset[str]:
    """The offer in every language: how an earlier offer is recognised in the transcript."""
    return frozenset(t(OFFER_KEY, lang) for lang in available_languages())


@dataclass
class Frustration:
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def offer_due(self) -> bool:
        """High enough to offer a person (a courtesy; the shopper decides)."""
        return self.score >= OFFER_AT

    @property
    def handoff_due(self) -> bool:
        """High enough that a complaint is handed to a person without asking."""
        return self.score >= HANDOFF_AT


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
    complaints = sum(1 for intent in recent_intents if intent in COMPLAINT_INTENTS)
    if complaints:
        score += complaints
        reasons.append(f"{complaints} complaint(s)")
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
    insisting = sum(1 for t in texts if insists(t))
    if insisting:
        score += insisting
        reasons.append(f"{insisting} insisting turn(s) (！！, 到底, 还没, 多少次)")
    repeats = max(0, sum(1 for t in texts if demands_person(t)) - 1)
    if repeats:
        score += repeats
        reasons.append(f"asked for a person or to complain again ({repeats} repeat(s))")
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
    if not assess(user_texts, intents, model).offer_due:
        return None
    return Reply(t(OFFER_KEY), buttons=[button(t("button.talk_to_person"), "contact_human_agent")])
