"""`shopbot staff add` and `shopbot transcripts ingest/export-nlu` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.console.auth import login
from bot.console.demo import Script, write_script
from bot.console.models import AuditEntry, Conversation, StaffUser
from bot.db.session import Database

ROOT = Path(__file__).resolve().parents[2]


def _shopbot(args: list[str], url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_staff_add_and_transcripts_commands(sqlite_cdb: Database, tmp_path: Path) -> None:
    url = str(sqlite_cdb.engine.url)
    done = _shopbot(
        ["staff", "add", "Boss@Shop.test", "--role", "admin", "--password-env", "PW"],
        url,
        PW="a-long-password",
    )
    assert done.returncode == 0, done.stderr
    assert "Created admin account boss@shop.test" in done.stdout
    with sqlite_cdb.session() as s:
        user = s.scalars(select(StaffUser)).one()
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    assert login(sqlite_cdb, "boss@shop.test", "a-long-password", "127.0.0.1", 60)

    again = _shopbot(["staff", "add", "boss@shop.test", "--password-env", "PW"], url, PW="x" * 12)
    assert again.returncode == 1 and "already exists" in again.stderr
    empty = _shopbot(["staff", "add", "x@shop.test", "--password-env", "NOPE"], url)
    assert empty.returncode == 2 and "NOPE" in empty.stderr

    write_script(sqlite_cdb, Script("cli-1", 1_790_000_000.0).user("hi", "greet"))
    ingested = _shopbot(["transcripts", "ingest"], url)
    assert ingested.returncode == 0 and "Ingested 4 new event(s)" in ingested.stdout
    with sqlite_cdb.session() as s:
        assert [c.sender_id for c in s.scalars(select(Conversation))] == ["cli-1"]
    out = tmp_path / "nlu.yml"
    exported = _shopbot(["transcripts", "export-nlu", "--out", str(out)], url)
    assert exported.returncode == 0 and out.read_text().startswith("version: '3.1'")


def test_customer_erase_command(sqlite_cdb: Database) -> None:
    url = str(sqlite_cdb.engine.url)
    write_script(
        sqlite_cdb,
        Script("cli-erase-1", 1_700_000_000.0)
        .user("I am Pat", "identify")
        .slot("customer_id", "pat_lee_1234"),
    )
    refused = _shopbot(["customer", "erase", "pat_lee_1234"], url, REDIS_URL="")
    assert refused.returncode != 0  # asks for confirmation; nothing on stdin
    done = _shopbot(
        ["customer", "erase", "pat_lee_1234", "--yes", "--reason", "ticket 7"], url, REDIS_URL=""
    )
    assert done.returncode == 0, done.stderr
    assert "1 conversation(s)" in done.stdout and "pat_lee_1234" not in done.stdout
    with sqlite_cdb.session() as s:
        assert list(s.scalars(select(Conversation))) == []
        erase = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert erase.staff_email.startswith("cli:") and "ticket 7" in erase.detail
