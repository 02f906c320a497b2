"""Meta webhooks: signatures, the subscription check and parsing of each platform's deliveries."""

from __future__ import annotations

import json

from bot.channels.meta import parse, parse_body, sign, subscription_challenge, valid_signature

SECRET = "app-secret-for-tests-0123456789abcdef"


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"page","entry":[]}'
    header = sign(SECRET, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert valid_signature(SECRET, body, header)
    assert not valid_signature(SECRET, body + b" ", header)  # one byte changed
    assert not valid_signature("other-secret", body, header)
    assert not valid_signature(SECRET, body, None)
    assert not valid_signature(SECRET, body, header.replace("sha256=", "sha1="))
    assert not valid_signature("", body, sign("", body))  # no secret: nothing is valid


def test_subscription_challenge_only_for_our_token() -> None:
    args = {"hub.mode": ["subscribe"], "hub.verify_token": ["tok"], "hub.challenge": ["42"]}
    assert subscription_challenge(args, "tok") == "42"
    assert subscription_challenge({**args, "hub.verify_token": ["nope"]}, "tok") is None
    assert subscription_challenge({**args, "hub.mode": ["unsubscribe"]}, "tok") is None
    assert subscription_challenge(args, "") is None
    assert (
        subscription_challenge({"hub.mode": "subscribe", "hub.verify_token": "tok"}, "tok") is None
    )


def test_parse_body_refuses_what_is_not_a_json_object() -> None:
    assert parse_body(b"[1]") is None
    assert parse_body(b"\xff\xfe") is None
    assert parse_body(b"{") is None
    assert parse_body(b'{"object": "page"}') == {"object": "page"}


def _page(*messaging: dict, changes: list | None = None) -> dict:
    entry = {"id": "PAGE1", "time": 1, "messaging": list(messaging)}
    if changes is not None:
        entry["changes"] = changes
    return {"object": "page", "entry": [entry]}


def test_messenger_text_quick_reply_postback_echo_and_attachment() -> None:
    data = _page(
        {"sender": {"id": "U1"}, "message": {"mid": "m1", "text": "hi there"}},
        {
            "sender": {"id": "U1"},
            "message": {"mid": "m2", "text": "Yes", "quick_reply": {"payload": "/affirm"}},
        },
        {"sender": {"id": "U2"}, "postback": {"title": "Ask", "payload": "Tell me more"}},
        {"sender": {"id": "PAGE1"}, "message": {"mid": "m3", "text": "echo", "is_echo": True}},
        {"sender": {"id": "U3"}, "message": {"mid": "m4", "attachments": [{"type": "image"}]}},
        {"sender": {"id": "U4"}, "read": {"watermark": 1}},
        {
            "sender": {"id": "U5"},
            "message": {"mid": "m5", "text": "hello"},
            "referral": {"ref": "tok.en"},
        },
    )
    messages, comments = parse("messenger", data)
    assert [(m.user_id, m.text, m.kind) for m in messages] == [
        ("U1", "hi there", "text"),
        ("U1", "/affirm", "text"),
        ("U2", "Tell me more", "text"),
        ("U3", "", "unsupported"),
        ("U5", "hello", "text"),
    ]
    assert messages[-1].metadata == {"referral": "tok.en"}
    assert comments == []
    # a Page delivery posted to another platform's webhook gives nothing
    assert parse("instagram", data) == ([], [])
    assert parse("whatsapp", data) == ([], [])


def test_facebook_feed_comments_new_ones_from_others_only() -> None:
    def change(verb: str = "add", author: str = "U9", item: str = "comment") -> dict:
        return {
            "field": "feed",
            "value": {
                "item": item,
                "verb": verb,
                "comment_id": "POST1_C1",
                "post_id": "PAGE1_POST1",
                "from": {"id": author, "name": "Ann"},
                "message": "how much is this?",
            },
        }

    data = _page(
        changes=[change(), change(verb="edited"), change(author="PAGE1"), change(item="reaction")]
    )
    messages, comments = parse("messenger", data)
    assert messages == []
    assert len(comments) == 1
    c = comments[0]
    assert (c.comment_id, c.post_id, c.author_id, c.text) == (
        "POST1_C1",
        "PAGE1_POST1",
        "U9",
        "how much is this?",
    )


def test_instagram_messages_and_comments() -> None:
    data = {
        "object": "instagram",
        "entry": [
            {
                "id": "IG1",
                "time": 1,
                "messaging": [
                    {
                        "sender": {"id": "IGU"},
                        "recipient": {"id": "IG1"},
                        "message": {"mid": "x", "text": "do you ship to Canada?"},
                    }
                ],
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": "C7",
                            "text": "blue?",
                            "media": {"id": "M1"},
                            "from": {"id": "IGU2", "username": "bo"},
                        },
                    },
                    {
                        "field": "comments",
                        "value": {
                            "id": "C8",
                            "text": "thanks!",
                            "media": {"id": "M1"},
                            "from": {"id": "IG1", "username": "shop"},
                        },
                    },
                ],
            }
        ],
    }
    messages, comments = parse("instagram", data)
    assert [(m.platform, m.user_id, m.text) for m in messages] == [
        ("instagram", "IGU", "do you ship to Canada?")
    ]
    assert [(c.comment_id, c.post_id, c.author_id, c.text) for c in comments] == [
        ("C7", "M1", "IGU2", "blue?")
    ]


def test_whatsapp_text_buttons_lists_and_statuses() -> None:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": "PN1"},
        "messages": [
            {"from": "15550001", "id": "w1", "type": "text", "text": {"body": "where is my order"}},
            {
                "from": "15550001",
                "id": "w2",
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "/affirm", "title": "Yes"},
                },
            },
            {
                "from": "15550001",
                "id": "w3",
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "/deny", "title": "No"}},
            },
            {"from": "15550001", "id": "w4", "type": "sticker", "sticker": {}},
        ],
    }
    data = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {"field": "messages", "value": value},
                    {"field": "messages", "value": {"statuses": [{"id": "w0", "status": "read"}]}},
                ],
            }
        ],
    }
    messages, comments = parse("whatsapp", json.loads(json.dumps(data)))
    assert [(m.text, m.kind) for m in messages] == [
        ("where is my order", "text"),
        ("/affirm", "text"),
        ("/deny", "text"),
        ("", "unsupported"),
    ]
    assert messages[0].metadata == {"phone_number_id": "PN1"}
    assert comments == []


def test_rest_cannot_address_a_social_channels_conversation() -> None:
    from rasa_addons.session_ids import rest_sender

    for sender in (
        "messenger:1234",
        "instagram:99",
        "whatsapp:15550001",
        "telegram:7",
        "twilio_whatsapp:+1555",
        "messenger_comment:12_34",
        "WhatsApp:1",
    ):
        assert rest_sender(sender) == ""
    assert rest_sender("e2e-shopper-1") == "e2e-shopper-1"
    assert rest_sender("messenger-fan") == "messenger-fan"
