"""Action tests: rasa_sdk trackers and dispatchers over the real services and a loaded shop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.bootstrap import Services, install
from bot.catalog.keyword import ensure_search_indexes
from bot.db import models as m
from bot.db.session import Database
from bot.settings import Settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = PROJECT_ROOT / "data" / "shop" / "demo"


@pytest.fixture
def shop(db: Database) -> Iterator[Database]:
    """The demo shop (with policy passages) in the test database, used by every action."""
    load_shop_data(db, read_demo(DEMO_DIR))
    ensure_search_indexes(db)  # the keyword index product search reads
    # Fresh services on this database: failed identifications of other tests don't count,
    # and session memory starts empty.
    install(Services(Settings(), database=db))
    yield db
    install(None)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The assistant's domain (all files of domain/), as the action server receives it."""
    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(data.get(key) or {})
        merged["actions"] += data.get("actions") or []
    return merged


@dataclass
class Turn:
    """What one action run produced."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [msg["text"] for msg in self.messages if msg.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for msg in self.messages for b in msg.get("buttons") or []]

    @property
    def shown(self) -> str:
        """The texts and the quick replies (title and what they send): what the shopper sees,
        since a list of choices is shown either as buttons or in the text, never both."""
        return "\n".join([*self.texts, *(f"{b['title']} {b['payload']}" for b in self.buttons)])

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [msg["custom"] for msg in self.messages if msg.get("custom")]

    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


@dataclass
class Conversation:
    """A tracker under construction: slots, the active form and the latest message."""

    slots: dict[str, Any] = field(default_factory=dict)
    form: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    # Slots Rasa's own mappings set in this turn: SlotSet events after the user message, so
    # the validator sees them as slots to validate (cleared after the turn).
    mapped: dict[str, Any] = field(default_factory=dict)

    def tracker(
        self,
        text: str = "",
        intent: str = "inform",
        entities: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        ranking: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "metadata": metadata or {},
            "intent_ranking": ranking or [],
        }
        events = [
            *self.history,
            {"event": "user", "text": text, "parse_data": message},
            *({"event": "slot", "name": k, "value": v} for k, v in self.mapped.items()),
        ]
        return Tracker(
            sender_id="test",
            slots=dict(self.slots),
            latest_message=message,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": self.form} if self.form else {},
            latest_action_name="action_listen",
        )

    def run(
        self,
        action: Action,
        domain: dict[str, Any],
        text: str = "",
        intent: str = "inform",
        entities: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        ranking: list[dict[str, Any]] | None = None,
    ) -> Turn:
        """Run an action on the current state; its slot events and messages are applied
        afterwards (the messages as Rasa's ``bot`` events, buttons included)."""
        tracker = self.tracker(text, intent, entities, metadata, ranking)
        dispatcher = CollectingDispatcher()
        result = action.run(dispatcher, tracker, domain)
        events = asyncio.run(result) if asyncio.iscoroutine(result) else result
        self.mapped = {}
        self.history.append({"event": "user", "text": text, "parse_data": tracker.latest_message})
        for message in dispatcher.messages:
            data = {"buttons": message.get("buttons") or None, "custom": message.get("custom")}
            self.history.append({"event": "bot", "text": message.get("text"), "data": data})
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return Turn(dispatcher.messages, events)

    def answer(
        self, validator: Action, domain: dict[str, Any], slot: str, text: str, **kwargs: Any
    ) -> Turn:
        """The shopper answers the form's question for ``slot`` (as the form would run)."""
        self.slots["requested_slot"] = slot
        self.history.append({"event": "slot", "name": "requested_slot", "value": slot})
        self.mapped = dict(kwargs.pop("mapped", None) or {})
        self.slots.update(self.mapped)  # what Rasa's own slot mappings set before validation
        return self.run(validator, domain, text, **kwargs)


def find_order(db: Database, status: str, *, items_modified: bool = False) -> m.Order:
    """An order in ``status`` whose lines are untouched (so any task on it starts clean)."""
    with db.session() as s:
        for order in s.scalars(
            select(m.Order).where(m.Order.status == status).order_by(m.Order.id)
        ).all():
            if order.items_modified != items_modified:
                continue
            if any(ln.return_requested or ln.exchange_variant_id for ln in order.lines):
                continue
            if not any(t.kind == "payment" for t in order.transactions):
                continue
            order.lines  # noqa: B018 - load before the session closes
            order.customer  # noqa: B018
            return order
    raise AssertionError(f"the demo shop has no clean {status} order")


def other_variant(db: Database, variant_id: str) -> m.Variant | None:
    """An available variant of the same product, different from ``variant_id``."""
    with db.session() as s:
        current = s.get(m.Variant, variant_id)
        assert current is not None
        return s.scalars(
            select(m.Variant)
            .where(
                m.Variant.product_id == current.product_id,
                m.Variant.id != variant_id,
                m.Variant.available.is_(True),
            )
            .order_by(m.Variant.id)
        ).first()
