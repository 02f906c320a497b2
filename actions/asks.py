"""Form questions whose wording depends on the shopper's data (their orders, items, cards)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation, send, task_of
from actions.forms import proof_pending
from bot.dialogue.plan import plan_fingerprint


class AskQuestion(Action):
    """A form question with fixed wording (kept in the service, next to the parsers)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(dispatcher, conversation().question(self.slot), tracker=tracker)
        return []


class ActionAskEmail(AskQuestion):
    slot = "email"


class ActionAskPersonName(AskQuestion):
    slot = "person_name"


class ActionAskZip(AskQuestion):
    slot = "zip"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # After an e-mail the zip slot holds the second fact: an order id or the ZIP.
        slot = "proof" if proof_pending(tracker) else self.slot
        send(dispatcher, conversation().question(slot), tracker=tracker)
        return []


class ActionAskCancelReason(AskQuestion):
    slot = "cancel_reason"


class ActionAskNewAddress(AskQuestion):
    slot = "new_address"


class ActionAskOrderId(Action):
    def name(self) -> str:
        return "action_ask_order_id"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(
            dispatcher, conversation().ask_order(tracker.get_slot("customer_id"), task_of(tracker))
        )
        return []


class ActionAskItemIds(Action):
    def name(self) -> str:
        return "action_ask_item_ids"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reply = conversation().ask_items(
            tracker.get_slot("customer_id") or "",
            tracker.get_slot("order_id") or "",
            task_of(tracker),
        )
        send(dispatcher, reply, tracker=tracker)
        return []


class ActionAskNewItemIds(Action):
    def name(self) -> str:
        return "action_ask_new_item_ids"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(
            dispatcher,
            conversation().ask_new_items(list(tracker.get_slot("item_ids") or [])),
            tracker=tracker,
        )
        return []


class ActionAskPaymentMethodId(Action):
    def name(self) -> str:
        return "action_ask_payment_method_id"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reply = conversation().ask_payment(
            tracker.get_slot("customer_id") or "", tracker.get_slot("order_id"), task_of(tracker)
        )
        send(dispatcher, reply, tracker=tracker)
        return []


class ActionAskConfirmed(Action):
    """The preview: exactly what will change, then "shall I go ahead?"."""

    def name(self) -> str:
        return "action_ask_confirmed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        task = task_of(tracker)
        send(dispatcher, conversation().preview(task, dict(tracker.slots)), tracker=tracker)
        # What a yes will apply: exactly these slot values (actions/forms.py, actions/tasks.py).
        return [SlotSet("previewed_plan", plan_fingerprint(task, tracker.slots))]
