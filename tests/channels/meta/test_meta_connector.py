"""The Rasa-side connectors on a real Sanic server (run in the Rasa environment)."""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run


@needs_rasa
def test_connectors_off_unless_configured_retries_numbers_and_channel_isolation() -> None:
    proc = run([str(Path(__file__).with_name("check_meta_connector.py"))], {}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = last_json(proc.stdout)
    assert seen["messenger_verify"] == [200, "7"]
    assert seen["messenger_unsigned"] == 403
    # WhatsApp without its access token: off, 404, no output channel, one warning
    assert seen["whatsapp_verify"][0] == 404 and seen["whatsapp_unsigned"] == 404
    assert seen["whatsapp_enabled"] is False and seen["whatsapp_output"] is True
    assert "whatsapp channel is off: SHOPBOT_WHATSAPP_ACCESS_TOKEN not set" in proc.stderr
    assert seen["messenger_output"] == "MessengerOutput"
    # a signed delivery is handled once even when Meta sends it again; a huge body is refused
    assert seen["deliveries"] == [200, 200, 413]
    assert seen["received"] == [["messenger:77", "hi", "messenger"]]
    assert seen["chosen"] == ["/b", "/c", "4", "two", "0"]
    assert seen["chosen_later"] == "2"  # only the turn right after the options
    assert seen["other_channel"] is None and seen["own_channel"] == "42"
