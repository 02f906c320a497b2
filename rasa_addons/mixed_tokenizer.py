"""A Rasa tokenizer for Chinese, English and both in one message ("我想退货 order #S1000029").

Why not Rasa's JiebaTokenizer: it runs jieba over the whole text, so it keeps spaces and
punctuation as tokens and splits Latin words its own way ("#S1000029" -> "#", "S1000029";
"t-shirt" -> "t", "-", "shirt"): the English pipeline's features, regexes and CRF would all
change. Here the text is first split exactly as WhitespaceTokenizer splits it; a word that
holds CJK characters is then cut at the script boundary, each CJK run segmented by jieba and
each other run kept whole. A message without CJK therefore tokenises exactly as before
(``tests/nlu/test_mixed_tokenizer.py`` checks every English training example). One more
difference: WhitespaceTokenizer drops a word that its emoji pattern matches whole, and that
pattern's range U+24C2..U+1F251 covers every Chinese character.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.texts.detect import HAN_RANGES, has_han

# CJK ideographs (basic, extension A, compatibility) and CJK punctuation / full-width forms.
_CJK = HAN_RANGES
_CJK_PUNCT = "\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# A word cut into: runs of ideographs | CJK punctuation (dropped) | anything else.
_RUNS = re.compile(f"([{_CJK}]+)|([{_CJK_PUNCT}]+)|([^{_CJK}{_CJK_PUNCT}]+)")


def has_cjk(text: str) -> bool:
    """True when the text holds at least one Chinese character (``bot.texts.detect.has_han``:
    the evaluation reports apply the Chinese fallback threshold by the same test)."""
    return has_han(text)


def _jieba() -> Any:
    """jieba, quiet and with its dictionary loaded (once per process, about a second)."""
    import jieba

    if not jieba.dt.initialized:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    return jieba


def _segment(run: str) -> List[str]:
    jieba = _jieba()
    return [piece for piece in jieba.lcut(run) if piece.strip()]


def split_word(word: str) -> List[str]:
    """One whitespace word as Latin/digit runs and jieba words (CJK punctuation dropped)."""
    if not has_cjk(word):
        return [word]
    pieces: List[str] = []
    for cjk, _punct, other in _RUNS.findall(word):
        if cjk:
            pieces.extend(_segment(cjk))
        elif other:
            # The run left over once the ideographs are cut away ("order", "S1000029", "#").
            stripped = other.strip()
            if any(ch.isalnum() for ch in stripped):
                pieces.append(stripped)
    return pieces


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MixedTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer for Latin text, jieba for the Chinese runs of a message."""

    @staticmethod
    def not_supported_languages() -> List[str] | None:
        return None

    @staticmethod
    def required_packages() -> List[str]:
        return ["jieba"]

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MixedTokenizer:
        _jieba()
        return cls(config)

    def remove_emoji(self, text: str) -> str:
        """Rasa's emoji pattern spans U+24C2..U+1F251, all of CJK: "谢谢" would be dropped."""
        return text if has_cjk(text) else super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        text = message.get(attribute)
        if not text or not has_cjk(text):
            return tokens
        words = [piece for token in tokens for piece in split_word(token.text)]
        if not words:
            return tokens
        return self._apply_token_pattern(self._convert_words_to_tokens(words, text))
