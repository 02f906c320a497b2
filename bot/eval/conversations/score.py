"""Score one conversation: the database's end state against the replayed reference writes.

Every order of the task's customer (and any order a reference action names) and the customer
are compared field by field. A field that differs from the expected state is a **wrong write**
when the product changed it (it differs from the source too) and a **missing write** when the
product left it as it was. A task passes when nothing differs, every required output was said
(lower-cased, commas removed) and, if the reference hands off, the conversation was handed off.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from bot.eval.conversations.shopper import Conversation, words_of
from bot.eval.conversations.tau import (
    OrderState,
    Replay,
    TauTask,
    UserState,
    order_state,
    source_data,
    user_state,
)


@dataclass
class TaskResult:
    category: str  # why it failed, in a few words (empty when it passed)
    task_id: str
    split: str
    passed: bool
    clean: bool
    turns: int
    recoveries: list[str]
    wrong_writes: list[str]
    missing_writes: list[str]
    missing_outputs: list[str]
    dead: str | None
    handed_off: bool
    failure: str
    reference_refused: list[str]
    style: dict[str, Any]
    transcript: list[dict[str, Any]] = field(default_factory=list)


def entities(task: TauTask, data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The orders and customers a task can touch: the customer's, and any order it names."""
    orders = set(data["users"][task.user_id]["orders"])
    orders |= {str(a.kwargs["order_id"]) for a in task.actions if "order_id" in a.kwargs}
    return {o for o in orders if o in data["orders"]}, {task.user_id}


def compare(
    task: TauTask,
    replay: Replay,
    actual_orders: dict[str, OrderState],
    actual_users: dict[str, UserState],
) -> tuple[list[str], list[str]]:
    """(wrong writes, missing writes), each "<order or customer> <field>: want -> have"."""
    source = source_data()
    order_ids, user_ids = entities(task, source)
    wrong: list[str] = []
    missing: list[str] = []
    pairs: list[tuple[str, Any, Any, Any]] = [
        (
            oid,
            order_state(replay.data["orders"][oid]),
            order_state(source["orders"][oid]),
            actual_orders.get(oid),
        )
        for oid in sorted(order_ids)
    ] + [
        (
            uid,
            user_state(replay.data["users"][uid]),
            user_state(source["users"][uid]),
            actual_users.get(uid),
        )
        for uid in sorted(user_ids)
    ]
    for key, want, before, have in pairs:
        if have is None:
            missing.append(f"{key}: not in the database")
            continue
        for name in want.__dataclass_fields__:
            w, b, h = getattr(want, name), getattr(before, name), getattr(have, name)
            if w == h:
                continue
            if name in MULTISETS:
                extra, lacking = _multiset_changes(w, b, h)
                if extra:
                    wrong.append(f"{key} {name}: unexpected {extra!r}")
                if lacking:
                    missing.append(f"{key} {name}: missing {lacking!r}")
                continue
            line = f"{key} {name}: want {w!r}, have {h!r}"
            (wrong if h != b else missing).append(line)
    return wrong, missing


# Fields that are multisets (items, movements): the product's changes are compared with the
# reference's change by change, so a right change beside a missing one is no wrong write.
MULTISETS = ("items", "returned", "exchanged", "transactions")


def _multiset_changes(want: Any, before: Any, have: Any) -> tuple[list[Any], list[Any]]:
    """(changes the product made that the reference did not, reference changes not made)."""
    w, b, h = Counter(want), Counter(before), Counter(have)
    made = (h - b, b - h)  # added, removed by the product
    expected = (w - b, b - w)
    extra = list(((made[0] - expected[0]) + (made[1] - expected[1])).elements())
    lacking = list(((expected[0] - made[0]) + (expected[1] - made[1])).elements())
    return sorted(extra, key=repr), sorted(lacking, key=repr)


def score(
    task: TauTask,
    split: str,
    replay: Replay,
    convo: Conversation,
    actual_orders: dict[str, OrderState],
    actual_users: dict[str, UserState],
    style: dict[str, Any],
) -> TaskResult:
    wrong, missing = compare(task, replay, actual_orders, actual_users)
    said = words_of(convo.bot_text)
    missing_outputs = [o for o in task.outputs if words_of(o) not in said]
    handoff_ok = convo.handed_off if task.hands_off else True
    passed = not wrong and not missing and not missing_outputs and handoff_ok
    reasons: list[str] = []
    if convo.dead:
        reasons.append(f"dead: {convo.dead}")
    if wrong:
        reasons.append(f"{len(wrong)} wrong write(s): {wrong[0]}")
    if missing:
        reasons.append(f"{len(missing)} missing write(s): {missing[0]}")
    if missing_outputs:
        reasons.append(f"outputs not said: {missing_outputs}")
    if not handoff_ok:
        reasons.append("not handed off to a person")
    if not passed and convo.requests_failed:
        reasons.append("; ".join(convo.requests_failed))
    if not passed and convo.handed_off and not task.hands_off:
        reasons.append("handed off to a person")
    return TaskResult(
        category="" if passed else category(convo, wrong, missing_outputs, handoff_ok),
        task_id=task.id,
        split=split,
        passed=passed,
        clean=passed and not convo.recoveries,
        turns=convo.shopper_turns,
        recoveries=list(convo.recoveries),
        wrong_writes=wrong,
        missing_writes=missing,
        missing_outputs=missing_outputs,
        dead=convo.dead,
        handed_off=convo.handed_off,
        failure=" | ".join(reasons),
        reference_refused=list(replay.refused),
        style=style,
        transcript=[asdict(t) for t in convo.turns],
    )


def category(
    convo: Conversation, wrong: list[str], missing_outputs: list[str], handoff_ok: bool
) -> str:
    """The main reason a task failed, coarse enough to count (most telling first)."""
    moves = [t.move or "" for t in convo.turns if t.speaker == "shopper"]
    failed = " ".join(convo.requests_failed)
    if wrong:
        return "wrong write"
    if convo.dead:
        return f"dead: {convo.dead.split(':')[0]}"
    if convo.handed_off:
        return "handed off to a person"
    if "refuse_preview" in moves:
        return "the preview did not match the request (refused)"
    if "not done:" in failed:
        return "request not taken up (the bot went elsewhere)"
    if "refused after yes" in failed:
        return "refused after the shopper confirmed"
    if missing_outputs:
        return "required output not said"
    if not handoff_ok:
        return "not handed off"
    return "missing write"


@dataclass(frozen=True)
class Summary:
    split: str
    tasks: int
    passed: int
    clean: int
    wrong_writes: int  # conversations with at least one wrong write
    dead: int
    median_turns: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.tasks if self.tasks else 0.0

    @property
    def clean_rate(self) -> float:
        return self.clean / self.tasks if self.tasks else 0.0

    def line(self) -> str:
        return (
            f"{self.split}: {self.tasks} tasks, pass {self.pass_rate:.0%} ({self.passed}), "
            f"clean pass {self.clean_rate:.0%} ({self.clean}), wrong writes in "
            f"{self.wrong_writes}, dead {self.dead}, median turns {self.median_turns:g}"
        )


def summarise(split: str, results: list[TaskResult]) -> Summary:
    return Summary(
        split=split,
        tasks=len(results),
        passed=sum(r.passed for r in results),
        clean=sum(r.clean for r in results),
        wrong_writes=sum(bool(r.wrong_writes) for r in results),
        dead=sum(bool(r.dead) for r in results),
        median_turns=float(median([r.turns for r in results])) if results else 0.0,
    )
