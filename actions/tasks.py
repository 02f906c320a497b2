"""What runs when a form is complete: the change itself (only after a yes), or the status."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import TASK_SLOTS, conversation, send
from actions.requests import start_next
from bot.dialogue.plan import matches_preview
from bot.dialogue.replies import Reply, TaskOutcome
from bot.orders.tasks import CHANGE_TASKS, OrderTask, get_task
from bot.texts import t


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
        not_done = TaskOutcome(self.task, False)
        if tracker.get_slot("confirmed") is not True:
            send(dispatcher, Reply(t("change.declined"), task=not_done), tracker=tracker)
        elif not matches_preview(self.task, tracker.slots):  # a yes to another plan
            send(dispatcher, Reply(t("change.not_as_previewed"), task=not_done), tracker=tracker)
        else:
            send(
                dispatcher, conversation().execute(self.task, dict(tracker.slots)), tracker=tracker
            )
            # The next request of the same message, if there is one, starts now; after a
            # "no" the shopper is still on this one (it stays queued until this one is done).
            return [*_clear_task(), *start_next(dispatcher, tracker, tracker.get_slot("order_id"))]
        return _clear_task()


def change_action(task: OrderTask) -> type[ChangeAction]:
    """The change action of one task, named after its ``action`` (action_cancel_order ->
    ActionCancelOrder); Rasa SDK registers every Action subclass it finds."""
    name = "".join(word.capitalize() for word in task.action.split("_"))
    attrs = {"action_name": task.action, "task": task.name, "__module__": __name__}
    return type(name, (ChangeAction,), attrs)


CHANGE_ACTIONS: dict[str, type[ChangeAction]] = {
    task.name: change_action(task) for task in CHANGE_TASKS
}
globals().update({cls.__name__: cls for cls in CHANGE_ACTIONS.values()})


class ActionOrderStatus(Action):
    def name(self) -> str:
        return "action_order_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        customer_id, order_id = tracker.get_slot("customer_id"), tracker.get_slot("order_id")
        if customer_id and order_id:
            reply = conversation().order_status(customer_id, order_id, _status_question(tracker))
            send(dispatcher, reply, tracker=tracker)
        return [*_clear_task(), *start_next(dispatcher, tracker, order_id)]


def _status_question(tracker: Tracker) -> str:
    """The message that asked about the order ("which card did I use?"), not the answers to
    the form's questions (an e-mail, an order number) that came after it."""
    intents = set(get_task("status").intents)
    for event in reversed(tracker.events):
        intent = (event.get("parse_data", {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent in intents:
            return str(event.get("text") or "")
    return ""


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
