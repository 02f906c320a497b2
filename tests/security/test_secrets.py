"""Deployment secrets and the demo sign-in (issue 14, finding 5).

Every process refuses a missing, placeholder or short secret outside the embedded default (one
validator, ``bot.settings.secret_problem``; the Rasa wrapper mirrors it); the embedded default
makes up random per-run secrets. The password-less demo sign-in exists only in demo mode.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.db.session import Database
from bot.settings import (
    MAX_SEQUENCE,
    MIN_SECRET_CHARS,
    PLACEHOLDER_SECRETS,
    PROJECT_ROOT,
    WEAK_WORDS,
    InsecureSecretError,
    Settings,
    secret_problem,
)
from rasa_addons.settings import RasaSettings
from tests.security.web_env import STRONG, web_app_factory
from tests.web.store_fixtures import seed_small_shop

DEMO_EMAIL = "noah.brown7922@example.com"


@pytest.fixture
def shop(sqlite_db: Database) -> Database:
    seed_small_shop(sqlite_db)
    return sqlite_db


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, shop: Database) -> Iterator[Callable[..., TestClient]]:
    yield from web_app_factory(monkeypatch, shop)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "change-me",
        "CHANGE-ME",
        "dev-only-change-me",
        "secret",
        "password",
        "x" * 20,
        "a" * 64,
        "change-me-change-me-change-me-change-me",
        secrets.token_hex(8),
        # accepted before the red-team probe: long enough, but no secret
        "0123456789abcdef0123456789abcdef",
        "password1234567890password1234567890",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "x7Kq" * 10,
        "my-shop-admin-token-for-production-2026",
    ],  # fmt: skip
)
def test_weak_secrets_are_refused(value: str | None) -> None:
    assert secret_problem(value) is not None


def test_random_secrets_are_accepted() -> None:
    assert secret_problem(secrets.token_hex(16)) is None  # 32 hex characters
    assert secret_problem(secrets.token_urlsafe(32)) is None
    refused = [v for v in (secrets.token_hex(32) for _ in range(2000)) if secret_problem(v)]
    assert refused == []  # the pattern rules never refuse what `openssl rand -hex 32` makes


def test_one_value_for_two_secrets_is_refused() -> None:
    shared = secrets.token_hex(32)
    settings = Settings(
        database_url="postgresql+psycopg://x@127.0.0.1/x",
        redis_url="redis://127.0.0.1:6379/0",
        secret_key=shared,
        rasa_token=shared,
    )
    with pytest.raises(InsecureSecretError, match="SHOPBOT_RASA_TOKEN reuses SHOPBOT_SECRET_KEY"):
        settings.require_secrets("web")
    from rasa_addons.rasa_server import rasa_argv

    env = {"SHOPBOT_RASA_TOKEN": shared, "SHOPBOT_ACTION_SERVER_TOKEN": shared}
    env["SHOPBOT_SESSION_SECRET"] = secrets.token_hex(32)
    with pytest.raises(SystemExit, match="must all differ"):
        rasa_argv(["run"], RasaSettings.from_environ(env))


def test_every_secret_in_env_example_is_refused() -> None:
    """Copying deploy/env.example unchanged must not give a running deployment."""
    lines = (PROJECT_ROOT / "deploy" / "env.example").read_text().splitlines()
    pairs = [ln.split("=", 1) for ln in lines if "=" in ln and not ln.startswith("#")]
    secret_values = {k: v for k, v in pairs if any(w in k for w in ("TOKEN", "SECRET", "KEY"))}
    assert {"SHOPBOT_RASA_TOKEN", "SHOPBOT_SECRET_KEY", "SHOPBOT_ACTION_SERVER_TOKEN"} <= set(
        secret_values
    )
    for name, value in secret_values.items():
        assert secret_problem(value) is not None, name


def test_secret_key_has_no_built_in_default() -> None:
    assert Settings(_env_file=None).secret_key is None  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "variable", ["SHOPBOT_SECRET_KEY", "SHOPBOT_RASA_TOKEN", "SHOPBOT_CUSTOMER_TOKEN_SECRET"]
)
@pytest.mark.parametrize("value", ["change-me", "dev-only-change-me", "too-short-1234"])
def test_web_app_refuses_to_start_with_a_weak_secret(
    web: Callable[..., TestClient], variable: str, value: str
) -> None:
    with pytest.raises(InsecureSecretError) as refused:
        web(embedded=False, **{**STRONG, variable: value})
    assert variable in str(refused.value)
    assert value not in str(refused.value).replace(variable, "")


@pytest.mark.parametrize("variable", ["SHOPBOT_SECRET_KEY", "SHOPBOT_RASA_TOKEN"])
def test_web_app_refuses_to_start_without_a_required_secret(
    web: Callable[..., TestClient], variable: str
) -> None:
    env = {k: v for k, v in STRONG.items() if k != variable}
    with pytest.raises(InsecureSecretError, match=variable):
        web(embedded=False, **env)


def test_embedded_default_makes_up_random_secrets() -> None:
    first = Settings(database_url="sqlite:///x.db", redis_url=None).require_secrets("web")
    second = Settings(database_url="sqlite:///x.db", redis_url=None).require_secrets("web")
    assert first.is_embedded
    assert first.secret_key is not None and second.secret_key is not None
    key = first.secret_key.get_secret_value()
    assert secret_problem(key) is None and key != second.secret_key.get_secret_value()
    assert first.customer_token_secret is None  # optional: only checked when set
    actions = Settings(database_url="sqlite:///x.db").require_secrets("actions")
    assert actions.action_server_token is not None


def test_rasa_wrapper_applies_the_same_rules() -> None:
    from rasa_addons import rasa_server

    assert rasa_server.PLACEHOLDER_SECRETS == PLACEHOLDER_SECRETS
    assert rasa_server.MIN_SECRET_CHARS == MIN_SECRET_CHARS
    assert rasa_server.WEAK_WORDS == WEAK_WORDS and rasa_server.MAX_SEQUENCE == MAX_SEQUENCE
    for value in (
        None, "", "change-me", "x" * 20, "a" * 64, secrets.token_hex(16),
        "0123456789abcdef0123456789abcdef", "password1234567890password1234567890",
        "abcdefghijklmnopqrstuvwxyz0123456789", "x7Kq" * 10,
    ):  # fmt: skip
        assert rasa_server.secret_problem(value) == secret_problem(value)


@pytest.mark.parametrize("token", ["", "change-me", "short"])
def test_rasa_refuses_to_start_with_a_weak_token(token: str) -> None:
    rasa_py = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        SHOPBOT_RASA_TOKEN=token,
        SHOPBOT_ACTION_SERVER_TOKEN=secrets.token_hex(32),
        SHOPBOT_SESSION_SECRET=secrets.token_hex(32),
    )
    done = subprocess.run(
        [str(rasa_py), "-m", "rasa_addons.rasa_server", "run", "--model", "nowhere.tar.gz"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "refusing to start Rasa: SHOPBOT_RASA_TOKEN" in done.stderr


@pytest.mark.parametrize("session_secret", [None, "change-me", "short"])
def test_rasa_refuses_to_sign_session_ids_with_a_weak_secret(session_secret: str | None) -> None:
    """Signed widget session ids (finding 7) are only as good as their secret."""
    from rasa_addons.rasa_server import rasa_argv

    env = {
        "SHOPBOT_RASA_TOKEN": secrets.token_hex(32),
        "SHOPBOT_ACTION_SERVER_TOKEN": secrets.token_hex(32),
    }
    if session_secret is not None:
        env["SHOPBOT_SESSION_SECRET"] = session_secret
    with pytest.raises(SystemExit, match="SHOPBOT_SESSION_SECRET or SHOPBOT_SECRET_KEY"):
        rasa_argv(["run"], RasaSettings.from_environ(env))
    env.pop("SHOPBOT_SESSION_SECRET", None)
    env["SHOPBOT_SECRET_KEY"] = secrets.token_hex(32)  # the fallback, as the launcher passes
    assert "--auth-token" in rasa_argv(["run"], RasaSettings.from_environ(env))


# --- the demo sign-in ---------------------------------------------------------------------


def test_demo_sign_in_is_off_in_a_deployment(web: Callable[..., TestClient]) -> None:
    """The finding: a customer-token secret is set (as compose/k8s do), no demo mode."""
    client = web(embedded=False, **STRONG)
    assert client.get("/sign-in").status_code == 404
    signed = client.post("/sign-in", data={"email": DEMO_EMAIL}, follow_redirects=False)
    assert signed.status_code == 404
    assert "set-cookie" not in signed.headers
    assert "shopbot_customer_token" not in client.cookies
    assert 'href="/sign-in"' not in client.get("/").text


def test_demo_sign_in_only_in_explicit_demo_mode(web: Callable[..., TestClient]) -> None:
    client = web(embedded=False, SHOPBOT_DEMO_SIGN_IN="1", **STRONG)
    signed = client.post("/sign-in", data={"email": DEMO_EMAIL}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("shopbot_customer_token=") and "secure" in cookie.lower()


def test_demo_sign_in_is_on_in_the_embedded_default(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True, SHOPBOT_CUSTOMER_TOKEN_SECRET=secrets.token_hex(32))
    signed = client.post("/sign-in", data={"email": DEMO_EMAIL}, follow_redirects=False)
    assert signed.status_code == 303
    assert "shopbot_customer_token=" in signed.headers["set-cookie"]


def test_manifests_never_switch_the_demo_sign_in_on() -> None:
    texts = [(PROJECT_ROOT / "docker-compose.yml").read_text()]
    texts += [p.read_text() for p in sorted(Path(PROJECT_ROOT / "deploy").rglob("*.y*ml"))]
    for text in texts:
        for line in text.splitlines():
            if "SHOPBOT_DEMO_SIGN_IN" in line and not line.lstrip().startswith("#"):
                assert line.split(":", 1)[1].strip().strip("\"'") in ("0", "false"), line


def test_rasa_cors_origins_are_exact_never_wildcards() -> None:
    from rasa_addons.rasa_server import cors_origins, rasa_argv

    raw = "https://shop.test, http://127.0.0.1:8000/ * https://.*\\.shop.test"
    assert cors_origins(raw) == ["https://shop.test", "http://127.0.0.1:8000"]
    env = {
        "SHOPBOT_RASA_TOKEN": secrets.token_hex(32),
        "SHOPBOT_ACTION_SERVER_TOKEN": secrets.token_hex(32),
        "SHOPBOT_SESSION_SECRET": secrets.token_hex(32),
        "SHOPBOT_CORS_ORIGINS": "*",
    }
    argv = rasa_argv(["run"], RasaSettings.from_environ(env))
    assert "--cors" not in argv and argv[-2:] == ["--auth-token", env["SHOPBOT_RASA_TOKEN"]]
    with pytest.raises(SystemExit):
        rasa_argv(["run", "--auth-token", "x"], RasaSettings.from_environ(env))
