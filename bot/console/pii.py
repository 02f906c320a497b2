"""PII masking at the console's single call site.

The safety area owns the real masker (``bot.safety.pii.mask_pii``) and we use it, so the
console, exports and LLM prompts agree on what is personal data. The small pattern masker
below is only a fallback for a checkout where the safety module is missing.

On top, the console masks what identifies a shopper by itself or together (name + ZIP is
enough to look a customer up): self-introduced names and stated ZIP codes in free text, raw
customer ids (``first_last_1234`` is a name) shown as pseudonymous references, and, when the
conversation belongs to a known customer, that customer's name, ZIP, city, street, e-mail and
phone wherever they appear (:class:`KnownPII`, from the customer record).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.console.pseudonym import customer_ref

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


def _load_identity() -> Callable[[str], str]:
    try:
        from bot.safety.pii import mask_identity
    except Exception:  # an older safety module: names/ZIPs only from the customer record
        return lambda text: text
    return mask_identity


_IDENTITY = _load_identity()
# τ-bench / demo customer ids: ``first_last_1234`` (a name), shown as a reference instead.
_CUSTOMER_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)+_\d{3,6}\b")
# Slots and entities whose whole value is personal data.
PERSONAL_FIELDS = {
    "name": "[name]", "first_name": "[name]", "last_name": "[name]", "full_name": "[name]",
    "person": "[name]", "zip": "[zip]", "zip_code": "[zip]", "zipcode": "[zip]",
    "postcode": "[zip]", "city": "[city]", "address": "[address]", "address1": "[address]",
    "address2": "[address]", "street": "[address]", "email": "[email]", "phone": "[phone]",
}  # fmt: skip


@dataclass(frozen=True)
class KnownPII:
    """What the console knows about the conversation's customer (from the shop record)."""

    terms: tuple[tuple[str, str], ...] = ()  # (text, mask), longest first

    @classmethod
    def of(cls, customer: Any | None, customer_id: str | None = None) -> KnownPII:
        """From a ``bot.db.models.Customer`` (or anything with the same attributes)."""
        terms: list[tuple[str, str]] = []
        if customer_id:
            terms.append((customer_id, customer_ref(customer_id)))
        if customer is not None:
            first, last = customer.first_name or "", customer.last_name or ""
            for value, mask in (
                (f"{first} {last}".strip(), "[name]"), (first, "[name]"), (last, "[name]"),
                (customer.email or "", "[email]"), (customer.phone or "", "[phone]"),
                (customer.address1 or "", "[address]"), (customer.address2 or "", "[address]"),
                (customer.city or "", "[city]"), (customer.zip or "", "[zip]"),
            ):  # fmt: skip
                if len(value.strip()) >= 2:
                    terms.append((value.strip(), mask))
        terms.sort(key=lambda t: len(t[0]), reverse=True)
        return cls(tuple(terms))

    def plus(self, extra: list[tuple[str, str]]) -> KnownPII:
        """These terms too (values the shopper gave in this conversation), longest first."""
        terms = {value: mask for value, mask in self.terms}
        for value, mask in extra:
            if len(value.strip()) >= 2:
                terms.setdefault(value.strip(), mask)
        return KnownPII(tuple(sorted(terms.items(), key=lambda t: len(t[0]), reverse=True)))

    def mask(self, text: str) -> str:
        for value, mask in self.terms:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", mask, text, flags=re.IGNORECASE)
        return text


# Form questions whose answer is personal data as a whole: a shopper's reply to one of them
# is masked entirely, whatever it looks like ("Ava Rossi", "27646", a street): a failed
# identification leaves no customer record to mask by, and the answer is the credential.
IDENTITY_QUESTIONS = {
    "email": "[email]",
    "person_name": "[name]",
    "zip": "[zip]",
    "new_address": "[address]",
}
# Slots and entities of a conversation whose values are masked wherever they appear.
PERSONAL_SLOTS = {**IDENTITY_QUESTIONS, "phone": "[phone]"}


def conversation_terms(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Personal values the shopper gave in these events (slots and entities), to mask."""
    terms: list[tuple[str, str]] = []

    def add(name: Any, value: Any) -> None:
        mask = PERSONAL_SLOTS.get(str(name or ""))
        if mask is None:
            return
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                text = str(item).lstrip("?")  # form validators park raw answers as "?text"
                terms.append((text, mask))
                if mask == "[address]":  # its parts too: "[address], Springfield, IL"
                    terms.extend((part, mask) for part in re.split(r"\s*,\s*", text))

    for event in events:
        if event.get("event") == "slot":
            add(event.get("name"), event.get("value"))
        elif event.get("event") == "user":
            for entity in (event.get("parse_data") or {}).get("entities") or []:
                if isinstance(entity, dict):
                    add(entity.get("entity"), entity.get("value"))
    return terms


def load_known_pii(session: Any, customer_id: str | None) -> KnownPII:
    """The customer record behind a conversation, as a masker (empty when unknown)."""
    if not customer_id:
        return KnownPII()
    try:
        from bot.orders.repository import OrderRepository

        customer = OrderRepository(session).customer(customer_id)
    except Exception:  # no shop tables in this database: mask what we can
        customer = None
    return KnownPII.of(customer, customer_id)


def mask_text(text: str | None, known: KnownPII | None = None) -> str:
    """Mask PII in one string (never raises; ``None`` becomes ``""``)."""
    if not text:
        return ""
    text = str(text)
    if known is not None:
        text = known.mask(text)
    text = _MASK(_IDENTITY(text))
    return _CUSTOMER_ID.sub(lambda m: customer_ref(m.group(0)), text)


def mask_value(value: Any, known: KnownPII | None = None, name: str | None = None) -> Any:
    """Mask every string inside a JSON-like value (a personal field's whole value)."""
    if name and value not in (None, "", [], {}):
        key = name.lower()
        if key == "customer_id" and isinstance(value, str):
            return customer_ref(value)
        if key in PERSONAL_FIELDS:
            return PERSONAL_FIELDS[key]
    if isinstance(value, str):
        return mask_text(value, known)
    if isinstance(value, list):
        return [mask_value(v, known) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v, known, str(k)) for k, v in value.items()}
    return value


def mask_email(email: str | None) -> str:
    """Keep the first letter and the domain: ``n***@example.com``."""
    if not email or "@" not in email:
        return mask_text(email)
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"
