"""The Rasa process's settings (``rasa_addons/settings.py``): read once, same names and
defaults as before they were gathered, and each one documented in docs/deploy.md.

The module is standard library only, so it is tested here in the 3.11 suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rasa_addons import settings as rasa_settings
from rasa_addons.settings import RasaSettings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_without_any_variable() -> None:
    s = RasaSettings.from_environ({})
    assert s == RasaSettings()  # the field defaults are what an empty environment gives
    assert (s.rasa_token, s.action_server_token, s.session_secret) == (None, None, None)
    assert (s.max_message_chars, s.rate_limit, s.rate_window_s, s.max_sender_chars) == (
        2000, 30, 60, 128,
    )  # fmt: skip
    assert s.tracker_ttl_s == 30 * 24 * 3600 and s.speedups and not s.lock_audit
    assert (s.comment_replies_per_post, s.comment_replies_per_user) == (20, 3)
    assert s.comment_window_s == 3600.0 and s.public_shop_url == ""


def test_values_are_parsed_as_before() -> None:
    s = RasaSettings.from_environ(
        {
            "SHOPBOT_SECRET_KEY": "fallback",
            "SHOPBOT_LOCK_AUDIT": " Yes ",
            "SHOPBOT_TRACKER_TTL_S": "0",
            "SHOPBOT_RASA_SPEEDUPS": "false",
            "SHOPBOT_RATE_LIMIT": "0",  # at least 1
            "SHOPBOT_MAX_MESSAGE_CHARS": "many",  # not a number: the default
            "SHOPBOT_SOCKETIO_REDIS_URL": "",  # blank is unset
            "SHOPBOT_META_GRAPH_URL": "  http://fake  ",
        }
    )
    assert s.session_secret == "fallback" and s.lock_audit and not s.speedups
    assert s.tracker_ttl_s is None  # 0 keeps trackers for ever
    assert (s.rate_limit, s.max_message_chars) == (1, 2000)
    assert s.socketio_redis_url is None and s.meta_graph_url == "http://fake"
    both = RasaSettings.from_environ({"SHOPBOT_SESSION_SECRET": "a", "SHOPBOT_SECRET_KEY": "b"})
    assert both.session_secret == "a"
    assert RasaSettings.from_environ({"SHOPBOT_TRACKER_TTL_S": "x"}).tracker_ttl_s == 2592000


def test_named_variables_come_from_the_same_snapshot() -> None:
    s = RasaSettings.from_environ({"MY_TOKEN": " t ", "EMPTY": " "})
    assert s.named("EMPTY", "MY_TOKEN") == "t" and s.named("MISSING") == ""


def test_the_environment_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rasa_settings.current.cache_clear()
    monkeypatch.setenv("SHOPBOT_RATE_LIMIT", "7")
    try:
        assert rasa_settings.current().rate_limit == 7
        monkeypatch.setenv("SHOPBOT_RATE_LIMIT", "9")
        assert rasa_settings.current().rate_limit == 7  # a snapshot, not a live view
        rasa_settings.current.cache_clear()
        assert rasa_settings.current().rate_limit == 9
    finally:
        rasa_settings.current.cache_clear()


def test_every_variable_is_documented() -> None:
    source = (ROOT / "rasa_addons" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:SHOPBOT|TELEGRAM|TWILIO)_[A-Z_]+)"', source))
    assert len(names) >= 20, names  # the regex still finds them
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert not {n for n in names if f"`{n}`" not in deploy}, "add them to docs/deploy.md"
