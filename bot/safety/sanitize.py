"""Clean a shopper's message before it is searched, stored or put into a prompt.

The text stays the shopper's words (it is data, never instructions): control characters and
chat-template markers are removed so a message cannot pretend to be a system turn, and the
length is capped so one message cannot flood a prompt.
"""

from __future__ import annotations

import re
import unicodedata

# Markers of common chat templates (ChatML, Llama, Gemma, ...) and our own fact delimiters.
_TEMPLATE_MARKERS = re.compile(
    r"<\|[^|>]{0,40}\|>|\[/?INST\]|<</?SYS>>|<start_of_turn>|<end_of_turn>|</?s>"
    r"|<<<|>>>|\[F\d+\]",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def sanitize_user_text(text: str | None, max_chars: int = 2000) -> str:
    """Normalise unicode, drop control/bidi characters and template markers, cap length."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _CONTROL.sub("", text)
    text = _TEMPLATE_MARKERS.sub(" ", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " …"
    return text
