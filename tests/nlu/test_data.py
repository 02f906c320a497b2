"""Checks on the NLU training data itself: coverage, duplicates, entities, synonyms."""

from __future__ import annotations

from collections import defaultdict

from bot.nlu.data import NluData, normalise_text, parse_example
from bot.texts.detect import LANGUAGE_ENTITY
from tests.nlu.conftest import ISSUE_INTENTS, NLU_DIR

ALL_ISSUE_INTENTS = [name for names in ISSUE_INTENTS.values() for name in names]
MIN_EXAMPLES = 25


def test_issues_list_41_intents() -> None:
    """Issue 3 names 40 intents (7 + 6 + 4 + 5 + 5 + 4 + 9; the brief's "42" miscounted);
    issue 16 adds ask_order_info."""
    assert len(ALL_ISSUE_INTENTS) == 41 == len(set(ALL_ISSUE_INTENTS))


def test_every_issue_intent_has_enough_examples(nlu: NluData) -> None:
    short = {
        name: len(nlu.intents.get(name, []))
        for name in ALL_ISSUE_INTENTS
        if len(nlu.intents.get(name, [])) < MIN_EXAMPLES
    }
    assert not short, f"intents with fewer than {MIN_EXAMPLES} examples: {short}"


def test_no_intents_beyond_the_issue(nlu: NluData) -> None:
    assert set(nlu.intents) == set(ALL_ISSUE_INTENTS)


def test_domain_declares_exactly_the_issue_intents(nlu_domain: dict) -> None:
    assert sorted(nlu_domain["intents"]) == sorted(ALL_ISSUE_INTENTS)


def test_each_concern_lives_in_its_own_file(nlu: NluData) -> None:
    for concern, names in ISSUE_INTENTS.items():
        for name in names:
            assert nlu.sources[name] == NLU_DIR / f"{concern}.yml", name


def test_no_example_is_duplicated_within_or_across_intents(nlu: NluData) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for intent, examples in nlu.intents.items():
        for example in examples:
            seen[normalise_text(example.text)].append(intent)
    duplicated = {text: where for text, where in seen.items() if len(where) > 1}
    assert not duplicated, duplicated


def test_annotated_entities_are_declared_in_the_domain(nlu: NluData, nlu_domain: dict) -> None:
    # an entry is a name, or {name: options} (influence_conversation: false)
    declared = {e if isinstance(e, str) else next(iter(e)) for e in nlu_domain["entities"]}
    used = {e.entity for examples in nlu.intents.values() for ex in examples for e in ex.entities}
    assert used <= declared, used - declared
    # every declared entity is taught by at least one annotated example (but the message's
    # language, which a pipeline step sets: rasa_addons/language_detector.py)
    assert declared - {LANGUAGE_ENTITY} <= used, declared - {LANGUAGE_ENTITY} - used


def test_annotation_parser_reads_all_forms() -> None:
    ex = parse_example('order [#S1000001](order_id) in [grey]{"entity": "color", "value": "gray"}')
    assert ex.text == "order #S1000001 in grey"
    assert [(e.entity, e.value) for e in ex.entities] == [("order_id", None), ("color", "gray")]


def test_inform_examples_all_carry_an_entity(nlu: NluData) -> None:
    """`inform` is for form answers; an example without an entity would make it swallow
    other intents ("yes", "help") instead of teaching slot values."""
    bare = [ex.raw for ex in nlu.intents["inform"] if not ex.entities]
    assert not bare, bare


def test_inform_covers_every_form_answer_kind(nlu: NluData) -> None:
    kinds = {e.entity for ex in nlu.intents["inform"] for e in ex.entities}
    assert {
        "email",
        "zip",
        "order_id",
        "person_name",
        "color",
        "size",
        "payment_method",
        "cancel_reason",
        "quantity",
    } <= kinds


def test_person_names_are_first_and_last_name(nlu: NluData) -> None:
    names = [
        e.text
        for exs in nlu.intents.values()
        for ex in exs
        for e in ex.entities
        if e.entity == "person_name"
    ]
    assert len(names) >= 10
    assert all(len(name.split()) == 2 for name in names), names


def test_confirmation_words_are_where_the_forms_expect_them(nlu: NluData) -> None:
    texts = {name: {normalise_text(ex.text) for ex in nlu.intents[name]} for name in nlu.intents}
    assert {"yes please", "yep", "confirm", "go ahead"} <= texts["affirm"]
    assert {"no", "nope", "don't"} <= texts["deny"]
    assert {"never mind", "cancel that", "forget it", "stop"} <= texts["stop"]
    assert "cancel my order" in texts["cancel_order"]


def test_no_synonym_text_maps_to_two_values(nlu: NluData) -> None:
    owner: dict[str, str] = {}
    for value, texts in nlu.synonyms.items():
        for text in texts:
            key = text.lower()
            assert owner.setdefault(key, value) == value, f"{text!r}: {owner[key]} vs {value}"


def test_synonym_examples_do_not_contradict_annotations(nlu: NluData) -> None:
    """An annotated text with an explicit value must agree with the synonym table."""
    synonym_of = {t.lower(): v for v, texts in nlu.synonyms.items() for t in texts}
    for examples in nlu.intents.values():
        for ex in examples:
            for e in ex.entities:
                if e.value and e.text.lower() in synonym_of:
                    assert synonym_of[e.text.lower()] == e.value, ex.raw
