"""Only a platform's signed webhook writes into that platform's conversations: the REST
channel (whose replies go back to the caller) refuses every social-channel sender id."""

from __future__ import annotations

import pytest

from rasa_addons import session_ids


@pytest.mark.parametrize(
    "sender",
    [
        "telegram:4242",
        "twilio_whatsapp:+15550001234",
        "messenger:123",
        "instagram:123",
        "whatsapp:15550001234",
    ],
)
def test_rest_cannot_address_a_platform_conversation(sender: str) -> None:
    assert session_ids.rest_sender(sender) == ""  # refused by the input guard (empty sender)


def test_other_rest_senders_are_unchanged() -> None:
    assert session_ids.rest_sender("loadgen-17") == "loadgen-17"
    assert session_ids.rest_sender("e2e-telegram:1") == "e2e-telegram:1"
