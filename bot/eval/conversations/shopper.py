"""The scripted shopper: plays one goal against the bot over Rasa's REST channel.

It reads what the bot asks the way the widget would show it (the text and the buttons) plus
what the form asks for (``requested_slot`` and ``active_loop`` from the tracker), answers
from its goal in words, checks every preview against the goal before saying yes, and
refuses one that does not match.

Recovery moves are what a shopper does only because the bot did not get it the first time:
the item or option numbers after words failed, a payment method picked from the buttons,
restarting a request, saying it another way after "didn't understand". A conversation with
any recovery move is not clean. A dead conversation is one where the bot stops making
progress: the same question three times in a row, no reply, an error, or the turn limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.eval.conversations.goal import REASON_WORDS, Goal, Request
from bot.orders.tasks import CHANGE_TASKS

NOT_UNDERSTOOD = ("didn't understand", "didn't catch", "could you say it another way")
NOTHING_CHANGED = "nothing has been changed"
# The bot refusing the shopper's way to pay for this request (a gift card that doesn't cover
# the amount; τ refuses it too): the shopper, who has no other method in mind, lets it go.
METHOD_REFUSED = ("doesn't cover",)
GIVE_UP = "Never mind then, please leave it as it is."
# The actions that make (or, after a "no", decline) a change: a confirmed request is settled
# once one of them ran, even when the bot went straight on with another request's form.
CHANGE_ACTIONS = frozenset(task.action for task in CHANGE_TASKS)
MAX_TURNS = 40


class RestClient:
    """One conversation through Rasa's REST channel and its (token-protected) tracker API."""

    def __init__(self, rasa_url: str, token: str, sender: str, timeout: float = 90.0) -> None:
        self.rasa_url = rasa_url
        self.token = token
        self.sender = sender
        self.http = httpx.Client(timeout=timeout)

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.http.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self) -> dict[str, Any]:
        response = self.http.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker",
            params={"token": self.token, "include_events": "NONE"},
        )
        response.raise_for_status()
        return dict(response.json())

    def events(self) -> list[dict[str, Any]]:
        """The conversation's events (read only when a turn's outcome needs them)."""
        response = self.http.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker",
            params={"token": self.token, "include_events": "AFTER_RESTART"},
        )
        response.raise_for_status()
        return list(response.json().get("events") or [])

    def close(self) -> None:
        self.http.close()


@dataclass
class Turn:
    speaker: str  # "shopper" | "bot"
    text: str
    buttons: list[str] = field(default_factory=list)
    slot: str | None = None  # the bot's requested_slot after this turn
    loop: str | None = None
    move: str | None = None  # the shopper's move ("answer:item_ids", "recovery:item_numbers")


@dataclass
class Conversation:
    task_id: str
    sender: str
    turns: list[Turn] = field(default_factory=list)
    recoveries: list[str] = field(default_factory=list)
    dead: str | None = None
    handed_off: bool = False
    requests_failed: list[str] = field(default_factory=list)

    @property
    def shopper_turns(self) -> int:
        return sum(1 for t in self.turns if t.speaker == "shopper")

    @property
    def bot_text(self) -> str:
        return "\n".join(t.text for t in self.turns if t.speaker == "bot")


@dataclass
class _State:
    """Where the shopper is in its current request."""

    phase: str = "todo"  # todo | open | confirmed | done | failed
    attempts: dict[str, int] = field(default_factory=dict)
    restarted: bool = False


