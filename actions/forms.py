"""Form validators: pull answers out of the shopper's text and check them with the services.

Every task form starts with the identity step (email plus an order id or ZIP, or name + zip)
unless the shopper is already verified, then asks the task's own questions. A value that
fails a check is explained and cleared, so the form asks again.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (
    FORM_TASKS,
    conversation,
    earlier_answers,
    latest_intent,
    latest_metadata,
    latest_text,
    linked_token,
    slot_before_turn,
)
from actions.requests import (
    CURRENT,
    announce,
    current_request,
    request_entity,
    request_text,
    user_turn,
)
from bot.dialogue import agenda, parsing, plan
from bot.dialogue.items import new_variant_words
from bot.dialogue.replies import Check
from bot.orders.tasks import TASKS, get_task, other_task_intents
from bot.orders.tasks.cancel import reason_label
from bot.texts import list_alternatives, t

log = logging.getLogger(__name__)

# Answers with these intents are taken as answers to the form's question even when they
# can't be parsed (the shopper gets told what was wrong); any other intent that can't be
# parsed rejects the form, so the digression rules can answer it.
ANSWER_INTENTS = {"inform", "nlu_fallback", ""}
NOT_AN_ANSWER = {"stop", "deny", "affirm", "contact_human_agent", "goodbye", "greet", "thank"}
# The questions after the items: naming another item there corrects the items.
AFTER_ITEMS = ("new_item_ids", "payment_method_id", "confirmed")
# What a request may say before it can be resolved, in the order the form asks it.
FROM_REQUEST = ("item_ids", "new_item_ids", "payment_method_id", "new_address")
RAW = "?"  # prefix of a raw answer that the slot's validate method still has to parse


def _raw(text: str) -> str:
    return RAW + text


def _is_raw(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(RAW)


def proof_pending(tracker: Tracker) -> bool:
    """An e-mail was given and the second fact (order id or ZIP) is still missing."""
    email = tracker.get_slot("email")
    return bool(email) and not _is_raw(email) and not tracker.get_slot("customer_id")


def _unverified_pair(tracker: Tracker) -> bool:
    """A name and a ZIP that are not being checked in this turn and were never verified: the
    NLU's entities from a message that was not an answer ("Suite" and the 20564 of "227 Oak
    Street, Suite 699, Washington, DC 20564"). Rasa hands a form only its own and the asked
    slots to validate, so these would pass for the identity step's answers; the e-mail
    question (which takes name + ZIP too) is asked instead."""
    name, zip_code = tracker.slots.get("person_name"), tracker.slots.get("zip")
    if not name or not zip_code or _is_raw(name) or _is_raw(zip_code):
        return False
    return not {"person_name", "zip"} & set(tracker.slots_to_validate())


def _name_and_zip(tracker: Tracker, text: str) -> tuple[str | None, str | None]:
    """Name + ZIP answering the identity question. One half alone corrects an answer that
    failed ("Sorry, typo! My zip code is 10020"): the other half comes from the answers given
    to the same question before."""
    name, zip_code = parsing.extract_person_name(text), parsing.extract_zip(text)
    if bool(name) == bool(zip_code):
        return name, zip_code
    for earlier in reversed(earlier_answers(tracker, "email")):
        name = name or parsing.introduced_name(earlier) or parsing.extract_person_name(earlier)
        zip_code = zip_code or parsing.extract_zip(earlier)
        if name and zip_code:
            break
    return name, zip_code


def _corrected_address(tracker: Tracker) -> dict[str, str] | None:
    """The new address with the part the latest message corrects ("wait sorry, its suite 210
    not 200"), once an address was given; ``None`` when the message corrects none of it."""
    current = tracker.slots.get("new_address")
    if not isinstance(current, dict):
        return None
    try:
        address = parsing.ParsedAddress(**current)
    except TypeError:
        return None
    fixed = parsing.corrected_address(address, latest_text(tracker))
    return fixed.as_dict() if fixed else None


def _introduced(text: str) -> dict[str, str] | None:
    """Name and ZIP the shopper gave unasked ("I'm Omar Silva, zip 92107. I'd like to ...")."""
    name, zip_code = parsing.introduced_name(text), parsing.extract_zip(text)
    return {"person_name": name, "zip": zip_code} if name and zip_code else None


def _request_intent(tracker: Tracker) -> str:
    """The intent of the request being started in this turn (a queued one, or one another
    form handed over), else the latest message's."""
    request = current_request(tracker)
    intent = request.get("intent") if request else None
    return str(intent) if intent else latest_intent(tracker)


def _client(tracker: Tracker) -> str | None:
    """The client address the Rasa channel put into the metadata (never the client's own)."""
    found = latest_metadata(tracker).get("client_ip")
    return found if isinstance(found, str) and found else None


class ShopFormValidation(FormValidationAction):
    """Identity first, then the task's slots; one subclass per task form (from the registry,
    at the end of this module) names the form and its task slots."""

    form: str = ""
    task_slots: tuple[str, ...] = ()

    def name(self) -> str:
        return f"validate_{self.form}"

    @property
    def task(self) -> str:
        return FORM_TASKS.get(self.form, "")

    # -- which questions remain ---------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        identity: list[str] = []
        if not tracker.slots.get("customer_id"):
            by_name = tracker.slots.get("person_name") or tracker.slots.get("zip")
            if proof_pending(tracker):
                identity = ["email", "zip"]  # the zip question asks for an order id or ZIP
            elif by_name and not tracker.slots.get("email") and not _unverified_pair(tracker):
                identity = ["person_name", "zip"]
            else:
                identity = ["email"]
        return identity + [s for s in self.task_slots if not self._skipped(tracker, s)]

    def _skipped(self, tracker: Tracker, slot: str) -> bool:
        """A question with nothing to decide: who pays a price difference of $0."""
        if slot != "payment_method_id" or tracker.slots.get(slot):
            return False
        customer_id, order_id = tracker.slots.get("customer_id"), tracker.slots.get("order_id")
        if not customer_id or not order_id or "new_item_ids" not in self.task_slots:
            return False
        return conversation().nothing_to_pay(str(customer_id), self.task, tracker.slots)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (
            _request_intent(tracker) in other_task_intents(self.form)
            and not self._about_items(tracker)
            and not self._answers_payment(tracker)
        ):
            # "I want to CANCEL order S1000029" at this form's question: not an answer. The
            # form rejects (explicitly: the order id in it was already extracted, which
            # would count as an answer), and the switch rule starts the other task with what
            # is known.
            return [ActionExecutionRejected(self.form)]
        # Several requests in one message: say the plan, queue all but the first.
        token_events: list[EventType] = announce(dispatcher, tracker)
        if tracker.slots.get("customer_id"):
            notice = conversation().other_shopper_notice(
                tracker.slots["customer_id"], latest_text(tracker)
            )
            if notice:
                dispatcher.utter_message(text=notice)
        elif self._address_zip(tracker):
            # "… to 445 Maple Drive, Suite 394, Fort Worth, TX 76165": Rasa's mapping put the
            # address's ZIP into the identity slot, and a form that starts on the message does
            # not validate it; it would ask for the name that goes with it.
            tracker.slots["zip"] = None
            token_events.append(SlotSet("zip", None))
        if not tracker.slots.get("customer_id"):
            token = latest_metadata(tracker).get("customer_token") or linked_token(tracker)
            customer_id = conversation().customer_from_token(token) if token else None
            if customer_id:
                tracker.slots["customer_id"] = customer_id
                token_events.append(SlotSet("customer_id", customer_id))
        events = token_events + await super().run(dispatcher, tracker, domain)
        switched = self._switch_task(dispatcher, tracker, events)
        if switched is not None:
            return switched
        return self._confirm_only_the_preview(dispatcher, tracker, events)

    def _address_zip(self, tracker: Tracker) -> bool:
        """Is the unverified ZIP only the ZIP of the address the latest message gives?"""
        zip_code, text = tracker.slots.get("zip"), latest_text(tracker)
        if not zip_code or _is_raw(zip_code) or self._asked(tracker, "zip", "person_name"):
            return False
        return parsing.in_address(text, str(zip_code)) and zip_code not in parsing.extract_zips(
            text
        )

    def _switch_task(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, events: list[EventType]
    ) -> list[EventType] | None:
        """The order just named (or checked once the shopper was verified) is one this task
        can't take and its counterpart can (an item change of a delivered order): this form
        ends and the counterpart's form starts on the same request, in this turn, instead of
        asking for another order (the dead conversation of train-196)."""
        customer_id, order_id = tracker.slots.get("customer_id"), tracker.slots.get("order_id")
        if not customer_id or not order_id or _is_raw(order_id):
            return None
        if not any(
            e.get("event") == "slot" and e.get("name") in ("order_id", "customer_id")
            for e in events
        ):
            return None  # nothing new about the order: it was checked before
        found = conversation().task_instead(str(customer_id), str(order_id), self.task)
        if found is None:
            return None
        other, notice = get_task(found[0]), found[1]
        dispatcher.utter_message(text=notice)
        log.info("order %s: %s becomes %s", order_id, self.task, other.name)
        request = {"text": self._request_words(tracker).text, "intent": other.intents[0]}
        kept = [
            e
            for e in events
            if not (e.get("event") == "slot" and e.get("name") == "requested_slot")
        ]
        return [
            *kept,
            SlotSet(CURRENT, {"turn": user_turn(tracker), "request": request}),
            SlotSet("requested_slot", None),
            ActiveLoop(None),
            FollowupAction(other.form),
        ]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The slots just set, validated; then what the task's request already said of the
        questions still to ask, now that the shopper and the order may be known."""
        events = await self._validated(dispatcher, tracker, domain)
        return events + self._from_request(tracker)

    def _from_request(self, tracker: Tracker) -> list[EventType]:
        """Items, new options, payment method or address the request gave before they could
        be resolved (``ShopConversation.fill_from_request``), for questions not asked yet."""
        customer_id = tracker.slots.get("customer_id")
        order_id = tracker.slots.get("order_id")
        if not customer_id or _is_raw(order_id):
            return []
        start = self._request_words(tracker)
        missing = [
            slot
            for slot in FROM_REQUEST
            if slot in self.task_slots
            and tracker.slots.get(slot) is None
            and slot not in start.asked
            and slot != self._requested(tracker)
        ]
        if not missing or not start.text:
            return []
        found = conversation().fill_from_request(
            customer_id, order_id, self.task, start.text, missing, tracker.slots
        )
        if found:
            log.info("from the request's words: %s", sorted(found))
        return [SlotSet(slot, value) for slot, value in found.items()]

    async def _validated(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate the slots just set, but not the ones just cleared: a form started after
        another task (the next request of the same message) follows that task's clean-up."""
        cleared = {
            name
            for name, value in tracker.slots_to_validate().items()
            if value is None and name in tracker.slots
        }
        if not cleared:
            return await super().get_validation_events(dispatcher, tracker, domain)
        events = list(tracker.events)
        tracker.events = [
            e for e in events if not (e.get("event") == "slot" and e.get("name") in cleared)
        ]
        try:
            return await super().get_validation_events(dispatcher, tracker, domain)
        finally:
            tracker.events = events

    def _about_items(self, tracker: Tracker) -> bool:
        """Does the message answer this form's item questions, whatever intent it was given?
        ("switch type linear, backlight RGB" read as an exchange inside a modification, or
        "Sorry, I meant the keyboard, not the boots": no other task.)"""
        items, order_id = tracker.slots.get("item_ids"), tracker.slots.get("order_id")
        if not items or not order_id or not self._asked(tracker, *AFTER_ITEMS):
            return False
        text = latest_text(tracker)
        service = conversation()
        customer_id = str(tracker.slots.get("customer_id") or "")
        if service.corrected_items(customer_id, str(order_id), text, list(items)) is not None:
            return True
        return self._asked(tracker, "new_item_ids") and (
            service.resolve_new_items(list(items), text, self._new_item_answers(tracker)).ok
        )

    def _answers_payment(self, tracker: Tracker) -> bool:
        """Does the message answer this form's payment question, whatever intent it was given?
        ("the original payment method please" is a payment change by its words, but at "which
        payment method should pay the difference?" it names the method: no other task.)"""
        if self._requested(tracker) != "payment_method_id":
            return False
        customer_id = tracker.slots.get("customer_id")
        if not customer_id:
            return False
        order_id = tracker.slots.get("order_id")
        known_order = str(order_id) if order_id and not _is_raw(order_id) else None
        check = conversation().resolve_payment(
            str(customer_id), known_order, latest_text(tracker), self.task
        )
        return check.ok

    def _request_words(self, tracker: Tracker) -> agenda.Opening:
        """The words of the request this form is doing, and the questions asked since."""
        if self._opening(tracker):
            return agenda.Opening(request_text(tracker))
        return agenda.opening(tracker.events, self.form, CURRENT)

    def _opening(self, tracker: Tracker) -> bool:
        """The form is starting on a request (it asked nothing yet, or a request of several
        starts in this turn): the message may carry more than the form asks first."""
        return self._requested(tracker) is None or current_request(tracker) is not None

    def _confirm_only_the_preview(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, events: list[EventType]
    ) -> list[EventType]:
        """A yes counts only for the plan the preview showed; new values mean a new preview."""
        if "confirmed" not in self.task_slots:
            return events
        slots = dict(tracker.slots)
        for event in events:
            if event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
        if slots.get("confirmed") is not True or plan.matches_preview(self.task, slots):
            return events
        log.info("a confirmation came with changes: previewing again before any change")
        if tracker.slots.get("previewed_plan"):
            dispatcher.utter_message(text=t("change.plan_changed"))
        # The form is not done: it asks "confirmed" again (a new preview), unless an earlier
        # slot went missing on the way (then it asks for that one first).
        requested = next(
            (
                e.get("value")
                for e in reversed(events)
                if e.get("event") == "slot" and e.get("name") == "requested_slot"
            ),
            None,
        )
        kept = [
            e
            for e in events
            if not (e.get("event") == "slot" and e.get("name") in ("confirmed", "requested_slot"))
        ]
        return [
            *kept,
            SlotSet("confirmed", None),
            SlotSet("requested_slot", requested or "confirmed"),
        ]

    def _requested(self, tracker: Tracker) -> str | None:
        return tracker.slots.get("requested_slot")

    def _asked(self, tracker: Tracker, *slots: str) -> bool:
        """Was one of these slots the form's question? (A value that parses is taken whatever
        the intent: "no longer needed" may well be classified as ``deny``.)"""
        return self._requested(tracker) in slots

    def _answering(self, tracker: Tracker, *slots: str) -> bool:
        """Is the latest message meant as an answer to one of these slots' questions?"""
        return self._asked(tracker, *slots) and latest_intent(tracker) not in NOT_AN_ANSWER

    def _loose(self, tracker: Tracker) -> bool:
        return latest_intent(tracker) in ANSWER_INTENTS

    # -- identity -----------------------------------------------------------------------

    async def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        found = parsing.extract_email(text)
        if found:
            return {"email": found}
        introduced = _introduced(text)
        if introduced:
            return introduced  # name + ZIP with the request: verified at once, not asked
        if self._asked(tracker, "email"):
            # "Noah Brown, 20001" answers the email question too (the question offers it),
            # whatever the classifier made of the two words and a number.
            name, zip_code = _name_and_zip(tracker, text)
            if name and zip_code:
                return {"person_name": name, "zip": zip_code}
        if self._answering(tracker, "email") and self._loose(tracker):
            return {"email": _raw(text)}
        return {}

    async def extract_person_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        introduced = _introduced(text)
        if introduced and not tracker.slots.get("customer_id"):
            return {"person_name": introduced["person_name"]}
        if self._asked(tracker, "email") and not tracker.slots.get("customer_id"):
            # "mason lopez 邮遍10257" at the e-mail question (it offers name + ZIP): once the
            # NLU found the ZIP the form asks name + ZIP and extract_email no longer runs, so
            # the name the classifier missed is read here.
            name, zip_code = _name_and_zip(tracker, text)
            if name and zip_code:
                return {"person_name": name}
        if self._answering(tracker, "person_name") and self._loose(tracker):
            name = parsing.extract_person_name(text)
            return {"person_name": name or _raw(text)}
        return {}

    async def extract_zip(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self._asked(tracker, "zip", "person_name", "email"):
            text = latest_text(tracker)
            found = parsing.extract_zip(text)
            if not found and self._requested(tracker) == "zip" and proof_pending(tracker):
                found = parsing.extract_order_id(text)  # the second fact after an e-mail
            if found:
                return {"zip": found}
            if self._requested(tracker) == "zip" and self._loose(tracker):
                return {"zip": _raw(latest_text(tracker))}
        return {}

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = parsing.extract_email(str(value or ""))
        if not email:
            dispatcher.utter_message(text=t("identify.bad_email"))
            return {"email": None}
        if "zip" in tracker.slots_to_validate() and not _is_raw(tracker.get_slot("zip")):
            return {"email": email}  # validate_zip checks the e-mail with that second fact
        text = latest_text(tracker)  # the second fact (order id or ZIP) given with the email
        proof = parsing.extract_order_id(text) or parsing.extract_zip(text)
        proof = proof or tracker.get_slot("order_id")
        if not proof:
            return {"email": email}  # the form asks for the second fact next
        # On failure the e-mail stays (the form asks for the second fact again); an order
        # id that failed as the second fact is dropped so it is not tried again.
        return self._after_identity(
            conversation().identify_by_email(email, proof, _client(tracker)),
            dispatcher,
            tracker,
            {"email": email, "zip": None, "order_id": None},
        )

    def validate_person_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _is_raw(value) or not value:
            dispatcher.utter_message(text=t("identify.ask.first_and_last"))
            return {"person_name": None}
        if "zip" in tracker.slots_to_validate():
            return {"person_name": str(value)}  # validate_zip checks the pair
        return self._identify_by_name(str(value), tracker.slots.get("zip"), dispatcher, tracker)

    def validate_zip(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if proof_pending(tracker):
            text = str(value or "").lstrip(RAW)
            proof = parsing.extract_order_id(text) or parsing.extract_zip(text)
            if not proof:
                dispatcher.utter_message(
                    text=t("identify.proof_again", example=conversation().example_order_id())
                )
                return {"zip": None}
            return self._after_identity(
                conversation().identify_by_email(
                    str(tracker.get_slot("email")), proof, _client(tracker)
                ),
                dispatcher,
                tracker,
                {"zip": None},
            )
        zip_code = parsing.extract_zip(str(value or "").lstrip(RAW))
        if (
            zip_code
            and not _is_raw(value)
            and zip_code not in parsing.extract_zips(latest_text(tracker))
        ):
            # An NLU entity cut from an order or item id ("#S1000029" → 10000) is no ZIP.
            if self._requested(tracker) != "zip":
                return {"zip": None}
            zip_code = None
        if not zip_code:
            dispatcher.utter_message(text=t("identify.bad_zip"))
            return {"zip": None}
        return self._identify_by_name(
            tracker.slots.get("person_name"), zip_code, dispatcher, tracker
        )

    def _identify_by_name(
        self,
        name: str | None,
        zip_code: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        if not name or _is_raw(name) or not zip_code or _is_raw(zip_code):
            return {"person_name": name, "zip": zip_code}  # wait for the other half
        return self._after_identity(
            conversation().identify_by_name_zip(name, zip_code, _client(tracker)),
            dispatcher,
            tracker,
            {"person_name": None, "zip": None},
        )

    def _after_identity(
        self,
        check: Check,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        on_failure: dict[str, Any],
    ) -> dict[str, Any]:
        dispatcher.utter_message(text=check.message, buttons=check.buttons or None)
        if not check.ok:
            return on_failure
        slots = dict(check.extra)
        # An order named before the shopper was verified is checked now.
        order_id = tracker.slots.get("order_id")
        if order_id and "order_id" in self.task_slots:
            order_check = conversation().check_order(check.value, str(order_id), self.task)
            if not order_check.ok:
                dispatcher.utter_message(text=order_check.message)
                slots["order_id"] = None
        return slots

    # -- the order ----------------------------------------------------------------------

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if latest_intent(tracker) in get_task("status").intents and self.task != "status":
            return {}  # "where is my other order?" is a digression, not this form's order
        found = parsing.extract_order_id(request_text(tracker))
        if found:
            return {"order_id": found}
        if "new_address" in self.task_slots and parsing.parse_address(request_text(tracker)):
            return {}  # an address given early: extract_new_address keeps it
        if self._answering(tracker, "order_id") and self._loose(tracker):
            return {"order_id": _raw(request_text(tracker))}
        return {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id = parsing.extract_order_id(str(value or ""))
        if not order_id:
            dispatcher.utter_message(
                text=t("order.bad_number", example=conversation().example_order_id())
            )
            return {"order_id": None}
        customer_id = tracker.slots.get("customer_id")
        if not customer_id:
            return {"order_id": order_id}  # checked once the shopper is verified
        check = conversation().check_order(customer_id, order_id, self.task)
        if not check.ok:
            dispatcher.utter_message(text=check.message)
            return {"order_id": None}
        slots: dict[str, Any] = {"order_id": check.value}
        if self._requested(tracker) != "order_id" and check.value != slot_before_turn(
            tracker, "order_id"
        ):
            # Another order named later in the form: what was chosen for the old one is void
            # (the same one named again, "no, don't cancel #W…", voids nothing).
            for slot in ("item_ids", "new_item_ids", "payment_method_id", "confirmed"):
                if slot in self.task_slots:
                    slots[slot] = None
        return slots

    # -- cancellation reason --------------------------------------------------------------

    async def extract_cancel_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not (self._asked(tracker, "cancel_reason", "confirmed") or self._opening(tracker)):
            return {}
        allowed = conversation().policy.cancellation.reasons
        found = parsing.extract_cancel_reason(request_text(tracker), allowed)
        if found:
            return {"cancel_reason": found}
        if self._answering(tracker, "cancel_reason") and self._loose(tracker):
            return {"cancel_reason": _raw(request_text(tracker))}
        return {}

    def validate_cancel_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        allowed = conversation().policy.cancellation.reasons
        reason = parsing.extract_cancel_reason(str(value or ""), allowed)
        if not reason:
            dispatcher.utter_message(
                text=t(
                    "cancel.reason_unknown",
                    reasons=list_alternatives([f'"{reason_label(r)}"' for r in allowed]),
                )
            )
            return {"cancel_reason": None}
        return {"cancel_reason": reason}

    # -- items --------------------------------------------------------------------------

    async def extract_item_ids(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self._asked(tracker, *AFTER_ITEMS) and tracker.slots.get("item_ids"):
            return self._corrected_items(dispatcher, tracker)
        if not self._asked(tracker, "item_ids") or not tracker.slots.get("order_id"):
            return {}
        check = conversation().resolve_items(
            tracker.slots.get("customer_id") or "",
            tracker.slots["order_id"],
            request_text(tracker),
            earlier_answers(tracker, "item_ids"),
        )
        if check.ok:
            return {"item_ids": check.value}
        return {"item_ids": [_raw(request_text(tracker))]} if self._loose(tracker) else {}

    def _corrected_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Another item of the order named at a later question: the items are replaced (what
        was chosen for the old ones goes), or asked again when the words fit several."""
        check = conversation().corrected_items(
            tracker.slots.get("customer_id") or "",
            str(tracker.slots.get("order_id") or ""),
            latest_text(tracker),
            list(tracker.slots.get("item_ids") or []),
        )
        if check is None:
            return {}
        if check.ok:
            return {"item_ids": check.value}
        dispatcher.utter_message(text=check.message, buttons=check.buttons or None)
        return {"item_ids": [_raw("")]}  # validate_item_ids clears it: the question again

    def _items_changed(self, tracker: Tracker) -> bool:
        """Were the items replaced by this message (a correction)? Then it answers nothing
        else: the questions about the new items come next."""
        before = [
            e.get("value")
            for e in tracker.events
            if e.get("event") == "slot" and e.get("name") == "item_ids"
        ]
        return (
            self._asked(tracker, *AFTER_ITEMS)
            and bool(before)
            and tracker.slots.get("item_ids") != before[-1]
        )

    def validate_item_ids(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        values = list(value or [])
        if values == [RAW]:
            return {"item_ids": None, **self._void_after_items()}
        if values and not any(_is_raw(v) for v in values):
            return {"item_ids": values, **self._void_after_items()}
        text = " ".join(str(v).lstrip(RAW) for v in values)
        check = conversation().resolve_items(
            tracker.slots.get("customer_id") or "",
            tracker.slots.get("order_id") or "",
            text,
            earlier_answers(tracker, "item_ids"),
        )
        if not check.ok:
            dispatcher.utter_message(text=check.message, buttons=check.buttons or None)
            return {"item_ids": None}
        return {"item_ids": check.value, **self._void_after_items()}

    def _void_after_items(self) -> dict[str, Any]:
        """New items void what was chosen for the old ones: their new options and a yes to a
        preview of them."""
        return {slot: None for slot in ("new_item_ids", "confirmed") if slot in self.task_slots}

    async def extract_new_item_ids(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        items = tracker.slots.get("item_ids")
        if not self._asked(tracker, "new_item_ids") or not items or self._items_changed(tracker):
            return {}
        check = conversation().resolve_new_items(
            list(items), request_text(tracker), self._new_item_answers(tracker)
        )
        if check.ok:
            return {"new_item_ids": check.value}
        return {"new_item_ids": [_raw(request_text(tracker))]} if self._loose(tracker) else {}

    def _new_item_answers(self, tracker: Tracker) -> list[str]:
        """The earlier answers to "what would you like instead?", after the request's own
        description of the new variant when one item is swapped ("想换成 clicky 的", then
        "白色背光的": clicky and white)."""
        earlier = earlier_answers(tracker, "new_item_ids")
        if len(tracker.slots.get("item_ids") or []) != 1:
            return earlier
        begun = new_variant_words(self._request_words(tracker).text)
        return [begun, *earlier] if begun else earlier

    def validate_new_item_ids(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        values = list(value or [])
        if values and not any(_is_raw(v) for v in values):
            return {"new_item_ids": values}
        text = " ".join(str(v).lstrip(RAW) for v in values)
        check = conversation().resolve_new_items(
            list(tracker.slots.get("item_ids") or []),
            text,
            self._new_item_answers(tracker),
        )
        if not check.ok:
            dispatcher.utter_message(text=check.message, buttons=check.buttons or None)
            return {"new_item_ids": None}
        return {"new_item_ids": check.value}

    # -- payment ------------------------------------------------------------------------

    async def extract_payment_method_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._asked(tracker, "payment_method_id", "confirmed") or self._items_changed(
            tracker
        ):
            return {}
        text = request_text(tracker)
        entity = request_entity(tracker, "payment_method")
        check = conversation().resolve_payment(
            tracker.slots.get("customer_id") or "",
            tracker.slots.get("order_id"),
            f"{entity} {text}" if entity else text,
            self.task,
        )
        if check.ok:
            return {"payment_method_id": check.value}
        if self._requested(tracker) == "payment_method_id" and self._loose(tracker):
            return {"payment_method_id": _raw(text)}
        return {}

    def validate_payment_method_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        check = conversation().resolve_payment(
            tracker.slots.get("customer_id") or "",
            tracker.slots.get("order_id"),
            str(value or "").lstrip(RAW),
            self.task,
        )
        if not check.ok:
            dispatcher.utter_message(text=check.message)
            return {"payment_method_id": None}
        short = conversation().payment_refusal(
            self.task, {**tracker.slots, "payment_method_id": check.value}
        )
        if short:  # a gift card that doesn't cover the amount: another method is asked for
            dispatcher.utter_message(text=short)
            return {"payment_method_id": None}
        return {"payment_method_id": check.value}

    # -- address ------------------------------------------------------------------------

    async def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._asked(tracker, "new_address", "confirmed", "order_id"):
            return {}
        text = request_text(tracker)
        if parsing.parse_address(text) is not None:
            return {"new_address": text}
        corrected = _corrected_address(tracker)
        if corrected is not None:
            return {"new_address": corrected}
        if self._requested(tracker) == "new_address" and self._loose(tracker):
            return {"new_address": _raw(text)}
        return {}

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, dict):
            return {"new_address": value}
        check = conversation().resolve_address(str(value or "").lstrip(RAW))
        if not check.ok:
            dispatcher.utter_message(text=check.message)
            return {"new_address": None}
        return {"new_address": check.value}

    # -- confirmation -------------------------------------------------------------------

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not value and "new_address" in tracker.slots_to_validate():
            # "no wait, suite 210 not 200" (or "no, 5 Elm Road, ..."): a new address to
            # preview, not a no.
            return {"confirmed": None}
        if not value and self._order_corrected(tracker):
            # "no, it's #W3168895, not #W2090453": the other order to preview, not a no.
            return {"confirmed": None}
        return {"confirmed": bool(value)}

    def _order_corrected(self, tracker: Tracker) -> bool:
        order_id, before = tracker.get_slot("order_id"), slot_before_turn(tracker, "order_id")
        return bool(order_id and before and not _is_raw(order_id) and order_id != before)


def _camel(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("_"))


def validator(form: str, task_slots: tuple[str, ...]) -> type[ShopFormValidation]:
    """The validator class of one form (Rasa SDK registers every Action subclass it finds)."""
    attrs = {"form": form, "task_slots": task_slots, "__module__": __name__}
    return type(f"Validate{_camel(form)}", (ShopFormValidation,), attrs)


ValidateIdentifyForm = validator("identify_form", ())
# One per task: ValidateCancelForm, ValidateReturnForm, ... (importable by those names).
VALIDATORS: dict[str, type[ShopFormValidation]] = {
    task.form: validator(task.form, task.slots) for task in TASKS
}
globals().update({cls.__name__: cls for cls in VALIDATORS.values()})
