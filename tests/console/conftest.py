"""Console fixtures: a database with Rasa's ``events`` table, staff accounts, a test app."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from bot.console import routes
from bot.console.auth import add_staff
from bot.console.handoff import RasaEvents
from bot.db.events import create_rasa_events_table
from bot.db.session import Database

ADMIN = ("admin@shop.test", "admin-password-1")
AGENT = ("agent@shop.test", "agent-password-1")


def fresh_events(db: Database) -> Database:
    """Rasa's table is outside our metadata, so the shared reset does not clear it."""
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
    create_rasa_events_table(db.engine)
    return db


@pytest.fixture
def cdb(db: Database) -> Database:
    """Console database, once on SQLite and once on PostgreSQL."""
    return fresh_events(db)


@pytest.fixture
def pg_cdb(pg_db: Database) -> Database:
    return fresh_events(pg_db)


@pytest.fixture
def sqlite_cdb(sqlite_db: Database) -> Database:
    return fresh_events(sqlite_db)


class RecordingRasa(ThreadingHTTPServer):
    """A local HTTP endpoint speaking Rasa's tracker-events API shape; records each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                server.calls.append({"path": self.path, "events": json.loads(body)})
                payload = b'{"sender_id": "x", "events": []}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def rasa_endpoint() -> Iterator[RecordingRasa]:
    server = RecordingRasa()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def make_app(
    database: Database, rasa_url: str = "http://127.0.0.1:9", token: str = "tok"
) -> FastAPI:
    app = FastAPI()
    app.include_router(routes.router, prefix=routes.PREFIX)
    app.dependency_overrides[routes.console_db] = lambda: database
    app.dependency_overrides[routes.console_rasa] = lambda: RasaEvents(rasa_url, token)
    return app


@pytest.fixture
def staff(cdb: Database) -> Database:
    add_staff(cdb, *ADMIN, role="admin")
    add_staff(cdb, *AGENT, role="agent")
    return cdb


@pytest.fixture
def app(staff: Database, rasa_endpoint: RecordingRasa) -> FastAPI:
    return make_app(staff, rasa_endpoint.url)


def login(client: TestClient, who: tuple[str, str]) -> str:
    """Log in through the form; returns the CSRF token of the session."""
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/console/login",
        data={"email": who[0], "password": who[1], "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/", (
        response.text
    )
    home = client.get("/console/")
    assert home.status_code == 200
    return home.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
