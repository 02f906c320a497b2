"""The task registry itself: every task is complete, and what derives from it agrees."""

from __future__ import annotations

from dataclasses import fields

from bot.dialogue.plan import plan_fingerprint
from bot.orders.tasks import BY_FORM, CHANGE_TASKS, TASK_SLOTS, TASKS, Request
from tests.orders.test_refusals import CASES


def test_names_forms_and_actions_are_unique() -> None:
    for attribute in ("name", "form", "action"):
        values = [getattr(task, attribute) for task in TASKS]
        assert len(values) == len(set(values)), attribute
    assert set(BY_FORM) == {task.form for task in TASKS}


def test_change_tasks_confirm_and_take_known_arguments() -> None:
    known = {f.name for f in fields(Request)} - {"customer_id"}
    for task in CHANGE_TASKS:
        assert task.slots[-1] == "confirmed", task.name  # preview, then an explicit yes
        assert set(task.args) <= known, task.name
        assert "confirmed" not in task.plan_slots
    assert "previewed_plan" in TASK_SLOTS and set(TASK_SLOTS) >= {
        s for task in TASKS for s in task.slots
    }


def test_every_change_task_has_refusal_cases() -> None:
    covered = {case.action for case in CASES} | {"cancel_item"}  # test_cancel_item.py
    assert covered >= {task.name for task in CHANGE_TASKS}


def test_the_fingerprint_covers_exactly_the_plan_slots() -> None:
    for task in CHANGE_TASKS:
        slots = {s: f"value of {s}" for s in task.slots} | {"customer_id": "c1"}
        base = plan_fingerprint(task.name, slots)
        for slot in task.plan_slots:
            assert plan_fingerprint(task.name, slots | {slot: "other"}) != base, slot
        assert plan_fingerprint(task.name, slots | {"confirmed": True}) == base
