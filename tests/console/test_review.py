"""Tag, note, review, correct; CSV/JSONL export (masked); save-as-test; NLU export; delete."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import AuditEntry, Conversation, IntentCorrection
from bot.console.pseudonym import conversation_ref
from bot.console.story import TEST_CUSTOMER
from bot.db.events import EVENTS
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, login

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "python"
READ_STORY = """
import sys
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
assert YAMLStoryReader.is_test_stories_file(sys.argv[1])
steps = YAMLStoryReader().read_from_file(sys.argv[1])
print("STEPS", len(steps), [e.as_story_string() for e in steps[0].events][:3])
"""


def _seed(db: Database) -> dict[str, int]:
    now = time.time() - 3600
    write_script(
        db,
        Script("a1", now)
        .user("where is order #W2611340, mail me at ann@example.com", "order_status", 0.9)
        .slot("customer_id", "ann_lee_1111")
        .slot("email", "ann@example.com")
        .action("action_order_status")
        .bot("It shipped.")
        .user("i want to send it back", "cancel_order", 0.55)
        .action("action_cancel_order")
        .bot("Which order?"),
    )
    write_script(db, Script("b2", now + 10).user("hello", "greet").action("utter_greet").bot("Hi!"))
    ingest_new_events(db)
    with db.session() as s:
        return {c.sender_id: c.id for c in s.scalars(select(Conversation))}


def test_tag_note_review_and_filter(app: FastAPI, staff: Database) -> None:
    ids = _seed(staff)
    client = TestClient(app)
    csrf = login(client, AGENT)
    cid = ids["a1"]
    client.post(f"/console/conversations/{cid}/tags", data={"tags": "Refund, vip", "csrf": csrf})
    client.post(f"/console/conversations/{cid}/note", data={"note": "check carrier", "csrf": csrf})
    client.post(f"/console/conversations/{cid}/reviewed", data={"reviewed": "yes", "csrf": csrf})
    bad = client.post(f"/console/conversations/{cid}/tags", data={"tags": "<script>", "csrf": csrf})
    assert "Tags may use" in bad.text
    listing = client.get("/console/api/conversations", params={"tag": "refund"}).json()
    assert [c["ref"] for c in listing["conversations"]] == [conversation_ref("a1")]
    row = listing["conversations"][0]
    assert row["tags"] == ["refund", "vip"] and row["reviewed"] is True
    assert row["customer_email"] == "a***@example.com"
    assert client.get("/console/api/conversations", params={"reviewed": "no"}).json()[
        "conversations"
    ][0]["ref"] == conversation_ref("b2")
    view = client.get(f"/console/conversations/{cid}")
    assert "check carrier" in view.text


def test_correct_intent_story_and_nlu(app: FastAPI, staff: Database, tmp_path: Path) -> None:
    ids = _seed(staff)
    client = TestClient(app)
    csrf = login(client, AGENT)
    cid = ids["a1"]
    with staff.session() as s:
        event_id = s.execute(
            select(EVENTS.c.id, EVENTS.c.data)
            .where(EVENTS.c.sender_id == "a1")
            .order_by(EVENTS.c.id)
        ).all()
    second_user = [e for e, d in event_id if json.loads(d)["event"] == "user"][1]
    client.post(
        f"/console/conversations/{cid}/correct",
        data={"event_id": second_user, "intent": "return_item", "csrf": csrf},
    )
    wrong = client.post(
        f"/console/conversations/{cid}/correct",
        data={"event_id": event_id[0][0], "intent": "return_item", "csrf": csrf},
    )
    assert "not a shopper message" in wrong.text
    with staff.session() as s:
        assert s.scalar(select(func.count()).select_from(IntentCorrection)) == 1
    assert "corrected" in client.get(f"/console/conversations/{cid}").text

    story = client.get(f"/console/conversations/{cid}/story.yml")
    assert story.status_code == 200
    doc = yaml.safe_load(story.text)
    steps = doc["stories"][0]["steps"]
    # Personal data becomes the test customer's (bot/console/story.py), never "[email]".
    assert steps[0]["intent"] == "order_status" and TEST_CUSTOMER.email in steps[0]["user"]
    assert "ann@example.com" not in story.text and "[email]" not in story.text
    assert {"user": "i want to send it back", "intent": "return_item"} in steps
    assert {"action": "action_order_status"} in steps
    # The corrected intent's action, not the bot's mistaken action_cancel_order; then it ends.
    assert steps[-2:] == [{"action": "return_form"}, {"active_loop": "return_form"}]
    assert "action_cancel_order" not in story.text
    assert all("action_listen" not in str(s) for s in steps)
    path = tmp_path / "test_console_story.yml"
    path.write_text(story.text)
    # Rasa's own story reader must accept it as test stories.
    check = subprocess.run(
        [
            str(RASA),
            "-c",
            READ_STORY,
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert check.returncode == 0, check.stderr[-2000:]
    assert "STEPS 1" in check.stdout

    nlu = client.get("/console/export-nlu")
    data = yaml.safe_load(nlu.text)
    assert data["nlu"] == [{"intent": "return_item", "examples": "- i want to send it back\n"}]


def test_exports_are_masked_and_filtered(app: FastAPI, staff: Database) -> None:
    _seed(staff)
    client = TestClient(app)
    login(client, ADMIN)  # agents cannot export (tests/console/test_pii_exports.py)
    out = client.get("/console/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(out.text)))
    assert {r["ref"] for r in rows} == {conversation_ref("a1"), conversation_ref("b2")}
    assert "ann@example.com" not in out.text and "a***@example.com" in out.text
    only = client.get(
        "/console/export", params={"format": "jsonl", "intent": "order_status", "turns": "yes"}
    )
    lines = [json.loads(x) for x in only.text.splitlines()]
    assert [x["ref"] for x in lines] == [conversation_ref("a1")]
    assert lines[0]["turns_detail"][0]["text"].endswith("[email]")
    assert "ann@example.com" not in only.text
    assert client.get("/console/export", params={"format": "xml"}).status_code == 400
    with staff.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")
            )
            == 2
        )


def test_delete_customer_is_admin_only_and_removes_events(app: FastAPI, staff: Database) -> None:
    _seed(staff)
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    assert (
        agent.post(
            "/console/customers/delete", data={"customer": "ann@example.com", "csrf": csrf}
        ).status_code
        == 403
    )
    admin = TestClient(app)
    csrf = login(admin, ADMIN)
    done = admin.post(
        "/console/customers/delete", data={"customer": "ANN@example.com", "csrf": csrf}
    )
    assert "Deleted 1 conversation" in done.text
    with staff.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id == "a1"))
            == 0
        )
        assert (
            s.scalar(select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id == "b2")) > 0
        )
        assert [c.sender_id for c in s.scalars(select(Conversation))] == ["b2"]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    # Audited, with pseudonymous references only (the erased sender id is gone everywhere).
    assert [a.staff_email for a in audit] == [ADMIN[0]]
    assert "a1" not in (audit[0].sender_id or "") and "ann@" not in audit[0].detail


@pytest.mark.slow
def test_saved_story_passes_rasa_data_validate(
    app: FastAPI, staff: Database, tmp_path: Path
) -> None:
    """The exported story uses the domain's names and `rasa data validate stories` accepts it."""
    if not (ROOT / "domain").is_dir():
        pytest.skip("no Rasa domain in this checkout")
    write_script(
        staff,
        Script("v1", time.time() - 100)
        .user("where is my parcel", "order_status", 0.4)
        .action("action_order_status")
        .bot("Which order?")
        .user("get me a person", "contact_human_agent", 0.95)
        .action("action_handoff")
        .bot("Connecting you."),
    )
    ingest_new_events(staff)
    client = TestClient(app)
    csrf = login(client, AGENT)
    with staff.session() as s:
        cid = s.scalars(select(Conversation.id).where(Conversation.sender_id == "v1")).one()
        first_user = next(
            e
            for e, d in s.execute(
                select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.sender_id == "v1")
            ).all()
            if json.loads(d)["event"] == "user"
        )
    # "order_status" is not a domain intent; the reviewer corrects it to "track_order".
    client.post(
        f"/console/conversations/{cid}/correct",
        data={"event_id": first_user, "intent": "track_order", "csrf": csrf},
    )
    path = tmp_path / "test_console_v1.yml"
    path.write_text(client.get(f"/console/conversations/{cid}/story.yml").text)
    result = subprocess.run(
        [
            str(ROOT / ".venv-rasa" / "bin" / "rasa"),
            "data",
            "validate",
            "stories",
            "--data",
            str(path),
            "--domain",
            str(ROOT / "domain"),
            "--config",
            str(ROOT / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(tmp_path),
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "RASA_TELEMETRY_ENABLED": "false",
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "No story structure conflicts found" in output
    assert "not part of the domain" not in output, output[-3000:]
