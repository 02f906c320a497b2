"""Does a message ask for a person? One regular expression, used on both sides.

An explicit request ("... can I talk to someone please?") is honoured whatever else the
message says: the NLU pipeline turns it into ``contact_human_agent``
(``rasa_addons/person_request.py``) and the complaint and fallback replies hand off on it.
Standard library only: the Rasa server imports it too (deploy/docker/rasa.Dockerfile).
"""

from __future__ import annotations

import re

_PERSON = (
    r"(?:someone|somebody|anyone|anybody|(?:a |an |your |the )?(?:real |live |actual )?"
    r"(?:person|human(?: being)?|people|agent|representative|rep|manager|supervisor|operator|"
    r"staff|support(?: team| staff| agent)?|customer (?:service|support)(?: team| agent)?))"
)
_ASKS_FOR_PERSON = re.compile(
    rf"\b(?:(?:talk|speak|chat)\s+(?:to|with)|get\s+me|connect\s+me\s+(?:to|with)|"
    rf"transfer\s+me\s+to|put\s+me\s+through\s+to)\s+{_PERSON}\b"
    rf"|\b(?:real|live|actual)\s+(?:person|human)\b|\bhuman\s+please\b",
    re.IGNORECASE,
)


# "Are you a real person?" / "am I talking to a human?" ask about the bot (bot_challenge).
_ASKS_ABOUT_THE_BOT = re.compile(
    r"\b(?:are|r)\s+(?:you|u)\b|\bam\s+i\s+(?:talking|speaking|chatting)\b", re.IGNORECASE
)


def asks_for_person(text: str) -> bool:
    """Whether a message asks for a person (also inside a longer complaint)."""
    text = text or ""
    return bool(_ASKS_FOR_PERSON.search(text)) and not _ASKS_ABOUT_THE_BOT.search(text)
