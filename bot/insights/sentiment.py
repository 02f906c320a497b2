"""How a shopper's message feels: negative, neutral or positive, with a score in [-1, 1].

The default :class:`LexiconSentiment` needs no downloads: a word list written for shop
conversations plus rules for negation ("not happy"), intensifiers ("really", "so"), shouting
(ALL CAPS), "!!!"/"?!" runs, swearing and shop-specific complaint phrases ("refund still not
arrived", "charged twice"). ``shopbot sentiment train`` builds a PyTorch classifier from the
shop's own labelled messages; ``SHOPBOT_SENTIMENT_MODEL=DIR`` makes :func:`get_model` use it.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from bot.texts.detect import ZH, detect_language

log = logging.getLogger(__name__)

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Sentiment:
    label: Label
    score: float  # -1 (very negative) .. 1 (very positive)
    confidence: float  # 0..1

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "score": round(self.score, 3), "confidence": self.confidence}


class SentimentModel(Protocol):
    name: str

    def score(self, text: str) -> Sentiment: ...


# -- the lexicon ----------------------------------------------------------------------------

POSITIVE: dict[str, float] = {
    **dict.fromkeys(
        [
            "thanks",
            "thank",
            "thx",
            "cheers",
            "great",
            "good",
            "nice",
            "love",
            "loved",
            "loves",
            "lovely",
            "perfect",
            "perfectly",
            "awesome",
            "amazing",
            "excellent",
            "brilliant",
            "fantastic",
            "wonderful",
            "super",
            "superb",
            "happy",
            "glad",
            "pleased",
            "delighted",
            "impressed",
            "helpful",
            "appreciate",
            "appreciated",
            "comfortable",
            "comfy",
            "cosy",
            "cozy",
            "soft",
            "beautiful",
            "gorgeous",
            "recommend",
            "fab",
            "sweet",
            "satisfied",
            "smooth",
            "smoothly",
            "painless",
            "quick",
            "fast",
            "easy",
            "kind",
            "star",
            "best",
            "cool",
            "solved",
            "sorted",
            "enjoy",
            "enjoyed",
            "well",
        ],
        1.0,
    ),
    "ok": 0.2,
    "okay": 0.2,
    "fine": 0.3,
    "works": 0.4,
    "correct": 0.4,
}
NEGATIVE: dict[str, float] = {
    **dict.fromkeys(
        [
            "bad",
            "terrible",
            "awful",
            "horrible",
            "worst",
            "useless",
            "rubbish",
            "pointless",
            "ridiculous",
            "unacceptable",
            "disappointed",
            "disappointing",
            "disappointment",
            "annoyed",
            "annoying",
            "angry",
            "furious",
            "upset",
            "hate",
            "broken",
            "broke",
            "broke",
            "damaged",
            "defective",
            "cracked",
            "shattered",
            "smashed",
            "torn",
            "leaks",
            "leaking",
            "lost",
            "missing",
            "wrong",
            "late",
            "delayed",
            "delay",
            "scam",
            "joke",
            "poor",
            "slow",
            "overcharged",
            "regret",
            "ruined",
            "ruin",
            "sick",
            "frustrating",
            "frustrated",
            "frustration",
            "unbelievable",
            "stupid",
            "nobody",
            "ignore",
            "ignored",
            "crap",
            "never",
            "complaint",
            "complained",
            "problem",
            "issue",
            "fault",
            "faulty",
            "flickers",
            "crashed",
            "unhappy",
            "waste",
            "forever",
            "smells",
            "used",
            "apart",
            "mistake",
        ],
        1.0,
    ),
    "cancelled": 0.3,
    "charged": 0.4,
    "again": 0.5,
    "still": 0.4,
    "nothing": 0.5,
    "stop": 0.5,
    "patience": 0.6,
    "trust": 0.0,
}
SWEAR_WORDS = {"damn", "hell", "bloody", "crap", "shit", "fuck", "fucking", "wtf", "bullshit"}
NEGATORS = {
    "not",
    "no",
    "never",
    "don't",
    "dont",
    "doesn't",
    "doesnt",
    "didn't",
    "didnt",
    "isn't",
    "isnt",
    "wasn't",
    "wasnt",
    "haven't",
    "havent",
    "hasn't",
    "hasnt",
    "can't",
    "cant",
    "won't",
    "wont",
    "aren't",
    "arent",
    "nor",
    "without",
}
INTENSIFIERS = {
    "very": 1.5,
    "really": 1.5,
    "so": 1.4,
    "super": 1.5,
    "extremely": 1.8,
    "totally": 1.5,
    "incredibly": 1.8,
    "absolutely": 1.6,
    "completely": 1.5,
    "highly": 1.4,
    "such": 1.3,
    "too": 1.3,
    "much": 1.2,
}
# Whole phrases that carry a shop-specific meaning regardless of their words.
PHRASES: list[tuple[re.Pattern[str], float]] = [
    (re.compile(p, re.IGNORECASE), w)
    for p, w in [
        (
            r"\b(refund|money|parcel|package|order|delivery)\b.{0,30}\b(still|yet)\b.{0,20}"
            r"\b(not|no|hasn'?t|haven'?t|never)\b",
            -2.0,
        ),
        (r"\bstill\s+(no|not|nothing|hasn'?t|haven'?t|waiting)\b", -1.5),
        (r"\b(charged|billed)\s+(me\s+)?twice\b", -2.0),
        (r"\bnever\s+(received|arrived|got|came)\b", -2.0),
        (r"\b(fell|falling|came)\s+apart\b", -2.0),
        (r"\b(stopped|doesn'?t|does not|don'?t|didn'?t)\s+work(ing|s)?\b", -1.5),
        (r"\bwaste of (time|money)\b", -2.0),
        (r"\bfed up\b", -2.0),
        (r"\b(not|isn'?t|doesn'?t|don'?t|didn'?t|you'?re not) (helping|help|helpful)\b", -1.5),
        (r"\b(speak|talk) to a (manager|human|real person)\b", -1.0),
        (r"\bthanks for nothing\b", -3.0),
        (r"\bnot what (i|you)\b", -1.5),
        (r"\bso much for\b", -1.5),
        (r"\bno complaints\b", 2.0),
        (r"\b(problem|issue) (solved|sorted|fixed)\b", 2.0),
        (r"\b(all|it'?s|that'?s) (good|sorted)( now)?\b", 1.0),
        (r"\bwell done\b", 1.5),
        (r"\bfits? (well|perfectly|like a glove)\b", 2.0),
        (r"\b\d+/10\b", 0.0),
        (r"\bhave a (nice|great|good) day\b", 1.0),
        (r"\bfor (ever|ages)\b", -1.0),
        (r"\b(taking|takes|take) (forever|so long|too long|ages)\b", -1.5),
        (r"\bon hold\b", -1.0),
        (r"\bhow (bad|slow)\b", -1.5),
        (r"\bare you (even )?listening\b", -2.0),
        (r"\bnobody (cares|answers|replied|called)\b", -1.5),
    ]
]
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+/\d+|[!?]+")
_CLAUSE = re.compile(r"[.,;:!?]+\s*|\s+but\s+")
_SATURATION = 2.5  # raw score at which tanh gives ~0.99


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def swear_count(text: str) -> int:
    """Swear words in an English or a Chinese message (or both in a mixed one)."""
    from bot.insights.sentiment_zh import swear_count_zh

    english = sum(1 for t in _TOKEN.findall(text.lower()) if t in SWEAR_WORDS)
    return english + swear_count_zh(text)


def is_shouting(text: str) -> bool:
    """ALL CAPS (a message of at least six letters, >70% upper case)."""
    return _shouting(text)


class LexiconSentiment:
    """Word list + rules. Explainable, instant, and good enough to rank frustration."""

    name = "lexicon"

    def __init__(self, neutral_band: float = 0.2) -> None:
        self.neutral_band = neutral_band

    def raw(self, text: str) -> float:
        total = 0.0
        # Negation and intensifiers reach only within a clause ("No, that's wrong" stays wrong).
        for clause in _CLAUSE.split(text.lower()):
            tokens = _TOKEN.findall(clause)
            for i, token in enumerate(tokens):
                weight = POSITIVE.get(token, 0.0) - NEGATIVE.get(token, 0.0)
                if not weight:
                    continue
                window = tokens[max(0, i - 3) : i]
                if any(w in NEGATORS for w in window):
                    # "not happy" is negative; "not bad" only mildly positive.
                    weight = -weight * (0.8 if weight > 0 else 0.4)
                for w in window[-2:]:
                    weight *= INTENSIFIERS.get(w, 1.0)
                total += weight
        for pattern, weight in PHRASES:
            if pattern.search(text):
                total += weight
        swears = swear_count(text)
        total -= 1.5 * swears
        exclaim = re.search(r"!{2,}|\?!|!\?|\?{3,}", text)
        if _shouting(text):
            total = total * 1.5 if total < 0 else total - 1.5
        if exclaim:
            # Emphasis amplifies whatever the message already says; alone it leans negative.
            total = total * 1.3 if total else -0.5
        return total

    def score(self, text: str) -> Sentiment:
        return to_sentiment(self.raw(text or ""), self.neutral_band)


def to_sentiment(raw: float, neutral_band: float = 0.2) -> Sentiment:
    """A lexicon's unbounded raw score as a label, a score in [-1, 1] and a confidence (the
    English and the Chinese lexicons share this scale, so frustration reads them alike)."""
    value = math.tanh(raw / _SATURATION * 2.6)
    label: Label
    if value <= -neutral_band:
        label = "negative"
    elif value >= neutral_band:
        label = "positive"
    else:
        label = "neutral"
    distance = abs(value) if label != "neutral" else 1 - abs(value) / neutral_band
    confidence = round(min(1.0, 0.5 + distance / 2), 3)
    return Sentiment(label=label, score=round(value, 3), confidence=confidence)


@lru_cache(maxsize=1)
def _configured_model(path: str | None) -> SentimentModel:
    if path:
        try:
            from bot.insights.trained import TrainedSentiment

            return TrainedSentiment.load(path)
        except Exception:
            log.exception("sentiment model at %s could not be loaded; using the lexicon", path)
    return LexiconSentiment()


_model_path: str | None = None


def configure(path: Path | None) -> None:
    """Use the trained model at ``path`` (``SHOPBOT_SENTIMENT_MODEL``), or the lexicon for
    ``None``; set once per process by bot/bootstrap.py (scores are cached per process)."""
    global _model_path
    wanted = str(path) if path else None
    if wanted != _model_path:
        _model_path = wanted
        score_text.cache_clear()


def get_model() -> SentimentModel:
    """The configured model: the trained one at ``SHOPBOT_SENTIMENT_MODEL`` or the lexicon."""
    return _configured_model(_model_path)


def _chinese_model_reads(text: str) -> bool:
    """Chinese script (bot/texts/detect.py: "我想退货 order #S1000029" is), or no words at
    all (emoji, "！！！", an order number): the Chinese lexicon also knows emoji."""
    return detect_language(text) in (ZH, None)


def model_for(text: str) -> SentimentModel:
    """The model for this message: the Chinese lexicon for a message in Chinese script (or
    with no words), the configured model (English lexicon or the trained MiniLM head, both
    English-only) for English."""
    if _chinese_model_reads(text):
        from bot.insights.sentiment_zh import default_zh_model

        return default_zh_model()
    return get_model()


class ByScript:
    """One model over both languages: Chinese text goes to the Chinese lexicon, the rest to
    ``english`` (what the evaluation and any caller holding a model object use)."""

    def __init__(self, english: SentimentModel) -> None:
        self.english = english
        self.name = english.name

    def score(self, text: str) -> Sentiment:
        if _chinese_model_reads(text):
            from bot.insights.sentiment_zh import default_zh_model

            return default_zh_model().score(text)
        return self.english.score(text)


@lru_cache(maxsize=4096)
def score_text(text: str) -> Sentiment:
    """Score one message with the model for its script (cached: the console re-reads turns);
    the one entry point for callers."""
    try:
        return model_for(text).score(text)
    except Exception:
        log.exception("sentiment scoring failed; message treated as neutral")
        return Sentiment("neutral", 0.0, 0.0)
