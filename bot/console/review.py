"""Reviewer actions: tags, notes, reviewed flag, intent corrections, exports (erasure: erasure.py).

Story and NLU exports are produced as YAML text Rasa reads (``tests/test_*.yml`` stories,
``nlu:`` examples); texts are PII-masked because they leave the console.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator

import yaml

from bot.console.domain import trained_domain
from bot.console.models import Conversation, IntentCorrection
from bot.console.pii import load_known_pii, mask_text
from bot.console.pseudonym import conversation_ref
from bot.console.queries import ListFilters, summary_dict
from bot.console.repositories.conversations import ConversationRepository
from bot.console.timeline import build_turns, load_events
from bot.db.session import Database, Session

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_\- ]{0,39}$")
INTENT_RE = re.compile(r"^[A-Za-z0-9_]{1,100}$")


class ReviewError(ValueError):
    """A reviewer request that cannot be done (message is safe to show)."""


def get_conversation(session: Session, conv_id: int) -> Conversation:
    conv = ConversationRepository(session).get(conv_id)
    if conv is None:
        raise ReviewError("No such conversation.")
    return conv


def set_tags(db: Database, conv_id: int, raw: str) -> list[str]:
    """Replace the conversation's tags with the comma-separated list ``raw``."""
    tags = sorted({t.strip().lower() for t in raw.split(",") if t.strip()})
    bad = [t for t in tags if not TAG_RE.match(t)]
    if bad:
        raise ReviewError("Tags may use letters, digits, space, - and _ (max 40 characters).")
    with db.transaction() as session:
        conv = get_conversation(session, conv_id)
        conv.tags = json.dumps(tags)
        ConversationRepository(session).replace_tag_facets(conv, tags)
    return tags


def set_note(db: Database, conv_id: int, note: str) -> None:
    with db.transaction() as session:
        get_conversation(session, conv_id).note = note[:5000]


def set_reviewed(db: Database, conv_id: int, reviewed: bool) -> None:
    with db.transaction() as session:
        get_conversation(session, conv_id).reviewed = reviewed


UNKNOWN_INTENT = "That intent is not one the assistant was trained on; pick one from the list."
UNKNOWN_ACTION = "That action is not one the assistant knows; pick one from the list."


def correct_intent(
    db: Database, conv_id: int, event_id: int, intent: str, staff: str, action: str = ""
) -> None:
    """Keep a corrected intent (and optionally the action that should have followed) for one
    user message; both must exist in the trained domain (bot/console/domain.py)."""
    intent, action = intent.strip(), action.strip()
    if not INTENT_RE.match(intent):
        raise ReviewError("An intent name uses letters, digits and _ only.")
    domain = trained_domain()
    if intent not in domain.intents:
        raise ReviewError(UNKNOWN_INTENT)
    if action and action not in domain.actions:
        raise ReviewError(UNKNOWN_ACTION)
    with db.transaction() as session:
        conv = get_conversation(session, conv_id)
        data = ConversationRepository(session).event_data(event_id, conv.sender_id)
        event = json.loads(data) if data else {}
        if event.get("event") != "user":
            raise ReviewError("That turn is not a shopper message of this conversation.")
        predicted = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
        existing = ConversationRepository(session).correction(event_id)
        if existing is None:
            existing = IntentCorrection(event_id=event_id, sender_id=conv.sender_id)
            session.add(existing)
        existing.text = str(event.get("text") or "")
        existing.predicted_intent = predicted
        existing.corrected_intent = intent
        existing.corrected_action = action or None
        existing.staff_email = staff
        existing.at = time.time()


def _block(text: str) -> str:
    return text.replace("\n", " ").strip()


def story_yaml(db: Database, conv_id: int) -> str:
    """The conversation as a Rasa test story, corrections applied (bot/console/story.py)."""
    from bot.console.story import story_yaml_for

    with db.session() as session:
        conv = get_conversation(session, conv_id)
        return story_yaml_for(session, conv.sender_id)


def corrections_nlu_yaml(db: Database) -> str:
    """All kept corrections as Rasa NLU training data (masked texts, one block per intent)."""
    with db.session() as session:
        rows = ConversationRepository(session).all_corrections()
        customers = ConversationRepository(session).customers_of({r.sender_id for r in rows})
        known = {cid: load_known_pii(session, cid) for cid in set(customers.values()) if cid}
    by_intent: dict[str, list[str]] = {}
    trained = trained_domain().intents  # a correction kept before the domain changed
    for row in rows:
        if row.corrected_intent not in trained:
            continue
        text = _block(mask_text(row.text, known.get(customers.get(row.sender_id) or "")))
        if text and text not in by_intent.setdefault(row.corrected_intent, []):
            by_intent[row.corrected_intent].append(text)
    nlu = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in sorted(by_intent.items())
    ]
    return yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=_LiteralDumper,
        sort_keys=False,
        allow_unicode=True,
    )


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LiteralDumper.add_representer(str, _str_presenter)

EXPORT_FIELDS = [
    "id",
    "ref",  # bot/console/pseudonym.py: a pseudonym, not the sender id
    "started_at",
    "channel",
    "customer_id",
    "customer_ref",
    "customer_email",
    "turns",
    "intents",
    "fell_back",
    "handed_off",
    "resolved",
    "min_sentiment",
    "tags",
    "reviewed",
]


def export_rows(
    db: Database, filters: ListFilters, fmt: str, with_turns: bool, reveal: bool = False
) -> Iterator[str]:
    """Stream the filtered set as CSV or JSONL chunks; e-mail, ids and texts masked unless
    ``reveal`` (an admin's audited, reasoned export: bot/console/routes.py)."""
    if fmt not in ("csv", "jsonl"):
        raise ReviewError("Export format is csv or jsonl.")
    with db.session() as session:
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            yield buf.getvalue()
        for conv in ConversationRepository(session).filtered(filters):
            row = summary_dict(conv, reveal=reveal)
            row = {"id": row.pop("id"), "ref": conversation_ref(row.pop("sender_id")), **row}
            if fmt == "csv":
                buf = io.StringIO()
                writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS)
                row["intents"] = " ".join(row["intents"])
                row["tags"] = " ".join(row["tags"])
                writer.writerow(row)
                yield buf.getvalue()
            else:
                if with_turns:
                    row["turns_detail"] = [
                        {
                            "at": t.at,
                            "text": t.text,
                            "intent": t.corrected_intent or t.intent,
                            "bot": [m["text"] for m in t.bot_messages],
                        }
                        for t in build_turns(session, conv.sender_id, reveal=reveal)
                    ]
                yield json.dumps(row, ensure_ascii=False) + "\n"


def events_count(db: Database, sender_id: str) -> int:
    with db.session() as session:
        return len(load_events(session, sender_id))
