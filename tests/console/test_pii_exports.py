"""Issue 14 finding 8: what agents see is masked; exports are role-bound and audited."""

from __future__ import annotations

import json
import time

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.auth import add_staff
from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import AuditEntry, Conversation
from bot.console.pseudonym import conversation_ref, customer_ref
from bot.db.models import Customer
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, login

CUSTOMER_ID = "zebulon_quixley_4821"
EMAIL = "zebulon.q@example.org"
FIRST, LAST, ZIP, CITY = "Zebulon", "Quixley", "90412", "Quellbridge"
STREET = "12 Larch Street"
SUPERVISOR = ("lead@shop.test", "lead-password-1")
SECRETS = (CUSTOMER_ID, EMAIL, FIRST, LAST, ZIP, CITY, "Larch", "Mirabel", "Holtzmann")


def _seed(db: Database) -> int:
    with db.transaction() as s:
        s.add(
            Customer(
                id=CUSTOMER_ID, first_name=FIRST, last_name=LAST, email=EMAIL,
                address1=STREET, city=CITY, zip=ZIP,
            )
        )  # fmt: skip
    start = time.time() - 600
    write_script(
        db,
        Script("zq-chat-1", start)
        .user(f"hi, I am {FIRST} {LAST}, zip {ZIP}", "identify", 0.9)
        .slot("customer_id", CUSTOMER_ID)
        .slot("email", EMAIL)
        .bot(f"Thanks {FIRST}! Your order ships to {STREET}, {CITY} {ZIP}.")
        .user(f"yes, {CITY} is right. Customer {CUSTOMER_ID} here", "affirm", 0.9)
        .bot("Great."),
    )
    write_script(
        db,
        Script("anon-chat-2", start + 60)
        .user("my name is mirabel holtzmann and I need help", "greet", 0.9)
        .bot("Happy to help."),
    )
    ingest_new_events(db)
    with db.session() as s:
        return s.scalars(select(Conversation.id).where(Conversation.sender_id == "zq-chat-1")).one()


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [secret for secret in SECRETS if secret.lower() in low]


def test_agent_sees_no_name_zip_city_or_raw_customer_id(app: FastAPI, staff: Database) -> None:
    conv_id = _seed(staff)
    agent = TestClient(app)
    login(agent, AGENT)
    page = agent.get(f"/console/conversations/{conv_id}").text
    api = agent.get(f"/console/api/conversations/{conv_id}").text
    listing = agent.get("/console/api/conversations").text
    list_page = agent.get("/console/").text
    with staff.session() as s:
        anon_id = s.scalars(
            select(Conversation.id).where(Conversation.sender_id == "anon-chat-2")
        ).one()
    anon = agent.get(f"/console/api/conversations/{anon_id}").text
    for shown in (page, api, listing, list_page, anon):
        assert _leaks(shown) == []
    ref = customer_ref(CUSTOMER_ID)
    assert ref in page and ref in listing and ref in api
    assert "[name]" in api and "[zip]" in api and "[city]" in api
    # The same customer has the same reference everywhere; references are keyed hashes.
    assert json.loads(listing)["conversations"][-1]["customer_ref"] == ref
    assert ref != customer_ref("someone_else_1234") and ref.startswith("C-")
    assert conversation_ref("zq-chat-1").startswith("c-")


def test_exports_are_role_bound_masked_and_audited(app: FastAPI, staff: Database) -> None:
    conv_id = _seed(staff)
    add_staff(staff, *SUPERVISOR, role="supervisor")

    agent = TestClient(app)
    agent_csrf = login(agent, AGENT)
    assert agent.get("/console/export", params={"format": "csv"}).status_code == 403
    assert (
        agent.post(
            "/console/export", data={"csrf": agent_csrf, "reason": "customer asked for a copy"}
        ).status_code
        == 403
    )
    story = agent.get(f"/console/conversations/{conv_id}/story.yml")
    assert story.status_code == 200 and _leaks(story.text) == []
    assert agent.get("/console/export-nlu").status_code == 200

    lead = TestClient(app)
    login(lead, SUPERVISOR)
    masked = lead.get("/console/export", params={"format": "jsonl", "turns": "yes"})
    assert masked.status_code == 200 and _leaks(masked.text) == []
    assert customer_ref(CUSTOMER_ID) in masked.text

    admin = TestClient(app)
    csrf = login(admin, ADMIN)
    form = {"format": "jsonl", "turns": "yes"}
    assert admin.post("/console/export", data={**form, "reason": "ok"}).status_code == 403
    assert admin.post("/console/export", data={**form, "csrf": csrf}).status_code == 400
    unmasked = admin.post(
        "/console/export", data={**form, "csrf": csrf, "reason": "court order 2026-17"}
    )
    assert unmasked.status_code == 200 and CUSTOMER_ID in unmasked.text and FIRST in unmasked.text

    with staff.session() as s:
        audit = [(a.staff_email, a.action, a.detail) for a in s.scalars(select(AuditEntry))]
    actions = {(who, action) for who, action, _ in audit}
    assert (AGENT[0], "export-refused") in actions
    assert (AGENT[0], "story") in actions and (AGENT[0], "export-nlu") in actions
    assert (SUPERVISOR[0], "export") in actions
    assert [d for w, a, d in audit if a == "export-unmasked"] == [
        "jsonl  reason=court order 2026-17"
    ]


def test_identity_answers_are_masked_without_a_customer_record(
    app: FastAPI, staff: Database
) -> None:
    """Red-team finding: when identification failed there is no customer record to mask by,
    and agents (and exports, story files) read the typed name + ZIP, a real credential."""
    name, zip_code, town = "Ottilie Brannigan", "27646", "Wexmoor"
    address = f"88 Quarry Road, {town}, IL 62704"
    write_script(
        staff,
        Script("fail-id-1", time.time() - 300)
        .user("where is my order", "track_order")
        .action("order_status_form")
        .slot("requested_slot", "email")
        .bot("What's the email address on your account?")
        .user(name, "inform", 0.5)
        .slot("person_name", f"?{name}")
        .slot("requested_slot", "zip")
        .bot("And the zip code?")
        .user(zip_code, "inform", 0.6)
        .slot("requested_slot", "email")
        .bot("I couldn't verify an account with those details.")
        .user(f"fine. I'm {name} and I live at {address}", "inform", 0.4)
        .slot("new_address", address)
        .slot("requested_slot", None)
        .bot("Thanks."),
    )
    ingest_new_events(staff)
    add_staff(staff, SUPERVISOR[0], SUPERVISOR[1], role="supervisor")
    agent = TestClient(app)
    login(agent, AGENT)
    conv_id = next(
        c["id"]
        for c in agent.get("/console/api/conversations").json()["conversations"]
        if c["ref"] == conversation_ref("fail-id-1")
    )
    supervisor = TestClient(app)
    login(supervisor, SUPERVISOR)
    pages = [
        agent.get(f"/console/conversations/{conv_id}"),
        agent.get(f"/console/api/conversations/{conv_id}"),
        agent.get(f"/console/conversations/{conv_id}/story.yml"),
        supervisor.get("/console/export", params={"format": "jsonl", "turns": "yes"}),
        supervisor.get("/console/export", params={"format": "csv"}),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        for secret in ("Ottilie", "Brannigan", zip_code, "Quarry", town, "62704"):
            assert secret not in page.text, (page.url, secret)