class ScriptedShopper:
    def __init__(self, goal: Goal, client: RestClient, max_turns: int = MAX_TURNS) -> None:
        self.goal = goal
        self.client = client
        self.max_turns = max_turns
        self.convo = Conversation(goal.task_id, client.sender)
        self.index = 0
        self.states = [_State() for _ in goal.requests]
        self.queued: list[tuple[str, str]] = []
        self.corrected = False
        self.farewell_sent = False
        self.is_verified = False
        self.email_asks = 0
        self.asked_for_person = False

    # -- the conversation loop ---------------------------------------------------------

    def run(self) -> Conversation:
        message: str | None
        move: str | None
        message, move = self._opening()
        seen: list[tuple[str | None, str]] = []
        while message is not None:
            if self.convo.shopper_turns >= self.max_turns:
                self.convo.dead = f"turn limit ({self.max_turns}) reached"
                break
            self.convo.turns.append(Turn("shopper", message, move=move))
            try:
                replies = self.client.say(message)
                tracker = self.client.tracker()
            except httpx.HTTPError as exc:
                self.convo.dead = f"error: {type(exc).__name__}: {exc}"
                break
            text = "\n".join(str(r.get("text") or "") for r in replies if r.get("text"))
            buttons = [str(b.get("title")) for r in replies for b in r.get("buttons") or []]
            slots = tracker.get("slots") or {}
            loop = (tracker.get("active_loop") or {}).get("name")
            slot = slots.get("requested_slot") if loop else None
            self.convo.turns.append(Turn("bot", text, buttons, slot, loop))
            handoff = any((r.get("custom") or {}).get("type") == "handoff" for r in replies)
            if handoff or slots.get("handoff_requested"):
                self.convo.handed_off = True
            if self.farewell_sent:
                break
            if not replies:
                self.convo.dead = "no reply"
                break
            seen.append((slot, text))
            if len(seen) >= 3 and len(set(seen[-3:])) == 1 and text:
                self.convo.dead = "the same question three times"
                break
            if self.convo.handed_off:
                self._fail_rest("handed off to a person")
                break
            if loop and self.state_confirmed():
                settled = _change_reply(self.client.events())
                if settled is not None:
                    self._settle(settled.lower())  # the change, then the next request's form
            message, move = self._next(text, slot, loop, replies)
        self.client.close()
        return self.convo

    def state_confirmed(self) -> bool:
        return self.request is not None and self.state.phase == "confirmed"

    def _fail_rest(self, why: str) -> None:
        for position in range(self.index, len(self.states)):
            if self.states[position].phase not in ("done", "failed"):
                self.states[position].phase = "failed"
                self.convo.requests_failed.append(f"request {position + 1}: {why}")

    def verified(self, text: str) -> bool:
        """Has the bot said it found the shopper's account (in this reply or before)?"""
        if any(w in text for w in ("I've found your account", "You're verified")):
            self.is_verified = True
        return self.is_verified

    @property
    def request(self) -> Request | None:
        return self.goal.requests[self.index] if self.index < len(self.goal.requests) else None

    @property
    def state(self) -> _State:
        return self.states[self.index]

    def _recovery(self, kind: str) -> str:
        self.convo.recoveries.append(kind)
        return f"recovery:{kind}"

    # -- what to say next ----------------------------------------------------------------

    def _next(
        self, text: str, slot: str | None, loop: str | None, replies: list[dict[str, Any]]
    ) -> tuple[str | None, str | None]:
        self.verified(text)
        if self.queued:
            return self.queued.pop(0)
        low = text.lower()
        req = self.request
        if req is not None and self.state.phase == "confirmed" and not loop:
            self._settle(low)
            req = self.request
        asked = _asked_in_text(text)
        if asked in IDENTITY_SLOTS and slot not in IDENTITY_SLOTS and not self.verified(text):
            slot = asked  # the words ask who the shopper is, whatever the form's slot says
        if slot and (loop or slot == asked):
            return self._answer(slot, req, text, replies)
        if any(w in low for w in NOT_UNDERSTOOD):
            if req is None or self.state.phase == "todo":
                return self._finish()
            return self._message(req), self._recovery("rephrase")
        if req is None:
            return self._finish()
        if self.state.phase == "todo":
            self.state.phase = "open"
            return "Also, I'd like to " + self._details(req), "request"
        # The form let go without a confirmed preview: a refusal, or the bot went elsewhere.
        if self.state.phase == "failed":
            return self._after_request()  # given up (a refused payment method)
        if NOTHING_CHANGED in low or self.state.restarted:
            self._fail(f"not done: {text[:160]}")
            return self._after_request()
        self.state.restarted = True
        return self._message(req), self._recovery("restart")

    def _settle(self, low: str) -> None:
        """The reply after "yes": the change went through, or it was refused."""
        if NOTHING_CHANGED in low:
            self._fail(f"refused after yes: {low[:160]}")
        else:
            self.state.phase = "done"
        self.index += 1

    def _fail(self, why: str) -> None:
        if self.state.phase not in ("done", "failed"):
            self.state.phase = "failed"
            self.convo.requests_failed.append(f"request {self.index + 1}: {why}")

    def _after_request(self) -> tuple[str | None, str | None]:
        if self.state.phase in ("done", "failed"):
            self.index += 1
        req = self.request
        if req is None:
            return self._finish()
        self.state.phase = "open"
        return "Another thing: " + self._details(req), "request"

    def _finish(self) -> tuple[str | None, str | None]:
        if self.goal.hand_off and not self.asked_for_person:
            self.asked_for_person = True
            return "I'd like to talk to a person, please.", "ask_for_person"
        if self.farewell_sent:
            return None, None
        self.farewell_sent = True
        return "That's all, thank you!", "goodbye"

    # -- opening and request messages ------------------------------------------------------

    def _identity_words(self) -> str:
        g = self.goal
        if g.by_email:
            return f"my email is {g.email}"
        return f"I'm {g.full_name} and my zip code is {g.zip}"

    def _opening(self) -> tuple[str, str]:
        g, style = self.goal, self.goal.style
        req = self.request
        if req is None:
            order = next(iter(sorted(g.known_orders)), "")
            about = f"my order {order}" if order else "one of my orders"
            return f"Hi, I have a problem with {about}.", "request"
        self.state.phase = "open"
        if style.opener == "intent_only":
            return f"Hi, I need to {_verb(req)}.", "request"
        message = "Hi, I'd like to " + self._details(req)
        if style.combine and len(g.requests) > 1:
            message += " Also, I'd like to " + self._details(g.requests[1])
        if style.aside:
            message += " " + style.aside.capitalize()
        if style.opener == "everything":
            message = f"Hi, {self._identity_words()}. " + message[len("Hi, ") :]
        return message, "request"

    def _order_words(self, req: Request) -> str:
        return f"order {req.order_id}" if req.order_id in self.goal.known_orders else "my order"

    def _details(self, req: Request) -> str:
        order = self._order_words(req)
        items = _and([i.words for i in req.items])
        if req.kind == "cancel":
            reason = self.goal.rng.choice(REASON_WORDS.get(req.reason, ("",)))
            return f"cancel {order}, {reason}.".replace(", .", ".")
        if req.kind == "return":
            what = "everything" if req.all_items and self.goal.rng.random() < 0.5 else items
            refund = f" The refund should go to {req.payment.words}." if req.payment else ""
            return f"return {what} from {order}.{refund}"
        if req.kind in ("exchange", "modify_items"):
            verb = "exchange" if req.kind == "exchange" else "change"
            swaps = "; ".join(f"{s.old.words} for the {s.words} one" for s in req.swaps)
            return f"{verb} {swaps} in {order}."
        if req.kind == "modify_payment" and req.payment:
            return f"pay for {order} with {req.payment.words} instead."
        if req.kind == "modify_address":
            return f"change the shipping address of {order} to {req.address_words}."
        if req.kind == "user_address":
            return f"update my default address to {req.address_words}."
        return f"{_verb(req)}."

    def _message(self, req: Request) -> str:
        """The request said again (a restart or a rephrasing)."""
        return "Let me say it again: I want to " + self._details(req)

    # -- answers to the form's questions ------------------------------------------------------

    def _answer(
        self, slot: str, req: Request | None, text: str, replies: list[dict[str, Any]]
    ) -> tuple[str | None, str | None]:
        g = self.goal
        attempt = 0
        if req is not None:
            attempt = self.state.attempts.get(slot, 0)
            self.state.attempts[slot] = attempt + 1
        move = f"answer:{slot}"
        if slot == "email":
            self.email_asks += 1
            if not g.by_email and self.email_asks > 1:
                # Name + zip did not get through: the email the shopper also knows.
                return f"My email is {g.email}.", self._recovery("rephrase")
            if g.style.correction == "zip" and not g.by_email and not self.corrected:
                return self._zip_typo(f"I'm {g.full_name}, zip {{zip}}"), move
            return (g.email if g.by_email else f"{g.full_name}, {g.zip}"), move
        if slot == "person_name":
            return g.full_name, move
        if slot == "zip":
            if g.style.correction == "zip" and not self.corrected:
                return self._zip_typo("{zip}"), move
            return g.zip, move
        if req is None:
            return self._finish()
        if slot == "order_id":
            titles = [str(b.get("title")) for r in replies for b in r.get("buttons") or []]
            # The bot lists the orders as text or as quick replies: a person sees either.
            if req.order_id in g.known_orders or any(req.order_id in x for x in [text, *titles]):
                return req.order_id, move
            names = _and([i.name.lower() for i in req.items]) or "the items"
            if attempt == 0:
                return f"The one with {names}, I don't have the number.", move
            self.convo.dead = "the bot needs an order number the shopper does not know"
            return None, None
        if slot == "cancel_reason":
            if attempt == 0:
                return g.rng.choice(REASON_WORDS.get(req.reason, (req.reason,))), move
            return req.reason, self._recovery("rephrase")
        if slot == "item_ids":
            return self._items(req, attempt, move)
        if slot == "new_item_ids":
            if attempt == 0:
                return "; ".join(f"the {s.words} one" for s in req.swaps), move
            if attempt == 1:
                return "; ".join(s.full_words for s in req.swaps), self._recovery("rephrase")
            ids = " and ".join(f"item {s.new_id}" for s in req.swaps)
            return ids, self._recovery("item_numbers")
        refused = any(w in text.lower() for w in METHOD_REFUSED)
        if req.payment and refused and slot in ("payment_method_id", "confirmed"):
            self._fail(f"payment method refused: {text[:160]}")
            return GIVE_UP, "give_up"
        if slot == "payment_method_id":
            return self._payment(req, attempt, replies, move)
        if slot == "new_address":
            if not req.address:
                return "I don't want to change any address.", move
            return req.address_words, move
        if slot == "confirmed":
            if self._preview_fits(req, text.lower()):
                self.state.phase = "confirmed"
                return "Yes, please go ahead.", "confirm"
            if attempt == 0:
                return "No, that's not what I asked for.", "refuse_preview"
            self._fail(f"the preview never matched the goal: {text[:160]}")
            return "No.", "refuse_preview"
        return "Sorry, I'm not sure what you need from me.", f"unknown_question:{slot}"

    def _zip_typo(self, template: str) -> str:
        """A zip with two digits swapped now, the right one in the next message."""
        self.corrected = True
        z = self.goal.zip
        wrong = z[:3] + z[4] + z[3] if z[3] != z[4] else z[:4] + str((int(z[4]) + 1) % 10)
        self.queued.append((f"Sorry, typo! My zip code is {z}.", "correction:zip"))
        return template.format(zip=wrong)

    def _items(self, req: Request, attempt: int, move: str) -> tuple[str, str]:
        if attempt == 0:
            if req.all_items and self.goal.rng.random() < 0.5:
                return "All of them.", move
            words = _and([i.words for i in req.items]) or "the items"
            if self.goal.style.correction == "item" and not self.corrected:
                other = req.decoy
                if other:
                    self.corrected = True
                    self.queued.append((f"Sorry, I meant {words}, not {other}.", "correction:item"))
                    return other.capitalize() + ".", move
            return words.capitalize() + ".", move
        ids = " and ".join(f"item {i.variant_id}" for i in req.items)
        return ids, self._recovery("item_numbers")

    def _payment(
        self, req: Request, attempt: int, replies: list[dict[str, Any]], move: str
    ) -> tuple[str, str]:
        pay = req.payment
        if pay is None:
            return "Whatever you think is best.", move
        if attempt == 0:
            return pay.words[0].upper() + pay.words[1:], move
        for reply in replies:
            for b in reply.get("buttons") or []:
                if pay.method_id in str(b.get("payload") or ""):
                    return str(b.get("title")), self._recovery("button")
        return pay.method_id, self._recovery("ids")

    def _preview_fits(self, req: Request | None, low: str) -> bool:
        """Does the preview describe the goal's change (right order, items, options, method)?"""
        if req is None:
            return False
        if req.order_id and req.order_id.lower() not in low:
            return False
        wanted: list[str] = []
        if req.kind == "cancel":
            wanted.append("cancel")
        if req.kind == "return":
            wanted += [i.name.lower() for i in req.items]
        if req.kind in ("exchange", "modify_items"):
            wanted += [str(v).lower() for s in req.swaps for v in s.changed.values()]
        if req.kind in ("return", "modify_payment") and req.payment:
            wanted.append(req.payment.check[0])
        if req.address:
            wanted.append(req.address["address1"].lower())
        return all(w in low for w in wanted) and self._counts_fit(req, low)

    @staticmethod
    def _counts_fit(req: Request, low: str) -> bool:
        """Each product of the order is named as often as the goal's items need: no item the
        shopper did not ask for, no unit too many (an exchange names each line twice). Words
        inside an item's option list are options, not items ("Backpack (…, compartment
        laptop)" names no laptop)."""
        if req.kind not in ("return", "exchange", "modify_items"):
            return True
        per_item = 1 if req.kind == "return" else 2
        asked = [i.name for i in req.items]
        names = re.sub(r"\([^()]*\)", " ", low)
        for name in set(req.order_names):
            said = len(re.findall(rf"\b{re.escape(name.lower())}\b", names))
            if said != per_item * asked.count(name):
                return False
        return True


