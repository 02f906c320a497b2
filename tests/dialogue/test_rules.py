"""The committed rule files are what the rule tables generate, and cover every intent."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.dialogue.rulegen import DOMAIN_FILE, FORMS, RULES_DIR, build_domain, build_rules
from bot.orders.tasks import TASKS

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_committed_rules_match_the_tables() -> None:
    for filename, rules in build_rules().items():
        committed = yaml.safe_load((RULES_DIR / filename).read_text())["rules"]
        assert committed == rules, f"{filename} is stale: run python -m bot.dialogue.rulegen"


def test_committed_task_domain_matches_the_registry() -> None:
    committed = yaml.safe_load(DOMAIN_FILE.read_text())
    assert committed == build_domain(), (
        "domain/tasks.yml is stale: run python -m bot.dialogue.rulegen"
    )
    for task in TASKS:  # every task: a form asking its slots, a validator, its action
        assert committed["forms"][task.form]["required_slots"] == ["email", *task.slots]
        assert f"validate_{task.form}" in committed["actions"]
        assert task.action in committed["actions"]


def test_every_intent_has_a_rule_and_a_test_story() -> None:
    intents = yaml.safe_load((PROJECT_ROOT / "domain" / "nlu.yml").read_text())["intents"]
    ruled = {
        step["intent"]
        for rules in build_rules().values()
        for rule in rules
        for step in rule["steps"]
        if "intent" in step
    }
    tested = {
        step["intent"]
        for path in (PROJECT_ROOT / "tests").glob("test_*.yml")
        for story in yaml.safe_load(path.read_text())["stories"]
        for step in story["steps"]
        if "intent" in step
    }
    missing_rule = set(intents) - ruled
    missing_test = set(intents) - tested
    assert not missing_rule, missing_rule
    assert not missing_test, missing_test


def test_every_form_has_a_story_and_at_least_sixty_stories() -> None:
    stories = [
        story
        for path in (PROJECT_ROOT / "tests").glob("test_*.yml")
        for story in yaml.safe_load(path.read_text())["stories"]
    ]
    assert len(stories) >= 60
    used = {step.get("action") for story in stories for step in story["steps"]}
    assert set(FORMS) <= used
