"""The shopper the end-to-end tests talk as: one REST conversation with the running stack.

One helper for every e2e module (it was copied into each): the REST webhook, the tracker and
slots through Rasa's token-protected HTTP API, and what the shopper was shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

S = TypeVar("S", bound="Shopper")


@dataclass
class Shopper:
    """One REST conversation: every reply is kept for the assertions."""

    rasa_url: str
    sender: str
    replies: list[dict[str, Any]] = field(default_factory=list)
    token: str = ""
    last: list[dict[str, Any]] = field(default_factory=list)  # the latest turn's messages

    @classmethod
    def on(cls: type[S], stack: Any, prefix: str = "e2e") -> S:
        """A new conversation with the running stack (sender ``<prefix>-<random>``)."""
        return cls(stack.rasa_url, f"{prefix}-{uuid.uuid4().hex[:10]}", [], stack.config.rasa_token)

    def another(self: S, suffix: str) -> S:
        """A second conversation of the same kind (sender ``<this sender>-<suffix>``)."""
        return type(self)(self.rasa_url, f"{self.sender}-{suffix}", [], self.token)

    def send(self, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The bot's messages for one shopper message (also kept in ``replies``)."""
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()
        self.replies.extend(messages)
        self.last = messages
        return messages

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> str:
        """What the shopper sees: the texts and the quick replies' titles (a list of choices
        is shown as buttons or as text lines, never both; payloads are not shown)."""
        messages = self.send(text, metadata)
        shown = [str(msg.get("text") or "") for msg in messages]
        shown += [str(b.get("title")) for msg in messages for b in msg.get("buttons") or []]
        return "\n".join(shown)

    def texts(self, text: str, metadata: dict[str, Any] | None = None) -> list[str]:
        """The bot's text messages for one shopper message, one item each."""
        return [str(m.get("text") or "") for m in self.send(text, metadata) if m.get("text")]

    def tracker(self) -> dict[str, Any]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())

    def slots(self) -> dict[str, Any]:
        return dict(self.tracker()["slots"])

    def offered(self, payload: str) -> bool:
        """Was this quick reply offered (item numbers travel in payloads, not in the text)?"""
        return any(
            b.get("payload") == payload for r in self.replies for b in r.get("buttons") or []
        )

    def click(self, title: str) -> str:
        """Tap the latest quick reply whose title contains ``title`` (sends its payload)."""
        for reply in reversed(self.replies):
            for b in reply.get("buttons") or []:
                if title.lower() in str(b.get("title") or "").lower():
                    return self.say(str(b["payload"]))
        raise AssertionError(f"no quick reply {title!r} was offered")

    def buttons(self) -> list[dict[str, Any]]:
        """The quick replies of the latest turn."""
        return [b for msg in self.last for b in msg.get("buttons") or []]

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        return [r["custom"] for r in self.replies if (r.get("custom") or {}).get("type") == kind]