IDENTITY_SLOTS = ("email", "person_name", "zip")
# The last question of a reply, read the way a person reads it: words -> what is asked.
_QUESTION_WORDS = (
    ("email address", "email"),
    ("full name", "person_name"),
    ("first and last name", "person_name"),
    ("zip code", "zip"),
)


def _change_reply(events: list[dict[str, Any]]) -> str | None:
    """What the change action said in the latest turn, if one ran in it (else None)."""
    turn: list[dict[str, Any]] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        turn.append(event)
    said: list[str] = []
    ran = False
    for event in reversed(turn):
        if event.get("event") == "action":
            if ran:
                break
            ran = event.get("name") in CHANGE_ACTIONS
        elif ran and event.get("event") == "bot":
            said.append(str(event.get("text") or ""))
    return "\n".join(said) if ran else None


def _asked_in_text(text: str) -> str | None:
    questions = [q for q in re.split(r"(?<=\?)", text) if q.strip().endswith("?")]
    if not questions:
        return None
    last = questions[-1].lower()
    return next((slot for words, slot in _QUESTION_WORDS if words in last), None)


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _verb(req: Request) -> str:
    return {
        "cancel": "cancel an order",
        "return": "return something",
        "exchange": "exchange an item I received",
        "modify_items": "change an item in an order I just placed",
        "modify_payment": "change how I pay for an order",
        "modify_address": "change the shipping address of an order",
        "user_address": "update my address",
    }.get(req.kind, "get some help")


def words_of(text: str) -> str:
    """Lower-cased, commas removed, spaces collapsed: how τ compares required outputs."""
    return re.sub(r"\s+", " ", text.lower().replace(",", ""))
