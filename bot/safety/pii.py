"""Mask personal data (emails, phones, card numbers, street addresses) in free text.

Used before any text leaves for an LLM, and by the staff console and exports. Masks are
typed placeholders (``[email]``, ``[phone]``, ``[card]``, ``[address]``) so a reader still
understands the sentence. Shop ids are never masked: τ-bench product/variant ids are bare
10-digit numbers, so a phone number is only recognised with a separator, brackets or ``+``.
"""

from __future__ import annotations

import re

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
CARD_MASK = "[card]"
ADDRESS_MASK = "[address]"

# The lookbehind starts a match only where a run of local-part characters starts (the
# leftmost match starts there anyway): without it a long run with no "@" costs O(n²).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+"  # local part, starting where its run starts
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# 13-19 digits, optionally grouped by single spaces or dashes.
_CARD_CANDIDATE = re.compile(r"(?<![\w#])\d(?:[ -]?\d){12,18}(?!\w)")
_PHONE = re.compile(
    r"(?<![\w#])(?:"
    r"\+\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){1,4}\d{2,4}"  # international, leading +
    r"|\(\d{3}\)\s?\d{3}[\s.-]?\d{4}"  # (555) 123-4567
    r"|\d{3}[\s.-]\d{3}[\s.-]\d{4}"  # 555-123-4567, 555.123.4567, 555 123 4567
    r")(?!\w)"
)
_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl)"
)
_ADDRESS = re.compile(
    r"(?<![\w#])\d{1,6}\s+(?:[A-Za-z][A-Za-z'.-]*\s+){1,4}" + _STREET_SUFFIX + r"\b\.?"
    r"(?:,?\s+(?:suite|apt|apartment|unit|ste|#)\.?\s*[A-Za-z0-9-]+)?",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every real payment card number satisfies."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_MASK if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)


def mask_pii(text: str) -> str:
    """Return ``text`` with emails, card numbers, phone numbers and street addresses masked.

    Order matters: cards before phones (a card's digit groups look like a phone) and
    emails first (their local part may contain digits).
    """
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _CARD_CANDIDATE.sub(_mask_card, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _ADDRESS.sub(ADDRESS_MASK, text)
    return text


def contains_pii(text: str) -> bool:
    """True when masking would change the text."""
    return mask_pii(text) != text


# --- identity: self-introduced names and ZIP codes ------------------------------------------
# Not part of ``mask_pii`` (LLM prompts need "my name is ..." to greet, and order lookups need
# the ZIP); the staff console and exports apply it on top (bot/console/pii.py).
NAME_MASK = "[name]"
ZIP_MASK = "[zip]"
_NAME_STOP = (
    r"(?:and|my|from|with|zip|email|e-mail|phone|i|im|order|at|in|here|looking|trying|not|"
    r"so|the|a|an|your|just|calling|writing|having|very|really|still|also|on|to|for|but|"
    r"please|thanks|thank|pls|ok|okay|can|could|would|need|want|is|was)"
)
_WORD = r"[^\W\d_][\w'-]*"
_CAP = r"[A-Z][\w'-]*"
# "my name is yusuf rossi": any case, 1-3 words, stopping at words that are not a name.
_NAME_IS = re.compile(
    rf"(?i:\b(?:my\s+name\s+is|my\s+name's|name\s*:|call\s+me)\s+)"
    rf"(?!{_NAME_STOP}\b)(?i:{_WORD})(?:\s+(?!(?i:{_NAME_STOP})\b)(?i:{_WORD})){{0,2}}"
)
# "I am Yusuf Rossi" / "I'm Yusuf" / "this is Yusuf": capitalised words only, so
# "I am looking for shoes" is left alone.
_I_AM = re.compile(rf"\b(?i:i\s+am|i'm|im|this\s+is)\s+{_CAP}(?:\s+{_CAP}){{0,2}}")
# A 5-digit (ZIP+4) code: after the word zip/postcode, or right after a name and a comma.
_ZIP = re.compile(
    r"(?i:\b(?:zip|zipcode|zip\s+code|postcode|postal\s+code)\b[\s:#-]*(?:is\s+)?)"
    r"\d{5}(?:-\d{4})?(?![\w])"
)


def _keep_lead(match: re.Match[str], mask: str) -> str:
    """Keep the introducing words ("my name is ") and mask what follows."""
    text = match.group(0)
    lead = re.match(r"(?i)(?:.*?\b(?:is|name's|:|me|am|i'm|im))\s*", text)
    return (lead.group(0) if lead else "") + mask


def mask_identity(text: str) -> str:
    """Mask names a shopper gives for themself and ZIP codes they state."""
    if not text:
        return text
    text = _NAME_IS.sub(lambda m: _keep_lead(m, NAME_MASK), text)
    text = _I_AM.sub(lambda m: _keep_lead(m, NAME_MASK), text)
    text = _ZIP.sub(lambda m: re.sub(r"\d{5}(?:-\d{4})?$", ZIP_MASK, m.group(0)), text)
    return text
