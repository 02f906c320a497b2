"""An unsure question with a policy reading is answered (bot/dialogue/questions.py)."""

from __future__ import annotations

import pytest

from bot.dialogue.questions import (
    POLICY_INTENTS,
    TASK_INTENTS,
    guesses_a_task,
    policy_reading,
    reads_as_question,
)

UNSURE = [
    {"name": "return_item", "confidence": 0.3},
    {"name": "check_refund_policy", "confidence": 0.25},
    {"name": "check_availability", "confidence": 0.2},
]


@pytest.mark.parametrize(
    "text",
    [
        "can I send it back? how long do I have?",
        "hi, do you ship to Canada",
        "ok so what happens if it arrives broken",
        "I got the wrong size. Can I swap it",
        "可以退吗",
        "退货有几天时间",
        "运费怎么算",
    ],
)
def test_questions(text: str) -> None:
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    ["I want to send it back", "return the lamp please", "我要退货", "帮我取消订单", "cancel it"],
)
def test_requests_are_no_questions(text: str) -> None:
    assert not reads_as_question(text)


def test_the_first_policy_reading_among_the_likeliest() -> None:
    found = policy_reading("can I send it back? how long do I have?", UNSURE, [])
    assert found == {"name": "check_refund_policy", "confidence": 0.25}


def test_what_stays_with_the_fallback() -> None:
    question = "can I send it back? how long do I have?"
    assert policy_reading("I want to send it back", UNSURE, []) is None  # not a question
    order = [{"entity": "order_id", "value": "#W6319233"}]
    assert policy_reading("can I send back #W6319233?", UNSURE, order) is None
    off_topic = [{"name": "out_of_scope", "confidence": 0.35}, *UNSURE]
    assert policy_reading("how long do penguins live?", off_topic, []) is None
    maybe_off_topic = [
        {"name": "check_refund_policy", "confidence": 0.35},
        {"name": "return_item", "confidence": 0.27},
        {"name": "out_of_scope", "confidence": 0.19},
    ]
    assert policy_reading("个人所得税怎么退", maybe_off_topic, []) is None
    unlikely = [
        UNSURE[0],
        {"name": "greet", "confidence": 0.2},
        {"name": "check_refund_policy", "confidence": 0.09},
    ]
    assert policy_reading(question, unlikely, []) is None  # too unlikely to be meant
    far = [UNSURE[0], UNSURE[2], {"name": "greet", "confidence": 0.15}, UNSURE[1]]
    assert policy_reading(question, far, []) is None  # not among the three likeliest
    assert policy_reading("/check_refund_policy", UNSURE, []) is None  # a button


def test_policy_intents_are_the_ones_answered_from_the_policy() -> None:
    from bot.dialogue.conversation import POLICY_TOPICS
    from bot.dialogue.rulegen import ANSWERS

    assert {i for i, action in ANSWERS.items() if action == "action_answer_policy"} == set(
        POLICY_INTENTS
    )
    assert set(POLICY_INTENTS) <= set(POLICY_TOPICS)


def test_an_unsure_first_reading_that_changes_an_order_is_a_guess() -> None:
    assert guesses_a_task([{"name": "return_item", "confidence": 0.42}])
    assert not guesses_a_task([{"name": "return_item", "confidence": 0.6}])
    assert not guesses_a_task([{"name": "search_product", "confidence": 0.3}])
    assert not guesses_a_task([])


def test_task_intents_are_the_registrys_changing_tasks() -> None:
    from bot.orders.tasks import TASKS

    assert {i for task in TASKS if task.changes for i in task.intents} == TASK_INTENTS
