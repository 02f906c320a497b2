"""Write ``data/rules/*.yml``: the intent → action table of the assistant, as Rasa rules.

Why generated: every form needs the same unhappy-path rules (answer the digression, then go
back to the form; stop; hand over to a person), and nine forms times two dozen intents is too
many rules to keep consistent by hand. Edit the tables below and run
``python -m bot.dialogue.rulegen``; the YAML files are committed so Rasa never runs this.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = PROJECT_ROOT / "data" / "rules"

# A form per task, the intents that start it and the action that runs once it is complete.
FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "identify_form": (("inform",), "action_identified"),
    "order_status_form": (("track_order", "track_refund"), "action_order_status"),
    "cancel_form": (("cancel_order",), "action_cancel_order"),
    "modify_items_form": (("change_order",), "action_modify_items"),
    "modify_address_form": (("change_shipping_address",), "action_modify_address"),
    "modify_payment_form": (("change_payment_method",), "action_modify_payment"),
    "return_form": (("return_item",), "action_return_items"),
    "exchange_form": (("exchange_item",), "action_exchange_items"),
    "default_address_form": (("edit_account",), "action_change_default_address"),
}

POLICY_INTENTS = (
    "delivery_options",
    "delivery_period",
    "check_refund_policy",
    "check_cancellation_fee",
    "check_payment_methods",
    "payment_issue",
    "get_invoice",
    "get_refund",
    "create_account",
    "delete_account",
    "recover_password",
    "registration_problems",
    "newsletter_subscription",
    "review",
)
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
    for form, (intents, submit) in FORMS.items():
        for intent in intents:
            forms.append(
                _rule(
                    f"{intent} starts {form}",
                    [{"intent": intent}, {"action": form}, {"active_loop": form}],
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
            for intent in ("track_order", "track_refund"):
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
        for intent in intents:
            if intent in NOT_UNDERSTOOD_IN_FORM:
                continue
            # The opening request repeated inside its own form ("where is my order?" at the
            # identity question): the form rejects it and, without this rule, no rule applied.
            digressions.append(
                _rule(
                    f"{intent} again during {form}",
                    [
                        {"intent": intent},
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


def write_rules(directory: Path = RULES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, rules in build_rules().items():
        path = directory / filename
        body = yaml.safe_dump(
            {"version": "3.1", "rules": rules}, sort_keys=False, allow_unicode=True, width=100
        )
        path.write_text(HEADER + body, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_rules():
        print(written_path.relative_to(PROJECT_ROOT))
