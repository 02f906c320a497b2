""" "Save as test": a reviewed conversation as a Rasa test story that ``rasa test`` can replay.

The story says what the bot *should* have done, so reviewers' corrections win over the log:
a corrected message gets its corrected intent, and the action after it is the corrected one
(the reviewer's, else the one the training rules put after that intent; bot/console/domain.py).
When that differs from what the bot did, the story ends there: everything after followed
the bot's mistake. Personal data never leaves the console: every personal value (found by
the console's masker, bot/console/pii.py) becomes the matching value of one test customer,
the customer of the project's own test stories (``tests/test_flows.yml``), so an
identification still replays with consistent e-mail, ZIP, name, customer id and order ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from bot.console.domain import rule_actions, trained_domain
from bot.console.pii import (
    IDENTITY_QUESTIONS,
    KnownPII,
    conversation_terms,
    load_known_pii,
    mask_value,
)
from bot.console.pseudonym import conversation_ref
from bot.console.repositories.conversations import ConversationRepository
from bot.console.timeline import load_events
from bot.db.session import Session
from bot.orders.ids import ORDER_ID_IN_TEXT as ORDER_ID_RE
from bot.texts.detect import LANGUAGE_ENTITY

# Not steps of a story: Rasa's bookkeeping around every turn and session.
SKIPPED_ACTIONS = {
    "action_listen",
    "action_session_start",
    "action_extract_slots",
    "action_unlikely_intent",
}
_REF = re.compile(r"C-[0-9a-f]{10}")


@dataclass(frozen=True)
class TestCustomer:
    """Who a saved story's shopper is: the customer of tests/test_flows.yml."""

    customer_id: str = "noah_brown_6181"
    email: str = "noah.brown@example.com"
    name: str = "Noah Brown"
    zip: str = "20001"
    order_ids: tuple[str, ...] = ("#W2611340",)
    phone: str = "555-010-0199"
    address: str = "986 Sunset Drive"
    city: str = "Denver"
    card: str = "4111 1111 1111 1111"

    def placeholders(self) -> dict[str, str]:
        """The masker's placeholder -> this customer's value."""
        return {
            "[email]": self.email,
            "[name]": self.name,
            "[zip]": self.zip,
            "[phone]": self.phone,
            "[address]": self.address,
            "[city]": self.city,
            "[card]": self.card,
        }


TEST_CUSTOMER = TestCustomer()


class _Faker:
    """Replaces one conversation's personal values, the same value always the same way."""

    def __init__(self, known: KnownPII, customer: TestCustomer) -> None:
        self.known = known
        self.customer = customer
        self.fill = customer.placeholders()
        self.orders: dict[str, str] = {}

    def order(self, raw: str) -> str:
        key = raw.upper().lstrip("#")
        if key not in self.orders:
            ids = self.customer.order_ids
            self.orders[key] = ids[len(self.orders) % len(ids)]
        return self.orders[key]

    def text(self, text: str) -> str:
        for placeholder, value in self.fill.items():
            text = text.replace(placeholder, value)
        text = _REF.sub(self.customer.customer_id, text)
        return ORDER_ID_RE.sub(lambda m: self.order(m.group(1)), text)

    def value(self, value: Any, name: str | None = None) -> Any:
        if name == "customer_id" and isinstance(value, str) and value:
            return self.customer.customer_id
        if name == "order_id" and isinstance(value, str) and value:
            return self.order(value)
        masked = mask_value(value, self.known, name)
        if isinstance(masked, str):
            return self.text(masked)
        if isinstance(masked, list):
            return [self.value(v) for v in masked]
        if isinstance(masked, dict):
            return {k: self.value(v, str(k)) for k, v in masked.items()}
        return masked


