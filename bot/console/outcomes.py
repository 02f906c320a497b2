"""What happened in one conversation, folded from its Rasa events: the one definition of every
analytics figure (docs/console.md, "Analytics: what each figure means").

Ingest feeds each event to :class:`OutcomeState` as it arrives (the state is kept as JSON on
the conversation row), and :meth:`OutcomeState.summary` turns it into the per-conversation
facts analytics counts. Definitions, per conversation with at least one shopper message:

- **fallback**: a shopper message the bot did not understand (NLU ``nlu_fallback`` or a
  fallback action); *fallback by intent* names the intent the classifier leaned towards.
- **error**: a shopper message that got no reply from the bot. Rasa logs no bot event then,
  and the message guard (rasa_addons/input_limits.py) answers with the technical-problem
  apology instead, which Rasa never records. A message still waiting is an error once
  ``ANSWER_TIMEOUT_S`` has passed. A conversation is **dead** when its last message is one.
- **hand-off**: the shopper was handed to a person (``handoff_requested`` or a hand-off action);
  the reason is the dialogue's ``handoff_reason`` slot.
- **task**: an order task of the registry (bot/orders/tasks/) started (its form became active)
  and carried out when its final reply says so (``shopbot_task`` metadata, bot/dialogue/
  replies.py); a question (policy, product, free-form answer) is the task ``question``, done
  when the bot answered it.
- **resolved**: at least one task done, every started task done, no hand-off, not dead, and no
  message waiting for an answer.
- **abandoned**: a task was started and never finished (neither done nor refused/declined),
  without hand-off or error, and the shopper has been gone for ``IDLE_S``.
- **contained**: no hand-off.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.orders.tasks import BY_FORM

FALLBACK_INTENTS = {"nlu_fallback"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_two_stage_fallback", "action_fallback"}
# Actions that answer a shopper's question (actions/answers.py, action_answer_policy).
QUESTION_ACTIONS = {"action_answer_policy", "action_search_products", "action_answer_question"}
QUESTION_TASK = "question"
HANDOFF_SLOT = "handoff_requested"
HANDOFF_REASON_SLOT = "handoff_reason"
TASK_METADATA = "shopbot_task"
ANSWER_TIMEOUT_S = 60.0
IDLE_S = 30 * 60.0
OUTCOMES = ("resolved", "handed_off", "dead", "abandoned", "unresolved", "no_task")


def is_handoff_action(name: str) -> bool:
    """Any action whose name says it hands over to a person (e.g. ``action_handoff``)."""
    lowered = name.lower()
    return "handoff" in lowered or "hand_off" in lowered or "human" in lowered


def handoff_reason_label(slot_value: str) -> str:
    """The dialogue's reason slot (``shopper_asked``, ``repeated_fallback``, ...) -> label."""
    lowered = slot_value.lower()
    if "fallback" in lowered:
        return "fallback"
    if "frustrat" in lowered or "sentiment" in lowered or "angry" in lowered:
        return "frustration"
    return "asked"


def leaning_intent(parse_data: dict[str, Any]) -> str:
    """The best-ranked real intent of a fallback message ("unknown" when there is none)."""
    for ranked in parse_data.get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, dict) else None
        if name and name not in FALLBACK_INTENTS:
            return str(name)
    return "unknown"


@dataclass(frozen=True)
class Outcome:
    """The facts analytics counts for one conversation (see the module docstring)."""

    turns: int
    fell_back: bool
    fallback_turns: int
    fallback_intents: dict[str, int]
    errored: bool
    error_turns: int
    dead: bool
    handed_off: bool
    handoff_reason: str | None
    tasks_started: list[str]
    tasks_done: list[str]
    resolved: bool
    abandoned: bool

    @property
    def contained(self) -> bool:
        return not self.handed_off

    @property
    def label(self) -> str:
        """One of :data:`OUTCOMES`, in that order of precedence."""
        if self.resolved:
            return "resolved"
        if self.handed_off:
            return "handed_off"
        if self.dead:
            return "dead"
        if self.abandoned:
            return "abandoned"
        return "unresolved" if self.tasks_started else "no_task"


