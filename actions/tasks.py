"""What runs when a form is complete: the change itself (only after a yes), or the status."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import TASK_SLOTS, conversation, send
from bot.dialogue.plan import matches_preview
from bot.dialogue.replies import Reply

NOTHING_CHANGED = Reply("OK, I haven't changed anything. Is there anything else I can do?")
NOT_AS_PREVIEWED = Reply(
    "The details changed after I showed you the summary, so I haven't changed anything. "
    "Please tell me again what you'd like to do."
)


def _clear_task() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in TASK_SLOTS]


class ChangeAction(Action):
    """Runs the confirmed change of one task; a "no" at the confirmation changes nothing."""

    action_name = ""
    task = ""

    def name(self) -> str:
        return self.action_name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("confirmed") is not True:
            send(dispatcher, NOTHING_CHANGED, tracker=tracker)
        elif not matches_preview(self.task, tracker.slots):  # a yes to another plan
            send(dispatcher, NOT_AS_PREVIEWED, tracker=tracker)
        else:
            send(
                dispatcher, conversation().execute(self.task, dict(tracker.slots)), tracker=tracker
            )
        return _clear_task()


class ActionCancelOrder(ChangeAction):
    action_name, task = "action_cancel_order", "cancel"


class ActionModifyItems(ChangeAction):
    action_name, task = "action_modify_items", "modify_items"


class ActionModifyAddress(ChangeAction):
    action_name, task = "action_modify_address", "modify_address"


class ActionModifyPayment(ChangeAction):
    action_name, task = "action_modify_payment", "modify_payment"


class ActionReturnItems(ChangeAction):
    action_name, task = "action_return_items", "return"


class ActionExchangeItems(ChangeAction):
    action_name, task = "action_exchange_items", "exchange"


class ActionChangeDefaultAddress(ChangeAction):
    action_name, task = "action_change_default_address", "default_address"


class ActionOrderStatus(Action):
    def name(self) -> str:
        return "action_order_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        customer_id, order_id = tracker.get_slot("customer_id"), tracker.get_slot("order_id")
        if customer_id and order_id:
            send(dispatcher, conversation().order_status(customer_id, order_id), tracker=tracker)
        return _clear_task()


class ActionIdentified(Action):
    def name(self) -> str:
        return "action_identified"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        customer_id = tracker.get_slot("customer_id")
        if customer_id:
            reply = conversation().welcome_back(customer_id, tracker.get_slot("order_id"))
            send(dispatcher, reply, tracker=tracker)
        return _clear_task()
