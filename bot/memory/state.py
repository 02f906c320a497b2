"""What the bot remembers about one shopper's session, as plain JSON-able data."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.safety.pii import mask_pii

MAX_TURNS = 6
MAX_PRODUCTS = 10
MAX_SUMMARY_CHARS = 800
PREFERENCE_KEYS = ("size", "colour", "budget", "category", "brand", "material")


@dataclass
class SessionState:
    sender_id: str
    customer_id: str | None = None
    summary: str = ""  # older turns, folded into one line each
    turns: list[dict[str, str]] = field(default_factory=list)  # the last few, verbatim
    viewed: list[str] = field(default_factory=list)  # product ids, most recent first
    recommended: list[str] = field(default_factory=list)
    preferences: dict[str, str] = field(default_factory=dict)
    updated_at: float = 0.0

    @property
    def last_product_id(self) -> str | None:
        return self.viewed[0] if self.viewed else None

    def is_empty(self) -> bool:
        return not (
            self.customer_id or self.summary or self.turns or self.viewed or self.preferences
        )

    # -- mutations (used inside atomic updates) --------------------------------------------
    def add_turn(self, role: str, text: str) -> None:
        """Keep the last turns verbatim (PII masked) and fold older ones into the summary."""
        self.turns.append({"role": role, "text": mask_pii(text)[:400]})
        while len(self.turns) > MAX_TURNS:
            old = self.turns.pop(0)
            who = "Shopper" if old["role"] == "user" else "Bot"
            line = f"{who}: {old['text'][:120]}"
            self.summary = (self.summary + "\n" + line).strip()[-MAX_SUMMARY_CHARS:]
        self.touch()

    def saw_products(self, product_ids: list[str], *, recommended: bool = False) -> None:
        target = self.recommended if recommended else self.viewed
        for pid in reversed(product_ids):
            if pid in target:
                target.remove(pid)
            target.insert(0, pid)
        del target[MAX_PRODUCTS:]
        if recommended:
            # What we showed is also what "it" refers to next.
            self.saw_products(product_ids[:1])
        self.touch()

    def set_preferences(self, prefs: dict[str, Any]) -> None:
        for key, value in prefs.items():
            if key in PREFERENCE_KEYS and value not in (None, ""):
                self.preferences[key] = str(value)
        self.touch()

    def touch(self) -> None:
        self.updated_at = time.time()

    # -- (de)serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, sender_id: str, data: dict[str, Any] | None) -> SessionState:
        if not data:
            return cls(sender_id=sender_id)
        return cls(
            sender_id=sender_id,
            customer_id=data.get("customer_id"),
            summary=str(data.get("summary") or ""),
            turns=list(data.get("turns") or []),
            viewed=list(data.get("viewed") or []),
            recommended=list(data.get("recommended") or []),
            preferences=dict(data.get("preferences") or {}),
            updated_at=float(data.get("updated_at") or 0.0),
        )

    def prompt_lines(self) -> list[str]:
        """Session memory as short lines for the prompt (already PII-masked)."""
        lines = []
        if self.preferences:
            lines.append(
                "Stated preferences: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.preferences.items()))
            )
        if self.viewed:
            lines.append("Products viewed (latest first): " + ", ".join(self.viewed[:5]))
        if self.summary:
            lines.append("Earlier in the conversation: " + self.summary[-300:].replace("\n", " | "))
        for turn in self.turns[-4:]:
            who = "Shopper" if turn["role"] == "user" else "Bot"
            lines.append(f"{who} said: {turn['text'][:200]}")
        return lines
