"""PII masking at the console's single call site.

The safety area owns the real masker (``bot.safety.pii.mask_pii``) and we use it, so the
console, exports and LLM prompts agree on what is personal data. The small pattern masker
below is only a fallback for a checkout where the safety module is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[card]"),
    (re.compile(r"(?<!\w)\+?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b"), "[phone]"),
    (
        re.compile(
            r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s){1,3}"
            r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b\.?",
        ),
        "[address]",
    ),
    (re.compile(r"\b\d{5}(?:-\d{4})?\b"), "[zip]"),
]


def _fallback_mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _load_masker() -> Callable[[str], str]:
    try:
        from bot.safety.pii import mask_pii  # type: ignore[import-not-found]
    except Exception:  # the safety module is not there (yet): use ours
        return _fallback_mask

    return mask_pii  # type: ignore[no-any-return]


_MASK = _load_masker()


def mask_text(text: str | None) -> str:
    """Mask PII in one string (never raises; ``None`` becomes ``""``)."""
    if not text:
        return ""
    return _MASK(str(text))


def mask_value(value: Any) -> Any:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def mask_email(email: str | None) -> str:
    """Keep the first letter and the domain: ``n***@example.com``."""
    if not email or "@" not in email:
        return mask_text(email)
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"