@dataclass
class OutcomeState:
    """The running fold of one conversation's events (JSON-serialisable)."""

    turns: int = 0
    fallback_turns: int = 0
    fallback_intents: dict[str, int] = field(default_factory=dict)
    error_turns: int = 0
    handed_off: bool = False
    handoff_reason: str | None = None
    tasks_started: list[str] = field(default_factory=list)
    tasks_done: list[str] = field(default_factory=list)
    tasks_ended: list[str] = field(default_factory=list)  # done, refused or declined
    turn: str = ""  # the latest message: "" none, "waiting" for the bot, "answered"
    turn_fell_back: bool = False
    turn_intent: str = ""
    last_user_at: float | None = None
    last_event_at: float | None = None
    paused: bool = False

    @classmethod
    def from_json(cls, text: str | None) -> OutcomeState:
        data = json.loads(text or "{}")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    # --- folding ----------------------------------------------------------------------
    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        ts = event.get("timestamp")
        if isinstance(ts, int | float):
            self.last_event_at = max(self.last_event_at or 0.0, float(ts))
        if kind == "user":
            self._user(event, ts)
        elif kind == "bot":
            self._bot(event)
        elif kind == "action":
            self._action(str(event.get("name") or ""))
        elif kind == "active_loop":
            task = BY_FORM.get(str(event.get("name") or ""))
            if task is not None:
                self._start(task.name)
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == HANDOFF_SLOT and value:
                self.handed_off = True
            elif name == HANDOFF_REASON_SLOT and isinstance(value, str) and value:
                self.handoff_reason = handoff_reason_label(value)
        elif kind == "pause":
            self.paused = True
        elif kind in ("resume", "restart"):
            self.paused = False

    def _user(self, event: dict[str, Any], ts: Any) -> None:
        if self.turn == "waiting" and not self.paused:
            self.error_turns += 1  # the previous message got the apology, not an answer
        self.turns += 1
        self.turn = "waiting"
        self.turn_fell_back = False
        self.last_user_at = float(ts) if isinstance(ts, int | float) else self.last_user_at
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        self.turn_intent = leaning_intent(parse) if intent in FALLBACK_INTENTS else str(intent)
        if intent in FALLBACK_INTENTS:
            self._fallback()

    def _fallback(self) -> None:
        """Count the latest message as not understood (once), by the intent it leaned to."""
        if self.turn_fell_back or not self.turns:
            return
        self.turn_fell_back = True
        self.fallback_turns += 1
        leaning = self.turn_intent or "unknown"
        self.fallback_intents[leaning] = self.fallback_intents.get(leaning, 0) + 1

    def _bot(self, event: dict[str, Any]) -> None:
        if self.turn == "waiting":
            self.turn = "answered"
        marker = (event.get("metadata") or {}).get(TASK_METADATA)
        if isinstance(marker, dict) and marker.get("task"):
            name = str(marker["task"])
            self._start(name)
            self._end(name, bool(marker.get("done")))
        elif QUESTION_TASK in self.tasks_started and QUESTION_TASK not in self.tasks_ended:
            self._end(QUESTION_TASK, True)

    def _action(self, name: str) -> None:
        if name in FALLBACK_ACTIONS:
            self._fallback()
        elif is_handoff_action(name):
            self.handed_off = True
        elif name in QUESTION_ACTIONS:
            if QUESTION_TASK in self.tasks_ended:  # a new question
                self.tasks_ended.remove(QUESTION_TASK)
            self._start(QUESTION_TASK)

    def _start(self, task: str) -> None:
        if task not in self.tasks_started:
            self.tasks_started.append(task)
        elif task in self.tasks_ended and task != QUESTION_TASK:
            self.tasks_ended.remove(task)  # the same task started again

    def _end(self, task: str, done: bool) -> None:
        if task not in self.tasks_ended:
            self.tasks_ended.append(task)
        if done and task not in self.tasks_done:
            self.tasks_done.append(task)

    # --- reading ----------------------------------------------------------------------
    def summary(self, now: float | None = None) -> Outcome:
        """The conversation's facts at ``now`` (None: as far as the events say, no timeouts)."""
        waiting = self.turn == "waiting" and not self.paused
        timed_out = (
            waiting
            and now is not None
            and self.last_user_at is not None
            and now - self.last_user_at > ANSWER_TIMEOUT_S
        )
        error_turns = self.error_turns + int(timed_out)
        dead = timed_out
        idle = now is not None and now - (self.last_event_at or 0.0) > IDLE_S
        open_tasks = [t for t in self.tasks_started if t not in self.tasks_ended]
        resolved = (
            bool(self.tasks_done)
            and not open_tasks
            and all(t in self.tasks_done for t in self.tasks_started)
            and not self.handed_off
            and not dead
            and not waiting
        )
        abandoned = bool(open_tasks) and not self.handed_off and not dead and idle
        return Outcome(
            turns=self.turns,
            fell_back=self.fallback_turns > 0,
            fallback_turns=self.fallback_turns,
            fallback_intents=dict(self.fallback_intents),
            errored=error_turns > 0,
            error_turns=error_turns,
            dead=dead,
            handed_off=self.handed_off,
            handoff_reason=(self.handoff_reason or "unspecified") if self.handed_off else None,
            tasks_started=list(self.tasks_started),
            tasks_done=list(self.tasks_done),
            resolved=resolved,
            abandoned=abandoned,
        )


def outcome_of(events: list[dict[str, Any]], now: float | None = None) -> Outcome:
    """The facts of a whole conversation (tests and one-off reads; ingest folds incrementally)."""
    state = OutcomeState()
    for event in events:
        state.feed(event)
    return state.summary(now)
