"""Write ``data/rules/*.yml`` and ``domain/tasks.yml`` from the tables below and the task registry.

Why generated: every form needs the same unhappy-path rules (answer the digression, then go
back to the form; stop; hand over to a person), and ten forms times two dozen intents is too
many rules to keep consistent by hand. The forms, their slots, their validators and change
actions come from the order tasks (``bot/orders/tasks/``), so a new task needs no edit here.
Run ``python -m bot.dialogue.rulegen``; the YAML files are committed so Rasa never runs this,
and tests/dialogue/test_rules.py fails when they are stale.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.dialogue.questions import POLICY_INTENTS
from bot.orders.tasks import BY_NAME, TASKS
from bot.orders.tasks.base import CONFIRM_SLOT

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = PROJECT_ROOT / "data" / "rules"
DOMAIN_FILE = PROJECT_ROOT / "domain" / "tasks.yml"

# The identity step on its own (a shopper who just gives their e-mail), then one form per task:
# what starts it (an intent, with the entities that must come with it) and the action that
# runs once it is complete.
IDENTIFY_FORM = "identify_form"
Start = tuple[str, tuple[str, ...]]


def _starts(intents: tuple[str, ...], entities: tuple[str, ...]) -> tuple[Start, ...]:
    """Rasa matches a rule's entities exactly, so a required entity is listed alone and
    beside an order id ("cancel the lamp from #W1234567")."""
    if not entities:
        return tuple((intent, ()) for intent in intents)
    with_order = tuple(sorted({*entities, "order_id"}))
    return tuple((i, e) for i in intents for e in dict.fromkeys([entities, with_order]))


FORMS: dict[str, tuple[tuple[Start, ...], str]] = {
    IDENTIFY_FORM: (_starts(("inform",), ()), "action_identified"),
    **{task.form: (_starts(task.intents, task.entities), task.action) for task in TASKS},
}
# A refusal inside one task's form that another task resolves (the button sends its intent):
# that intent leaves the form and starts the other task's form.
SWITCHES: dict[str, tuple[str, ...]] = {
    task.form: tuple(BY_NAME[other].intents[0] for _, other in task.offers.values())
    for task in TASKS
    if task.offers
}

# Any other change task's request inside a form switches to that task (issue 16: "I want to
# CANCEL order S1000029" at "which items would you like to change?"). The identity, the order
# and the items stay in their slots, so the new form only asks what it still lacks.
TASK_SWITCHES: dict[str, tuple[Start, ...]] = {
    task.form: tuple(
        start
        for other in TASKS
        if other.changes and other.form != task.form
        for start in _starts(other.intents, other.entities)
        if start not in _starts(task.intents, task.entities)
    )
    for task in TASKS
}
FORM_OF_START: dict[Start, str] = {
    start: task.form for task in TASKS for start in _starts(task.intents, task.entities)
}

PRODUCT_INTENTS = ("search_product", "product_info", "check_availability", "recommend_product")

# Intents answered by one action, inside or outside a form (inside, the form then resumes).
ANSWERS: dict[str, str] = {
    **{intent: "action_answer_policy" for intent in POLICY_INTENTS},
    **{intent: "action_search_products" for intent in PRODUCT_INTENTS},
    "compare_products": "action_answer_question",
    "place_order": "utter_place_order",
    "greet": "utter_greet",
    "thank": "utter_you_are_welcome",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "complaint": "action_complaint",
    "nlu_fallback": "action_fallback",
}
# Outside a form only (inside one they mean something else, see below).
OUTSIDE_FORM: dict[str, str] = {
    "affirm": "utter_how_can_help",
    # Outside a task the bot's open question is "anything else?": "no" ends the chat.
    "deny": "utter_goodbye",
    "goodbye": "utter_goodbye",
    "stop": "action_stop_task",
    "contact_human_agent": "action_handoff",
}
# Inside a form: the answer to the form's question was not understood.
NOT_UNDERSTOOD_IN_FORM = ("inform", "affirm")
# Inside a form: these end the task without changing anything (then the action runs).
ENDS_FORM: dict[str, str] = {
    "stop": "action_stop_task",
    "deny": "action_stop_task",
    "goodbye": "action_stop_task",
    "contact_human_agent": "action_handoff",
}


def _user(intent: str, entities: tuple[str, ...] = ()) -> dict:
    return {"intent": intent, "entities": list(entities)} if entities else {"intent": intent}


def _said(intent: str, entities: tuple[str, ...]) -> str:
    return f"{intent} naming {' and '.join(entities)}" if entities else intent


def _rule(name: str, steps: list[dict], condition: list[dict] | None = None) -> dict:
    rule: dict = {"rule": name}
    if condition:
        rule["condition"] = condition
    rule["steps"] = steps
    return rule


def build_rules() -> dict[str, list[dict]]:
    """Rule lists per output file."""
    answers = [
        _rule(f"{intent} -> {action}", [{"intent": intent}, {"action": action}])
        for intent, action in {**ANSWERS, **OUTSIDE_FORM}.items()
    ]
    forms: list[dict] = []
    digressions: list[dict] = []
    for form, (starts, submit) in FORMS.items():
        for intent, entities in starts:
            forms.append(
                _rule(
                    f"{_said(intent, entities)} starts {form}",
                    [_user(intent, entities), {"action": form}, {"active_loop": form}],
                )
            )
        forms.append(
            _rule(
                f"{form} complete -> {submit}",
                [
                    {"action": form},
                    {"active_loop": None},
                    {"slot_was_set": [{"requested_slot": None}]},
                    {"action": submit},
                ],
                # No active_loop condition: a form whose slots were all given up front is
                # activated and completed by the same action.
            )
        )
        in_form = [{"active_loop": form}]
        for intent, action in ANSWERS.items():
            digressions.append(
                _rule(
                    f"{intent} during {form}",
                    [
                        {"intent": intent},
                        {"action": action},
                        {"action": form},
                        {"active_loop": form},
                    ],
                    condition=in_form,
                )
            )
        if form != "order_status_form":
            for intent in BY_NAME["status"].intents:
                digressions.append(
                    _rule(
                        f"{intent} (another order) during {form}",
                        [
                            {"intent": intent},
                            {"action": "action_other_order_status"},
                            {"action": form},
                            {"active_loop": form},
                        ],
                        condition=in_form,
                    )
                )
        for intent, entities in starts:
            if intent in NOT_UNDERSTOOD_IN_FORM:
                continue
            # The opening request repeated inside its own form ("where is my order?" at the
            # identity question): the form rejects it and, without this rule, no rule applied.
            digressions.append(
                _rule(
                    f"{_said(intent, entities)} again during {form}",
                    [
                        _user(intent, entities),
                        {"action": "utter_already_on_it"},
                        {"action": form},
                        {"active_loop": form},
                    ],
                    condition=in_form,
                )
            )
        for intent in NOT_UNDERSTOOD_IN_FORM:
            digressions.append(
                _rule(
                    f"{intent} not understood during {form}",
                    [
                        {"intent": intent},
                        {"action": "utter_not_understood_in_form"},
                        {"action": form},
                        {"active_loop": form},
                    ],
                    condition=in_form,
                )
            )
        for intent in SWITCHES.get(form, ()):
            target = next(f for f, (s, _) in FORMS.items() if (intent, ()) in s)
            digressions.append(
                _rule(
                    f"{intent} leaves {form} for {target}",
                    [
                        {"intent": intent},
                        {"action": "action_deactivate_loop"},
                        {"active_loop": None},
                        {"action": target},
                        {"active_loop": target},
                    ],
                    condition=in_form,
                )
            )
        switched = set(SWITCHES.get(form, ()))
        for intent, entities in TASK_SWITCHES.get(form, ()):
            if not entities and intent in switched:
                continue  # already a refusal's offer above
            target = FORM_OF_START[(intent, entities)]
            digressions.append(
                _rule(
                    f"{_said(intent, entities)} switches {form} to {target}",
                    [
                        _user(intent, entities),
                        {"action": "action_deactivate_loop"},
                        {"active_loop": None},
                        {"action": target},
                        {"active_loop": target},
                    ],
                    condition=in_form,
                )
            )
        for intent, action in ENDS_FORM.items():
            digressions.append(
                _rule(
                    f"{intent} ends {form}",
                    [
                        {"intent": intent},
                        {"action": "action_deactivate_loop"},
                        {"active_loop": None},
                        {"action": action},
                    ],
                    condition=in_form,
                )
            )
    return {"answers.yml": answers, "forms.yml": forms, "digressions.yml": digressions}


HEADER = "# Generated by `python -m bot.dialogue.rulegen` from the tables in that module.\n"
DOMAIN_HEADER = (
    "# Generated by `python -m bot.dialogue.rulegen` from the order tasks (bot/orders/tasks/):\n"
    "# the task forms, their validators and change actions, and the confirmation slot.\n"
)


def build_domain() -> dict:
    """The part of the domain the task registry defines (merged by Rasa with domain/*.yml)."""
    confirming = [t.form for t in TASKS if CONFIRM_SLOT in t.slots]
    conditions = [{"active_loop": form, "requested_slot": CONFIRM_SLOT} for form in confirming]
    confirmed = {
        "type": "bool",
        "influence_conversation": False,
        "mappings": [
            {"type": "from_intent", "intent": "affirm", "value": True, "conditions": conditions},
            {
                "type": "from_intent",
                "intent": "deny",
                "value": False,
                "conditions": [dict(c) for c in conditions],
            },
        ],
    }
    forms = {IDENTIFY_FORM: {"required_slots": ["email"]}}
    forms |= {t.form: {"required_slots": ["email", *t.slots]} for t in TASKS}
    actions = [f"validate_{form}" for form in forms] + [submit for _, submit in FORMS.values()]
    return {
        "version": "3.1",
        "slots": {CONFIRM_SLOT: confirmed},
        "forms": forms,
        "actions": actions,
    }


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_rules(directory: Path = RULES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, rules in build_rules().items():
        path = directory / filename
        path.write_text(HEADER + _dump({"version": "3.1", "rules": rules}), encoding="utf-8")
        written.append(path)
    return written


def write_domain(path: Path = DOMAIN_FILE) -> Path:
    path.write_text(DOMAIN_HEADER + _dump(build_domain()), encoding="utf-8")
    return path


if __name__ == "__main__":
    for written_path in [*write_rules(), write_domain()]:
        print(written_path.relative_to(PROJECT_ROOT))
