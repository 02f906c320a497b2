"""Signed customer tokens: valid ones name the shopper; anything else is None and logged."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.safety.customer_token import sign_customer_token, verify_customer_token

SECRET = "s3cret-for-tests"
NOW = 1_800_000_000.0


def test_round_trip_names_the_customer() -> None:
    token = sign_customer_token("noah_brown_6181", SECRET, 60, now=NOW)
    assert verify_customer_token(token, SECRET, now=NOW + 59) == "noah_brown_6181"
    assert verify_customer_token(token, SecretStr(SECRET), now=NOW) == "noah_brown_6181"


def test_expired_token_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    token = sign_customer_token("noah_brown_6181", SECRET, 60, now=NOW)
    with caplog.at_level(logging.INFO, logger="bot.safety.customer_token"):
        assert verify_customer_token(token, SECRET, now=NOW + 60) is None
    assert "expired" in caplog.text
    assert token not in caplog.text


def test_other_secret_is_refused() -> None:
    token = sign_customer_token("noah_brown_6181", SECRET, 60, now=NOW)
    assert verify_customer_token(token, "another-secret", now=NOW) is None


def _flip(ch: str) -> str:
    return "A" if ch != "A" else "B"


def test_tampered_payload_or_signature_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    token = sign_customer_token("noah_brown_6181", SECRET, 60, now=NOW)
    payload, sig = token.split(".")
    # Swap the customer id for another one but keep the old signature.
    forged = sign_customer_token("mia_garcia_4516", "attacker-key", 60, now=NOW).split(".")[0]
    candidates = [
        f"{forged}.{sig}",
        f"{payload}.{_flip(sig[0])}{sig[1:]}",
        f"{_flip(payload[0])}{payload[1:]}.{sig}",
        payload,
        f"{payload}.",
        f"{payload}.{sig}.extra",
        "",
        "x" * 5000,
        "ä.ö",
    ]
    with caplog.at_level(logging.INFO, logger="bot.safety.customer_token"):
        for candidate in candidates:
            assert verify_customer_token(candidate, SECRET, now=NOW) is None, candidate
    assert "customer token ignored" in caplog.text
    assert sig not in caplog.text


@pytest.mark.parametrize("value", [None, 123, b"bytes", {"token": "x"}])
def test_non_string_tokens_are_refused(value: object) -> None:
    assert verify_customer_token(value, SECRET, now=NOW) is None


def test_no_secret_means_no_identification() -> None:
    token = sign_customer_token("noah_brown_6181", SECRET, 60, now=NOW)
    assert verify_customer_token(token, None, now=NOW) is None
    assert verify_customer_token(token, "", now=NOW) is None


@pytest.mark.parametrize(
    ("customer_id", "secret", "ttl"),
    [
        ("", SECRET, 60),
        ("a|b", SECRET, 60),
        ("x" * 61, SECRET, 60),
        ("ok", "", 60),
        ("ok", SECRET, 0),
    ],
)
def test_signing_refuses_bad_input(customer_id: str, secret: str, ttl: int) -> None:
    with pytest.raises(ValueError):
        sign_customer_token(customer_id, secret, ttl)


def test_ids_with_unicode_round_trip() -> None:
    token = sign_customer_token("zoë_ång_1234", SECRET, 60, now=NOW)
    assert verify_customer_token(token, SECRET, now=NOW) == "zoë_ång_1234"
