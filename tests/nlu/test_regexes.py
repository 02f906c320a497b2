"""The entity regexes match the ids the shop uses (conventions in brief IDS) and not more."""

from __future__ import annotations

import re

import pytest

from bot.nlu.data import NluData


def _pattern(nlu: NluData, name: str) -> re.Pattern[str]:
    (pattern,) = nlu.regexes[name]
    # RegexEntityExtractor runs with use_word_boundaries and case_sensitive false
    return re.compile(rf"\b{pattern}\b", re.IGNORECASE)


@pytest.mark.parametrize(
    "message, expected",
    [
        ("where is #W2611340", "W2611340"),
        ("cancel S1000001 please", "S1000001"),
        ("order s1000023", "s1000023"),
        ("#S1000042", "S1000042"),
    ],
)
def test_order_id_regex_finds_order_ids(nlu: NluData, message: str, expected: str) -> None:
    match = _pattern(nlu, "order_id").search(message)
    assert match and match.group(0).lstrip("#") == expected


@pytest.mark.parametrize(
    "message",
    ["product 9523456873", "W261134", "SB-P0001", "gift_card_1725971", "AB1234567", "my zip 10001"],
)
def test_order_id_regex_ignores_other_ids(nlu: NluData, message: str) -> None:
    assert _pattern(nlu, "order_id").search(message) is None


@pytest.mark.parametrize(
    "email", ["noah.brown@example.com", "liam_jones99@mail.com", "a+b@shop.co.uk", "X@Y.io"]
)
def test_email_regex(nlu: NluData, email: str) -> None:
    match = _pattern(nlu, "email").search(f"my email is {email} thanks")
    assert match and match.group(0) == email


@pytest.mark.parametrize("text", ["noah.brown@", "@example.com", "noah at example dot com"])
def test_email_regex_rejects_non_emails(nlu: NluData, text: str) -> None:
    assert _pattern(nlu, "email").search(text) is None


@pytest.mark.parametrize("text, expected", [("zip 10001", "10001"), ("02139 please", "02139")])
def test_zip_regex(nlu: NluData, text: str, expected: str) -> None:
    match = _pattern(nlu, "zip").search(text)
    assert match and match.group(0) == expected


@pytest.mark.parametrize("text", ["1234", "123456", "9523456873", "order S1000001"])
def test_zip_regex_rejects_other_numbers(nlu: NluData, text: str) -> None:
    assert _pattern(nlu, "zip").search(text) is None
