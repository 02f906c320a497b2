"""Several requests in one message, on the Rasa side (run in the Rasa environment's Python):
the channel's annotation plans the requests, FirstRequest makes the first one the message's."""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run


@needs_rasa
def test_requests_are_planned_and_the_first_one_sets_the_intent() -> None:
    proc = run([str(Path(__file__).with_name("check_multi_request.py"))], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = last_json(proc.stdout)
    assert found["intents"] == ["cancel_order", "cancel_order", "check_refund_policy"]
    assert found["texts"][1] == "cancel order #W2222222 because I changed my mind."
    assert found["client_ip"] == "127.0.0.1"  # the channel's metadata stays
    assert found["single"] is None  # one clause: nothing added
    assert found["greeted"] == ["cancel_order"]  # one request between greetings: its own
    # the first request's intent; its own order, not the second one's reason; identity stays
    assert found["intent"] == "cancel_order"
    assert found["entities"] == ["#W1111111", "a@b.co"]
