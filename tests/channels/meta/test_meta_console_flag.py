"""A flagged public comment shows in the console as a tag and filters (SQLite + PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from bot.channels.comments import FLAG_KEY
from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import Conversation
from bot.console.queries import ListFilters, list_page
from bot.db.events import create_rasa_events_table
from bot.db.session import Database

T0 = 1_790_000_000.0


def test_flagged_comment_becomes_a_tag_the_list_filters_on(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
    create_rasa_events_table(db.engine)
    comment = {"id": "C1", "post_id": "P1", "author_id": "U1", "decision": "spam"}
    write_script(
        db,
        Script("messenger_comment:C1", T0, channel="messenger_comments").user(
            "Earn $500 a day, DM me",
            "search_product",
            0.6,
            metadata={"comment": comment, FLAG_KEY: "spam"},
        ),
    )
    write_script(
        db,
        Script("messenger_comment:C2", T0 + 10, channel="messenger_comments").user(
            "does it come in blue?",
            "check_availability",
            0.9,
            metadata={"comment": {**comment, "id": "C2", "decision": "public"}},
        ),
    )
    assert ingest_new_events(db) > 0
    with db.session() as s:
        convs = {c.sender_id: c for c in s.scalars(select(Conversation))}
    assert json.loads(convs["messenger_comment:C1"].tags) == ["flagged-spam"]
    assert json.loads(convs["messenger_comment:C2"].tags) == []
    assert convs["messenger_comment:C1"].channel == "messenger_comments"
    with db.session() as s:
        page = list_page(s, ListFilters(tag="flagged-spam"))
    assert [row["sender_id"] for row in page.rows] == ["messenger_comment:C1"]
    assert page.rows[0]["tags"] == ["flagged-spam"]
