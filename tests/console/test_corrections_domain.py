"""Corrections speak the trained domain (issue 18, item 2): an intent or action the model does
not know is refused with a 4xx and a readable message, and never reaches the NLU export."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.console.demo import Script, write_script
from bot.console.domain import MODEL, rule_actions, trained_domain
from bot.console.ingest import ingest_new_events
from bot.console.models import Conversation, IntentCorrection
from bot.console.review import UNKNOWN_ACTION, UNKNOWN_INTENT
from bot.db.events import EVENTS
from bot.db.session import Database
from tests.console.conftest import AGENT, login

ROOT = Path(__file__).resolve().parents[2]


def _domain_file_intents() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "domain").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text()) or {}).get("intents") or []:
            names.add(item if isinstance(item, str) else next(iter(item)))
    return names


def _seed(db: Database) -> tuple[int, int]:
    write_script(
        db,
        Script("refund-q", time.time() - 100)
        .user("what is your refund policy?", "return_item", 0.51)
        .action("return_form")
        .bot("Which order would you like to return?"),
    )
    ingest_new_events(db)
    with db.session() as s:
        cid = s.scalars(select(Conversation.id)).one()
        user_event = next(
            i
            for i, d in s.execute(select(EVENTS.c.id, EVENTS.c.data)).all()
            if json.loads(d)["event"] == "user"
        )
    return cid, user_event


def test_unknown_intent_is_a_422_with_a_message(app: FastAPI, staff: Database) -> None:
    cid, event_id = _seed(staff)
    client = TestClient(app)
    csrf = login(client, AGENT)
    url = f"/console/conversations/{cid}/correct"
    page = client.post(
        url, data={"event_id": event_id, "intent": "check_return_policy", "csrf": csrf}
    )
    assert page.status_code == 422 and UNKNOWN_INTENT in page.text
    assert (
        'list="trained-intents"' in page.text
        and '<option value="check_refund_policy">' in page.text
    )
    api = client.post(
        url,
        data={"event_id": event_id, "intent": "check_return_policy"},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 422 and api.json() == {"error": UNKNOWN_INTENT}
    action = client.post(
        url,
        data={
            "event_id": event_id,
            "intent": "check_refund_policy",
            "action": "action_refund_everything",
            "csrf": csrf,
        },
    )
    assert action.status_code == 422 and UNKNOWN_ACTION in action.text
    with staff.session() as s:
        assert s.scalar(select(func.count()).select_from(IntentCorrection)) == 0

    ok = client.post(
        url,
        data={
            "event_id": event_id,
            "intent": "check_refund_policy",
            "action": "action_answer_policy",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with staff.session() as s:
        row = s.scalars(select(IntentCorrection)).one()
    assert (row.corrected_intent, row.corrected_action) == (
        "check_refund_policy",
        "action_answer_policy",
    )


def test_nlu_export_never_contains_an_unknown_intent(app: FastAPI, staff: Database) -> None:
    cid, event_id = _seed(staff)
    client = TestClient(app)
    csrf = login(client, AGENT)
    client.post(
        f"/console/conversations/{cid}/correct",
        data={"event_id": event_id, "intent": "check_refund_policy", "csrf": csrf},
    )
    with staff.transaction() as s:  # kept before the domain lost this intent
        s.add(
            IntentCorrection(
                event_id=event_id + 1000,
                sender_id="refund-q",
                text="is there a restocking fee",
                predicted_intent="return_item",
                corrected_intent="check_return_policy",
                staff_email=AGENT[0],
                at=time.time(),
            )
        )
    exported = yaml.safe_load(client.get("/console/export-nlu").text)
    assert [block["intent"] for block in exported["nlu"]] == ["check_refund_policy"]
    assert "check_return_policy" not in json.dumps(exported)


def test_domain_comes_from_the_model_else_the_domain_files(tmp_path: Path) -> None:
    files = trained_domain(model=tmp_path / "no-model.tar.gz")
    assert files.source == "domain/*.yml" and files.intents == _domain_file_intents()
    assert "check_return_policy" not in files.intents and "action_answer_policy" in files.actions
    if not MODEL.exists():
        pytest.skip("no trained model in models/ (make train)")
    model = trained_domain()
    assert model.source.startswith("the trained model") and model.intents == files.intents


def test_rules_say_what_follows_an_intent() -> None:
    follows = rule_actions()
    assert follows["check_refund_policy"] == "action_answer_policy"
    assert follows["return_item"] == "return_form"
    assert set(follows) >= _domain_file_intents()  # every intent has an unconditional rule
