"""The recommend_product intent goes through the recommendation service (rasa_sdk action)."""

from __future__ import annotations

from insight_helpers import make_tracker, run_action

from actions.conversation import ActionSearchProducts


def test_recommend_action_sends_reasons_and_cards(shop) -> None:
    from test_profiles import TRAIL, add_customer

    add_customer(shop, TRAIL, "#S9000001", "SB-V000107")
    tracker = make_tracker(
        [("can you recommend something for me?", "recommend_product")],
        slots={"customer_id": TRAIL},
    )
    messages = run_action(ActionSearchProducts(), tracker)
    text = messages[0]["text"]
    assert text.startswith("Here are some picks for you:")
    assert "You bought size 44 in Footwear before (order #S9000001)" in text
    cards = [m["custom"] for m in messages if m.get("custom")]
    assert cards and cards[0]["type"] == "product_cards" and len(cards[0]["products"]) == 3
    assert all(p["url"] == f"/products/{p['id']}" for p in cards[0]["products"])