def _user_step(
    event: dict[str, Any], intent: str, faker: _Faker, answer_mask: str | None
) -> dict[str, Any]:
    """``user`` text with its entities annotated inline, or ``intent`` + ``entities`` when an
    entity's words cannot be found in the text. The answer to an identity question (the
    form asked for the e-mail, name, ZIP or address) is personal as a whole, whatever it looks
    like, as in the conversation view (bot/console/pii.py: IDENTITY_QUESTIONS)."""
    raw = str(event.get("text") or "")
    if answer_mask and raw:
        raw = answer_mask
    text = faker.value(raw) if raw else ""
    entities = [
        e
        for e in (event.get("parse_data") or {}).get("entities") or []
        if isinstance(e, dict) and e.get("entity") and e.get("entity") != LANGUAGE_ENTITY
    ]
    listed = [{str(e["entity"]): faker.value(e.get("value"), str(e["entity"]))} for e in entities]
    annotated = " ".join(text.split())
    for entity in entities:
        name = str(entity["entity"])
        value = faker.value(entity.get("value"), name)
        shown = str(value)
        if isinstance(value, str) and shown and shown in annotated and "[" not in shown:
            annotated = annotated.replace(shown, f"[{shown}]({name})", 1)
        else:
            annotated = ""
            break
    if annotated and not annotated.startswith("/"):
        return {"user": annotated, "intent": intent}
    step: dict[str, Any] = {"intent": intent}
    if listed:
        step["entities"] = listed
    return step


def story_steps(session: Session, sender_id: str, customer: TestCustomer) -> list[dict[str, Any]]:
    """The conversation as test-story steps (see the module docstring)."""
    conv_customer = ConversationRepository(session).customer_of(sender_id)
    events = load_events(session, sender_id)
    known = load_known_pii(session, conv_customer).plus(conversation_terms([e for _, e in events]))
    faker = _Faker(known, customer)
    corrections = {c.event_id: c for c in ConversationRepository(session).corrections(sender_id)}
    follows = rule_actions()
    forms = {a for a in trained_domain().actions if a.endswith("_form")}
    steps: list[dict[str, Any]] = []
    expect: str | None = None  # the corrected action the next bot action must be
    asked = ""  # the form question open when the shopper wrote
    for event_id, event in events:
        kind = event.get("event")
        if kind == "pause":  # a person took over: nothing more to expect of the bot
            break
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            correction = corrections.get(event_id)
            if correction is not None:
                intent = correction.corrected_intent
                expect = correction.corrected_action or follows.get(intent)
            if intent:
                steps.append(_user_step(event, intent, faker, IDENTITY_QUESTIONS.get(asked)))
            if correction is not None and expect is None:
                break  # nothing known that should follow
        elif kind == "action":
            name = str(event.get("name") or "")
            if not name or name in SKIPPED_ACTIONS:
                continue
            if expect is not None:
                mistaken = name != expect
                steps.append({"action": expect})
                expect = None
                if mistaken:  # what followed was the bot's mistake: the story ends here
                    if steps[-1]["action"] in forms:
                        steps.append({"active_loop": steps[-1]["action"]})
                    break
                continue
            steps.append({"action": name})
        elif kind == "active_loop":
            steps.append({"active_loop": event.get("name")})
        elif kind == "slot":
            name = str(event.get("name") or "")
            if name == "requested_slot":
                value = event.get("value")
                asked = value if isinstance(value, str) else ""
            slot = {name: faker.value(event.get("value"), name)}
            if steps and "slot_was_set" in steps[-1] and name not in _names(steps[-1]):
                steps[-1]["slot_was_set"].append(slot)
            else:
                steps.append({"slot_was_set": [slot]})
    if expect is not None:  # the conversation ended before the bot acted on the correction
        steps.append({"action": expect})
    return steps


def _names(step: dict[str, Any]) -> set[str]:
    return {name for slot in step["slot_was_set"] for name in slot}


def story_yaml_for(session: Session, sender_id: str, customer: TestCustomer | None = None) -> str:
    """A ``tests/test_*.yml`` document with the one story (named by reference, never by id)."""
    steps = story_steps(session, sender_id, customer or TEST_CUSTOMER)
    doc = {
        "version": "3.1",
        "stories": [
            {"story": f"console conversation {conversation_ref(sender_id)}", "steps": steps}
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
