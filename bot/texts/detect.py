"""Which language a shopper's message is written in: Chinese or English, by script.

Counting scripts is enough for the two languages we serve and costs microseconds on every
message. A Han character carries about half the content of an English word, so a message is
Chinese when its Han characters outweigh twice its English words, or stand beside at most one
English word ("我想退货 order #S1000029" is Chinese). Order numbers, emails, digits, emoji and
button payloads say nothing about the language; a message made only of them returns None and
the conversation keeps its language.
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
_EDGE_PUNCT = "\"'“”‘’.,;:!?()[]{}<>，。！？；：（）、"


def has_han(text: str | None) -> bool:
    """True when the text holds at least one Chinese character: the NLU's script test (the
    tokenizer hands such a message to jieba, the e5 encoder and the Chinese fallback threshold
    serve it), whatever language ``detect_language`` gives the conversation."""
    return bool(text) and _HAN.search(text or "") is not None


def _english_words(text: str) -> int:
    count = 0
    for token in _TOKEN.findall(_HAN.sub(" ", text)):
        word = token.strip(_EDGE_PUNCT)
        if not word or _ID_LIKE.search(word) or not _LATIN.search(word):
            continue
        if _WORD.match(word):
            count += 1
    return count


def detect_language(text: str | None) -> str | None:
    """'zh', 'en', or None when the message carries no evidence (ids, digits, emoji, payloads)."""
    if not text or text.startswith("/"):
        return None
    han = len(_HAN.findall(text))
    words = _english_words(text)
    if han == 0 and words == 0:
        return None
    return ZH if han >= 2 * words or (han and words <= 1) else EN


def message_language(text: str | None, prior: str | None = None) -> str | None:
    """The language a message sets for its conversation: its own if it shows one, else the
    prior the client sent (the widget's page language, first message only), else None: the
    conversation keeps the language it has."""
    lang = detect_language(text)
    if lang:
        return lang
    return prior.split("-")[0].split("_")[0].lower() if prior else None
