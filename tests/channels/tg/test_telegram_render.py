"""Telegram's pure side: the secret check, updates → messages, our replies → Bot API calls
within the documented limits (bot/channels/telegram.py, bot/channels/plaintext.py)."""

from __future__ import annotations

import pytest

from bot.channels import telegram as tg
from bot.channels.plaintext import split_text
from bot.texts import t

CHAT = 4242


def _private(text: str | None = None, chat_type: str = "private") -> dict:
    message: dict = {"message_id": 1, "chat": {"id": CHAT, "type": chat_type}}
    if text is not None:
        message["text"] = text
    return {"update_id": 7, "message": message}


def test_limits_are_the_documented_ones() -> None:
    assert tg.LIMITS == {
        "text_chars": 4096,
        "caption_chars": 1024,
        "callback_data_bytes": 64,
        "inline_buttons": 100,
        "start_param_chars": 64,
        "secret_token_chars": 256,
    }


def test_secret_token_is_required_and_compared_exactly() -> None:
    assert tg.secret_ok("s3cret-token", "s3cret-token")
    assert not tg.secret_ok("s3cret-tokeN", "s3cret-token")
    assert not tg.secret_ok(None, "s3cret-token")
    assert not tg.secret_ok("", "")  # no configured secret: nothing passes
    assert not tg.secret_ok("anything", None)


def test_private_text_becomes_a_prefixed_sender_message() -> None:
    incoming = tg.parse_update(_private("where is my order?"))
    assert incoming is not None
    assert incoming.sender_id == f"telegram:{CHAT}" and incoming.text == "where is my order?"
    assert tg.chat_id_of(incoming.sender_id) == CHAT
    assert tg.chat_id_of("messenger:4242") is None and tg.chat_id_of("telegram:abc") is None


def test_groups_edits_and_junk_are_ignored() -> None:
    assert tg.parse_update(_private("my orders", chat_type="group")) is None
    assert tg.parse_update({"edited_message": _private("x")["message"]}) is None
    assert tg.parse_update("not an update") is None
    assert tg.parse_update({"message": {"chat": {"id": "x", "type": "private"}}}) is None


def test_non_text_messages_are_answered_not_parsed() -> None:
    incoming = tg.parse_update(_private(None))
    assert incoming is not None and not incoming.supported and incoming.text == ""


def test_start_greets_and_carries_the_link_token() -> None:
    plain = tg.parse_update(_private("/start"))
    assert plain is not None and plain.text == tg.GREET and plain.metadata == {}
    linked = tg.parse_update(_private("/start Y2hsb2VfeWls-_0"))
    assert linked is not None and linked.metadata == {"link_token": "Y2hsb2VfeWls-_0"}
    # Not a deep-link parameter (bad characters): a plain greeting, no token.
    odd = tg.parse_update(_private("/start a.b"))
    assert odd is not None and odd.text == "/start a.b" and odd.metadata == {}


def test_button_press_is_its_callback_data() -> None:
    update = {
        "update_id": 8,
        "callback_query": {
            "id": "cb1",
            "from": {"id": CHAT},
            "message": {"message_id": 3, "chat": {"id": CHAT, "type": "private"}},
            "data": "/track_order",
        },
    }
    incoming = tg.parse_update(update)
    assert incoming is not None
    assert incoming.text == "/track_order" and incoming.callback_query_id == "cb1"


def test_quick_replies_become_an_inline_keyboard_with_payloads() -> None:
    buttons = [
        {"title": "Track my order", "payload": "/track_order"},
        {"title": "Blue, size 40", "payload": '/choose{"item_ids": ["' + "9" * 60 + '"]}'},
    ]
    calls = tg.render(CHAT, {"text": "What next?", "buttons": buttons})
    assert [c.method for c in calls] == ["sendMessage"]
    keyboard = calls[0].params["reply_markup"]["inline_keyboard"]
    assert keyboard[0] == [{"text": "Track my order", "callback_data": "/track_order"}]
    # Too long for callback_data (64 bytes): a reference the connector maps back.
    assert keyboard[1] == [{"text": "Blue, size 40", "callback_data": "#2"}]
    assert tg.option_payload("#2", buttons) == buttons[1]["payload"]
    assert tg.option_payload("#3", buttons) is None and tg.option_payload("2", buttons) is None


def test_more_buttons_than_a_keyboard_holds_become_numbered_lines() -> None:
    buttons = [{"title": f"Option {i}", "payload": f"/pick{i}"} for i in range(101)]
    calls = tg.render(CHAT, {"text": "Which one?", "buttons": buttons})
    text = "\n".join(c.params["text"] for c in calls)
    assert "reply_markup" not in calls[-1].params
    assert "1. Option 0" in text and "101. Option 100" in text
    assert t("channel.numbered_hint") in text
    assert all(len(c.params["text"]) <= 4096 for c in calls)


