"""``shopbot memory show/erase`` against the machine's Redis."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.bootstrap import install
from bot.memory.redis_memory import RedisSessionMemory


def test_show_and_erase(redis_url, key_prefix, monkeypatch) -> None:
    from bot.cli import memory as cli

    monkeypatch.setenv("REDIS_URL", redis_url)
    install(None)
    store = RedisSessionMemory(redis_url, prefix=key_prefix)
    monkeypatch.setattr(cli, "_store", lambda: store)
    store.update("web-42", lambda s: s.set_preferences({"size": "44", "colour": "red"}))

    runner = CliRunner()
    shown = runner.invoke(cli.app, ["show", "web-42"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["preferences"] == {"size": "44", "colour": "red"}

    erased = runner.invoke(cli.app, ["erase", "web-42", "--yes"])
    assert erased.exit_code == 0 and "Erased memory of web-42" in erased.output
    assert store.load("web-42").is_empty()
    assert "No memory for web-42" in runner.invoke(cli.app, ["show", "web-42"]).output
    install(None)
    store.close()


def test_unreachable_store_is_a_friendly_error(monkeypatch) -> None:
    import socket

    from bot.cli import memory as cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = RedisSessionMemory(f"redis://127.0.0.1:{port}/0", socket_timeout_s=0.2)
    monkeypatch.setattr(cli, "_store", lambda: store)
    result = CliRunner().invoke(cli.app, ["show", "x"])
    assert result.exit_code == 1 and "unreachable" in result.output
    assert "Traceback" not in result.output
