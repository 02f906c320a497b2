"""The scripted shopper against a fake bot: what it answers, when it recovers, when it gives up.

The fake replays fixed replies (text + the tracker's loop and requested slot), so these tests
pin the shopper's behaviour without a stack; tests/e2e/test_shopper_slice.py plays the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.eval.conversations.goal import REASON_WORDS, derive
from bot.eval.conversations.shopper import ScriptedShopper
from bot.eval.conversations.tau import load_tasks, source_data

IDENTIFY = "First I need to verify who you are. What's the email address on your account?"


@dataclass
class FakeBot:
    """Answers each message with the next scripted (text, form, requested slot)."""

    script: list[tuple[str, str | None, str | None]]
    heard: list[str] = field(default_factory=list)
    sender: str = "fake"
    _state: tuple[str | None, str | None] = (None, None)

    def say(self, text: str) -> list[dict[str, Any]]:
        self.heard.append(text)
        reply, loop, slot = self.script.pop(0) if self.script else ("", None, None)
        self._state = (loop, slot)
        return [{"text": reply}] if reply else []

    def tracker(self) -> dict[str, Any]:
        loop, slot = self._state
        return {"active_loop": {"name": loop} if loop else {}, "slots": {"requested_slot": slot}}

    def events(self) -> list[dict[str, Any]]:
        return []  # no change action ran: the shopper settles the old way

    def close(self) -> None:
        pass


def _goal(task_id: str, tau_dir: Path) -> Any:
    split = task_id.split("-")[0]
    task = next(t for t in load_tasks(split, tau_dir) if t.id == task_id)
    return derive(task, source_data(tau_dir))


def test_a_cooperative_cancellation_is_clean(tau_dir: Path) -> None:
    goal = _goal("dev-0", tau_dir)  # Olivia Ito, name + zip, cancel #W5442520
    bot = FakeBot(
        [
            (IDENTIFY, "cancel_form", "email"),
            ("Thanks, Olivia, I've found your account. Why would you like to cancel?",
             "cancel_form", "cancel_reason"),
            ("Cancel order #W5442520 with a patio umbrella; reason: no longer needed. "
             "Shall I go ahead? (yes/no)", "cancel_form", "confirmed"),
            ("Order #W5442520 is cancelled.", None, None),
            ("You're welcome!", None, None),
        ]
    )  # fmt: skip
    convo = ScriptedShopper(goal, bot).run()  # type: ignore[arg-type]
    assert "cancel order #W5442520" in bot.heard[0]
    assert bot.heard[1] == "Olivia Ito, 80218"
    assert bot.heard[2] in REASON_WORDS["no longer needed"]
    assert bot.heard[3].startswith("Yes") and bot.heard[4] == "That's all, thank you!"
    assert not convo.recoveries and convo.dead is None and not convo.requests_failed


def test_item_numbers_only_after_words_failed_and_a_wrong_preview_is_refused(
    tau_dir: Path,
) -> None:
    goal = _goal("dev-10", tau_dir)  # Ivan Santos returns the garden hose and the earbuds
    hose, earbuds = (i.variant_id for i in goal.requests[0].items)
    ask_items = "Which items of order #W6893533 would you like to return?"
    bot = FakeBot(
        [
            ("Thanks, Ivan, I've found your account. " + ask_items, "return_form", "item_ids"),
            ("I couldn't tell which items you mean. " + ask_items, "return_form", "item_ids"),
            ("Where should the refund go?", "return_form", "payment_method_id"),
            ("Return Garden Hose (length 50ft) from order #W6893533. $95.08 will be refunded "
             "to your PayPal. Shall I go ahead? (yes/no)", "return_form", "confirmed"),
            ("OK, I haven't changed anything.", None, None),
        ]
    )  # fmt: skip
    convo = ScriptedShopper(goal, bot).run()  # type: ignore[arg-type]
    assert hose not in bot.heard[1] and "garden hose" in bot.heard[1].lower()
    assert bot.heard[2] == f"item {hose} and item {earbuds}"
    assert bot.heard[4].startswith("No")  # one of the two items is missing from the preview
    assert convo.recoveries[0] == "item_numbers"


def test_the_same_question_three_times_is_a_dead_conversation(tau_dir: Path) -> None:
    goal = _goal("dev-9", tau_dir)
    stuck = ("I need to know who you are first: what's the email address on your account?",
             "modify_items_form", "item_ids")  # fmt: skip
    bot = FakeBot([stuck] * 6)
    convo = ScriptedShopper(goal, bot).run()  # type: ignore[arg-type]
    assert convo.dead == "the same question three times"
    assert convo.shopper_turns == 3
    # Name + zip first (as the instruction gives them), then the email it also knows.
    assert "Omar Silva" in bot.heard[1] and goal.email in bot.heard[2]
    assert convo.recoveries == ["rephrase"]


def test_a_change_followed_by_the_next_request_settles_the_first() -> None:
    """The bot may go straight on with the next request's form after a change: the shopper
    reads the change action's own words as the first request's outcome."""
    from bot.eval.conversations.shopper import _change_reply

    events = [
        {"event": "user", "text": "yes"},
        {"event": "action", "name": "cancel_form"},
        {"event": "action", "name": "action_cancel_order"},
        {"event": "bot", "text": "Order #W1 is cancelled."},
        {"event": "bot", "text": "Next: Cancel an order (order #W2)."},
        {"event": "action", "name": "cancel_form"},
        {"event": "bot", "text": "Cancel order #W2? Nothing has been changed yet."},
    ]
    said = _change_reply(events)
    assert said is not None and "#W1 is cancelled" in said and "#W2?" not in said
    assert _change_reply(events[:2]) is None  # no change action in the turn
    assert _change_reply([*events, {"event": "user", "text": "yes"}]) is None


def test_a_refused_payment_method_is_let_go_not_restarted(tau_dir: Path) -> None:
    """train-161: the shopper's gift card doesn't cover the difference (τ refuses the write
    too). The shopper, who has no other method in mind, lets the request go: no restart, no
    recovery move, the request counted as not done."""
    goal = _goal("train-161", tau_dir)  # name + zip, one item change paid by gift card
    question = "Which payment method should pay or receive any price difference?"
    bot = FakeBot(
        [
            (IDENTIFY, "modify_items_form", "email"),
            ("Thanks, Chen, I've found your account. " + question,
             "modify_items_form", "payment_method_id"),
            ("Your gift card has $36.00 left, which doesn't cover $40.62. Please choose "
             "another payment method.\n" + question, "modify_items_form", "payment_method_id"),
            ("OK, I've stopped that. Anything else?", None, None),
            ("You're welcome!", None, None),
        ]
    )  # fmt: skip
    convo = ScriptedShopper(goal, bot).run()  # type: ignore[arg-type]
    assert bot.heard[2] == "My gift card"
    assert bot.heard[3].startswith("Never mind")
    assert bot.heard[4] == "That's all, thank you!"
    assert convo.recoveries == [] and convo.dead is None
    assert convo.requests_failed and "payment method refused" in convo.requests_failed[0]
