"""One settings object for every shopbot process, read from the environment once.

Variables use the ``SHOPBOT_`` prefix, except the conventional ``DATABASE_URL`` and
``REDIS_URL``. When neither is set the embedded defaults apply: a SQLite file under
``var/`` and in-process stores, so ``make run`` works on a bare machine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "shopbot.db"


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
    secret_key: SecretStr = SecretStr("dev-only-change-me")
    customer_token_secret: SecretStr | None = None
    session_ttl_s: int = 8 * 3600
    # Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed; nobody else's.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Key of the console's pseudonymous customer/session references (else derived from
    # secret_key), so a reference cannot be recomputed from a guessed customer id.
    pseudonym_secret: SecretStr | None = None

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

    # Input limits.
    max_message_chars: int = 2000

    # Customer insight: a folder written by `shopbot sentiment train` (else the lexicon).
    sentiment_model: Path | None = None

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
    """The process-wide settings, read once."""
    return Settings()
