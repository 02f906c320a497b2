"""Shared fixtures: real databases (SQLite and the machine's PostgreSQL) and real Redis.

Every test session gets its own PostgreSQL database (created from the ``test`` database's
server, dropped at the end) so parallel runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.db.session import Database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TAU_DIR = PROJECT_ROOT.parent / "shared" / "data" / "tau_retail"
PG_ADMIN_URL = os.environ.get(
    "SHOPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Long enough for bot.settings' secret rules (the stack below is not the embedded default).
TEST_CUSTOMER_TOKEN_SECRET = "9f4c2e7a1b6d3f8e0a5c7b2d4e6f8a1c3b5d7e9f"
REDIS_TEST_URL = os.environ.get("SHOPBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _pg_url_for(dbname: str) -> str:
    base, _ = PG_ADMIN_URL.rsplit("/", 1)
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session; dropped afterwards."""
    try:
        name, url = _create_pg_database("shopbot_t")
    except Exception as exc:  # pragma: no cover - the machine runs PostgreSQL
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}")
    yield url
    _drop_pg_database(name)


def _reset(db: Database) -> None:
    from bot import schema

    schema.drop_all(db)
    schema.create_all(db)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty shop database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    else:
        database = Database(request.getfixturevalue("pg_server_url"))
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_server_url: str) -> Iterator[Database]:
    database = Database(pg_server_url)
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def tau_dir() -> Path:
    if not (TAU_DIR / "products.json").exists():
        pytest.skip(f"τ-bench retail data not found at {TAU_DIR}")
    return TAU_DIR


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's real Redis; keys written by a test use a unique prefix via this URL."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover
        pytest.fail(f"Redis at {REDIS_TEST_URL} is not reachable: {exc}")
    finally:
        client.close()
    yield REDIS_TEST_URL


# --- the running product (end-to-end and browser tests) ---------------------------------


def _create_pg_database(prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, _pg_url_for(name)


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _shopbot(args: list[str], env: dict[str, str]) -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "bot.cli.main", *args]
    done = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"`shopbot {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def stack_database_url(tau_dir: Path) -> Iterator[str]:
    """A PostgreSQL database with the schema, the τ-bench shop and the demo shop loaded."""
    name, url = _create_pg_database("shopbot_stack")
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    _shopbot(["db", "upgrade"], env)
    _shopbot(["shop", "load", "tau", str(tau_dir)], env)
    _shopbot(["shop", "load", "demo"], env)
    yield url
    _drop_pg_database(name)


@pytest.fixture(scope="session")
def running_stack(stack_database_url: str, tmp_path_factory: pytest.TempPathFactory):
    """Rasa server + action server + web app on free ports, Redis stores, PostgreSQL shop.

    Started once per test session (loading the Rasa model takes ~30 s). Exposes
    ``rasa_url``, ``actions_url``, ``web_url``, ``config.database_url`` and ``tail(name)``.
    """
    from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig

    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    config = StackConfig(
        database_url=stack_database_url,
        redis_url=REDIS_TEST_URL,
        log_dir=tmp_path_factory.mktemp("stack-logs"),
        # PostgreSQL + Redis is not the embedded default: secrets must be strong, and the demo
        # sign-in and plain-http cookies (loopback) are switched on explicitly.
        extra_env={
            "SHOPBOT_CUSTOMER_TOKEN_SECRET": TEST_CUSTOMER_TOKEN_SECRET,
            "SHOPBOT_DEMO_SIGN_IN": "1",
            "SHOPBOT_COOKIE_SECURE": "0",
            "SHOPBOT_API_DOCS": "1",  # schemathesis reads /openapi.json (tests/security)
            # Every test shopper writes from 127.0.0.1 and many tests (the fuzzed form tests
            # above all) identify as the same demo customers: the limits on failed
            # identifications (docs/security.md) would make later tests depend on earlier
            # ones. tests/actions/test_identification_limits.py covers both limits on real
            # Redis; here they are out of the way.
            "SHOPBOT_IDENTIFY_MAX_CLIENT_FAILURES": "100000",
            "SHOPBOT_IDENTIFY_MAX_FAILURES": "100000",
        },
    )
    stack = Stack(config)
    stack.start()
    yield stack
    stack.stop()
