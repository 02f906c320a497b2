"""Which language a shopper's message is written in: Chinese or English, by script.

Counting scripts is enough for the two languages we serve and costs microseconds on every
message. A Han character carries about half the content of an English word, so a message is
Chinese when its Han characters outweigh twice its English words, or stand beside at most one
English word ("我想退货 order #S1000029" is Chinese). Order numbers, emails, digits, emoji and
button payloads say nothing about the language; a message made only of them returns None and
the conversation keeps its language.

A conversation's language (``message_language``) asks for more: Chinese shoppers write names,
brands and products in Latin letters ("Noah Ito，邮编 98187", "mason lopez 10257", "AirPods
Pro"), so Latin words count as English only in a message that holds at least one common English
word (a function word, a greeting, yes/no/thanks). Without one they are neutral, and a reply of
just a name keeps the conversation in Chinese.
"""

from __future__ import annotations

import re

ZH = "zh"
EN = "en"
# The NLU entity that carries a message's language into the `language` slot
# (rasa_addons/language_detector.py); derived from the text, never annotated in it.
LANGUAGE_ENTITY = "language"

# CJK Unified Ideographs, extension A and compatibility ideographs.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{HAN_RANGES}]")
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")
_LATIN = re.compile(r"[A-Za-z]")
# Tokens that are identifiers, not words: anything with a digit, @, # or a URL scheme.
_ID_LIKE = re.compile(r"[\d@#/]|^www\.", re.IGNORECASE)
# Words English sentences and short English replies are made of, which names, brands and
# product names are not: the evidence that Latin words are English (message_language).
_ENGLISH_WORDS = frozenset(
    """
    a an the and or but if so not no yes yeah yep nope ok okay sure please thanks thank hi
    hello hey bye goodbye i i'm im me my mine we our us you your you're he she it it's its
    they them their this that these those there here what which who whom whose when where why
    how is are was were be been am do does did don't dont doesn't didn't can can't could
    would should will won't have has had want need get got to of in on at for from with by
    about into over under after before than then just also too very much many any some all
    again still only
    """.split()  # noqa: SIM905
)
_EDGE_PUNCT = "\"'“”‘’.,;:!?()[]{}<>，。！？；：（）、"


def has_han(text: str | None) -> bool:
    """True when the text holds at least one Chinese character: the NLU's script test (the
    tokenizer hands such a message to jieba, the e5 encoder and the Chinese fallback threshold
    serve it), whatever language ``detect_language`` gives the conversation."""
    return bool(text) and _HAN.search(text or "") is not None


def _latin_words(text: str) -> list[str]:
    words = []
    for token in _TOKEN.findall(_HAN.sub(" ", text)):
        word = token.strip(_EDGE_PUNCT)
        if not word or _ID_LIKE.search(word) or not _LATIN.search(word):
            continue
        if _WORD.match(word):
            words.append(word)
    return words


def _decide(han: int, words: int) -> str | None:
    if han == 0 and words == 0:
        return None
    return ZH if han >= 2 * words or (han and words <= 1) else EN


def detect_language(text: str | None) -> str | None:
    """'zh', 'en', or None when the message carries no evidence (ids, digits, emoji, payloads).

    By script alone: every Latin word counts as English (what reads the text, e.g. sentiment)."""
    if not text or text.startswith("/"):
        return None
    return _decide(len(_HAN.findall(text)), len(_latin_words(text)))


def _conversation_evidence(text: str | None) -> str | None:
    """As ``detect_language``, but Latin words without a common English word among them
    (a name, a brand, a product) are no evidence of English."""
    if not text or text.startswith("/"):
        return None
    words = _latin_words(text)
    if not any(w.lower().replace("’", "'") in _ENGLISH_WORDS for w in words):
        words = []
    return _decide(len(_HAN.findall(text)), len(words))


def message_language(text: str | None, prior: str | None = None) -> str | None:
    """The language a message sets for its conversation: its own if it shows one, else the
    prior the client sent (the widget's page language, first message only), else None: the
    conversation keeps the language it has."""
    lang = _conversation_evidence(text)
    if lang:
        return lang
    return prior.split("-")[0].split("_")[0].lower() if prior else None
