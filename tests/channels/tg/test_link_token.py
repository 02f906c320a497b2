"""Signed link tokens: a shop's deep link (Telegram ``/start <token>``) identifies a customer
only when signed with the customer-token secret, unexpired and untampered."""

from __future__ import annotations

import re

import pytest

from bot.safety.customer_token import sign_link_token, verify_link_token

SECRET = "a-long-enough-shop-secret-for-tests"
NOW = 1_800_000_000.0


def test_round_trip_fits_a_telegram_start_parameter() -> None:
    token = sign_link_token("chloe_yilmaz_4179", SECRET, 3600, now=NOW)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)
    assert verify_link_token(token, SECRET, now=NOW + 10) == "chloe_yilmaz_4179"
    longest = sign_link_token("x" * 27, SECRET, 60, now=NOW)
    assert len(longest) <= 64 and verify_link_token(longest, SECRET, now=NOW) == "x" * 27
    with pytest.raises(ValueError):
        sign_link_token("x" * 28, SECRET, 60, now=NOW)


def test_expired_tampered_foreign_and_junk_tokens_identify_nobody() -> None:
    token = sign_link_token("chloe_yilmaz_4179", SECRET, 3600, now=NOW)
    assert verify_link_token(token, SECRET, now=NOW + 3601) is None
    assert verify_link_token(token, "another-shop-secret-entirely", now=NOW) is None
    flipped = token[:3] + ("A" if token[3] != "A" else "B") + token[4:]
    assert verify_link_token(flipped, SECRET, now=NOW) is None
    other = sign_link_token("someone_else_1", SECRET, 3600, now=NOW)
    spliced = other[:-22] + token[-22:]  # another id under this token's signature
    assert verify_link_token(spliced, SECRET, now=NOW) is None
    for junk in ("", "short", "a.b.c", 42, None, "x" * 65):
        assert verify_link_token(junk, SECRET, now=NOW) is None
    assert verify_link_token(token, None, now=NOW) is None


def test_the_cli_prints_a_deep_link_that_verifies() -> None:
    from typer.testing import CliRunner

    from bot.bootstrap import Services, install
    from bot.cli.customer import app
    from bot.settings import Settings

    install(Services(Settings(customer_token_secret=SECRET)))
    try:
        done = CliRunner().invoke(
            app, ["telegram-link", "chloe_yilmaz_4179", "--bot", "my_shop_bot"]
        )
        assert done.exit_code == 0, done.output
        link = done.output.strip()
        assert link.startswith("https://t.me/my_shop_bot?start=")
        assert verify_link_token(link.rsplit("=", 1)[1], SECRET) == "chloe_yilmaz_4179"
        refused = CliRunner().invoke(app, ["telegram-link", "x" * 40, "--bot", "my_shop_bot"])
        assert refused.exit_code == 1 and "too long" in refused.output
    finally:
        install(None)