def test_long_text_is_split_at_boundaries_within_the_limit() -> None:
    paragraph = ("The parcel left our warehouse. " * 40).strip()
    text = "\n\n".join([paragraph] * 6)  # ~7,400 characters
    calls = tg.render(CHAT, {"text": text})
    assert len(calls) == 2 and all(len(c.params["text"]) <= 4096 for c in calls)
    assert "".join(c.params["text"] for c in calls).replace("\n", "") == text.replace("\n", "")
    assert calls[0].params["text"].endswith(".")  # cut between paragraphs, not in a word
    assert split_text("a" * 10, 4) == ["aaaa", "aaaa", "aa"]  # one long word: hard cuts


CARD = {
    "id": "P1",
    "name": "Trail Runner",
    "brand": "Northpeak",
    "price": "95.49",
    "currency": "USD",
    "available": True,
    "url": "/products/P1",
    "image": "/img/products/P1.svg",
    "summary": "A light shoe for long runs.",
}


def test_product_cards_are_one_text_with_a_link_button_each_when_not_photos() -> None:
    payload = {
        "type": "product_cards",
        "products": [
            CARD,
            {**CARD, "id": "P2", "url": "/products/P2", "name": "Trail Walker", "available": False},
        ],
    }
    calls = tg.render(CHAT, {"custom": payload}, base_url="https://shop.example")
    assert [c.method for c in calls] == ["sendMessage"]  # one message, not one per card
    text = calls[0].params["text"]
    assert f"Trail Runner: $95.49, {t('channel.card.in_stock')}" in text
    assert f"Trail Walker: $95.49, {t('channel.card.out_of_stock')}" in text
    assert "A light shoe for long runs." in text
    assert "https://" not in text  # the links are on the buttons
    assert calls[0].params["reply_markup"]["inline_keyboard"] == [
        [{"text": "View Trail Runner", "url": "https://shop.example/products/P1"}],
        [{"text": "View Trail Walker", "url": "https://shop.example/products/P2"}],
    ]
    # Without a public address there is no link to give, but the cards still show.
    bare = tg.render(CHAT, {"custom": payload})
    assert "reply_markup" not in bare[0].params and "Trail Walker" in bare[0].params["text"]
    # More cards than a keyboard holds: the links go into the text instead.
    many = {"type": "product_cards", "products": [{**CARD, "id": f"P{i}"} for i in range(101)]}
    crowded = tg.render(CHAT, {"custom": many}, base_url="https://shop.example")
    shown = "".join(c.params["text"] for c in crowded)
    assert shown.count("https://shop.example/products/") == 101
    assert all("reply_markup" not in c.params for c in crowded)
    assert all(len(c.params["text"]) <= 4096 for c in crowded)


def test_a_raster_product_image_is_a_photo_with_a_caption_within_1024() -> None:
    card = {**CARD, "image": "https://cdn.example/p1.jpg", "summary": "Soft. " * 400}
    calls = tg.render(CHAT, {"custom": {"type": "product_cards", "products": [card]}})
    assert calls[0].method == "sendPhoto" and calls[0].params["photo"].endswith("p1.jpg")
    assert len(calls[0].params["caption"]) <= 1024
    shown = calls[0].params["caption"] + "".join(c.params["text"] for c in calls[1:])
    assert shown.count("Soft.") == 400  # the rest of the caption follows as text


def test_order_summary_handoff_and_agent_message_are_text() -> None:
    order = {
        "id": "#W2378156",
        "status": "delivered",
        "total": "120.00",
        "items": [{"name": "Trail Runner", "options": "colour red, size 40", "price": "95.49"}],
        "tracking_ids": ["TRK123"],
    }
    calls = tg.render(
        CHAT, {"text": "Here it is.", "custom": {"type": "order_summary", "order": order}}
    )
    text = "\n".join(c.params["text"] for c in calls)
    for part in (
        "#W2378156",
        "delivered",
        "Trail Runner (colour red, size 40)",
        "$95.49",
        "$120.00",
        "TRK123",
        "Here it is.",
    ):
        assert part in text
    notice = tg.render(CHAT, {"custom": {"type": "handoff", "state": "agent_joined"}})
    assert notice[0].params["text"] == t("handoff.agent_joined")
    agent = tg.render(
        CHAT,
        {
            "text": "Hi, Sam here",
            "custom": {"type": "agent_message", "text": "Hi, Sam here", "from": "Support team"},
        },
    )
    assert [c.params["text"] for c in agent] == ["Support team: Hi, Sam here"]


def test_unknown_custom_payloads_are_logged_not_sent_as_json(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = tg.render(CHAT, {"custom": {"type": "debug_blob", "x": 1}})
    assert calls == [] and "debug_blob" in caplog.text
