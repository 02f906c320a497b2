"""An explicit request for a person is recognised inside any message (and only then)."""

from __future__ import annotations

import pytest

from bot.dialogue.person_request import asks_for_person


@pytest.mark.parametrize(
    "text",
    [
        "My parcel arrived broken and nobody answers my emails, can I talk to someone please?",
        "can I speak to an agent",
        "I want a refund for the broken lamp, can I speak to a person",
        "connect me with customer service",
        "human please",
    ],
)
def test_requests_for_a_person(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "are you a real person?",
        "am I talking to a human?",
        "where is my order",
        "the person who delivered it was rude",
        "I'll talk to my wife about it",
    ],
)
def test_not_requests_for_a_person(text: str) -> None:
    assert not asks_for_person(text)
