"""Our bot messages on Messenger, Instagram and WhatsApp, within each platform's limits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.meta_render import LIMITS, render, shorten, split_text
from bot.texts import t

URL = "https://shop.example"


def _card(i: int, **extra: Any) -> dict[str, Any]:
    card = {
        "id": f"P{i}",
        "name": f"Trail Runner {i} " + "extra long name " * 6,
        "price": "95.49",
        "currency": "USD",
        "available": i % 2 == 0,
        "url": f"/products/P{i}",
        "image": f"/img/products/P{i}.svg",
        "summary": "A light shoe for long runs on rough ground, with a grippy sole and more.",
    }
    card.update(extra)
    return card


def _buttons(n: int, title: str = "Option") -> list[dict[str, str]]:
    return [{"title": f"{title} {i}", "payload": f'/choose{{"n": {i}}}'} for i in range(1, n + 1)]


def test_limits_are_written_once_per_platform_with_their_source() -> None:
    assert LIMITS["messenger"].text_chars == 2000 and LIMITS["instagram"].text_chars == 1000
    assert LIMITS["whatsapp"].text_chars == 4096
    assert LIMITS["messenger"].quick_replies == 13 and LIMITS["whatsapp"].quick_replies == 3
    assert LIMITS["whatsapp"].list_rows == 10
    assert all(limit.source for limit in LIMITS.values())


def test_split_text_prefers_paragraphs_lines_sentences_words() -> None:
    para = "First paragraph. " * 5
    text = para.strip() + "\n\n" + para.strip()
    parts = split_text(text, 100)
    assert parts == [para.strip(), para.strip()]
    long_sentences = " ".join(f"Sentence number {i} is here." for i in range(200))
    parts = split_text(long_sentences, 2000)
    assert all(len(p) <= 2000 for p in parts) and all(p.endswith(".") for p in parts)
    assert " ".join(parts) == long_sentences
    word = "x" * 4500
    assert [len(p) for p in split_text(word, 2000)] == [2000, 2000, 500]
    assert split_text("   ", 10) == []


@pytest.mark.parametrize("platform", ["messenger", "instagram", "whatsapp"])
def test_long_text_is_split_and_nothing_is_lost(platform: str) -> None:
    text = " ".join(f"Line {i} says something useful." for i in range(400))
    out = render(platform, {"text": text})
    limit = LIMITS[platform].text_chars
    bodies = [m["text"]["body"] if platform == "whatsapp" else m["text"] for m in out.messages]
    assert len(bodies) > 1 and all(len(b) <= limit for b in bodies)
    assert " ".join(bodies) == text


def test_messenger_quick_replies_native_when_they_fit() -> None:
    out = render("messenger", {"text": "Which one?", "buttons": _buttons(13)})
    assert len(out.messages) == 1
    quick = out.messages[0]["quick_replies"]
    assert len(quick) == 13 and all(len(q["title"]) <= 20 for q in quick)
    assert quick[0] == {"content_type": "text", "title": "Option 1", "payload": '/choose{"n": 1}'}
    assert out.options == []


@pytest.mark.parametrize("buttons", [_buttons(14), _buttons(2, "A title far too long for it")])
def test_messenger_choices_that_do_not_fit_become_numbered(buttons: list[dict[str, str]]) -> None:
    out = render("messenger", {"text": "Which one?", "buttons": buttons})
    assert all("quick_replies" not in m for m in out.messages)
    text = "\n".join(m["text"] for m in out.messages)
    for i, b in enumerate(buttons, 1):
        assert f"{i}. {b['title']}" in text
    assert t("channel.numbered_hint") in text
    assert out.options == [b["payload"] for b in buttons]


@pytest.mark.parametrize("platform", ["messenger", "instagram"])
def test_product_cards_become_a_generic_template_of_at_most_ten(platform: str) -> None:
    cards = [_card(i) for i in range(12)]
    out = render(
        platform,
        {"custom": {"type": "product_cards", "text": "Here you go", "products": cards}},
        public_url=URL,
    )
    texts = [m["text"] for m in out.messages if "text" in m]
    templates = [m for m in out.messages if "attachment" in m]
    assert texts[0] == "Here you go"
    assert len(templates) == 1
    elements = templates[0]["attachment"]["payload"]["elements"]
    assert templates[0]["attachment"]["payload"]["template_type"] == "generic"
    assert len(elements) == 10
    for element in elements:
        assert len(element["title"]) <= 80 and len(element["subtitle"]) <= 80
        assert 1 <= len(element["buttons"]) <= 3
        assert all(len(b["title"]) <= 20 for b in element["buttons"])
        assert "image_url" not in element  # SVG pictures: Meta shows JPEG/PNG/GIF only
    assert elements[0]["buttons"][0] == {
        "type": "web_url",
        "url": f"{URL}/products/P0",
        "title": t("channel.card.view"),
    }
    assert elements[0]["buttons"][1]["payload"] == t(
        "channel.card.ask_text", name=cards[0]["name"], id="P0"
    )
    # the two cards past the carousel are lines of text, not dropped
    rest = "\n".join(texts[1:])
    assert cards[10]["name"] in rest and cards[11]["name"] in rest and f"{URL}/products/P11" in rest
    assert "$95.49" in rest


def test_product_card_with_png_image_keeps_it() -> None:
    out = render(
        "messenger",
        {
            "custom": {
                "type": "product_cards",
                "products": [_card(1, image="https://cdn.example/p1.png")],
            }
        },
    )
    element = out.messages[0]["attachment"]["payload"]["elements"][0]
    assert element["image_url"] == "https://cdn.example/p1.png"
    assert [b["type"] for b in element["buttons"]] == ["postback"]  # no shop URL: no View link


def test_whatsapp_cards_are_text_and_choices_buttons_list_or_numbers() -> None:
    out = render(
        "whatsapp", {"custom": {"type": "product_cards", "products": [_card(2)]}}, public_url=URL
    )
    assert out.messages == [
        {
            "type": "text",
            "text": {
                "body": (
                    f"{_card(2)['name']}: $95.49, {t('channel.card.in_stock')}\n{URL}/products/P2"
                ),
                "preview_url": False,
            },
        }
    ]
    three = render("whatsapp", {"text": "Confirm?", "buttons": _buttons(3)})
    (interactive,) = three.messages
    assert interactive["interactive"]["type"] == "button"
    assert interactive["interactive"]["body"]["text"] == "Confirm?"
    assert [b["reply"]["title"] for b in interactive["interactive"]["action"]["buttons"]] == [
        "Option 1",
        "Option 2",
        "Option 3",
    ]
    ten = render("whatsapp", {"text": "Pick", "buttons": _buttons(10)})
    (listed,) = ten.messages
    assert listed["interactive"]["type"] == "list"
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and all(len(r["title"]) <= 24 for r in rows)
    assert len(listed["interactive"]["action"]["button"]) <= 20
    eleven = render("whatsapp", {"text": "Pick", "buttons": _buttons(11)})
    assert all(m["type"] == "text" for m in eleven.messages)
    assert "11. Option 11" in eleven.messages[-1]["text"]["body"]
    assert len(eleven.options) == 11


def test_order_summary_handoff_and_agent_message_become_text() -> None:
    order = {
        "type": "order_summary",
        "order": {
            "id": "#W1234567",
            "status": "delivered",
            "total": "120.00",
            "items": [
                {"name": "Lamp", "options": "colour red", "price": "60.00"},
                {"name": "Mug", "options": "", "price": "60.00"},
            ],
            "tracking_ids": ["TRK1"],
        },
    }
    (msg,) = render("messenger", {"custom": order}).messages
    text = msg["text"]
    for part in (
        "#W1234567",
        "delivered",
        "Lamp (colour red): $60.00",
        "- Mug: $60.00",
        "$120.00",
        "TRK1",
    ):
        assert part in text
    (notice,) = render("instagram", {"custom": {"type": "handoff", "state": "requested"}}).messages
    assert notice == {"text": t("handoff.requested")}
    agent = {
        "text": "Hello, Sam here",
        "custom": {"type": "agent_message", "text": "Hello, Sam here", "from": "Support team"},
    }
    (reply,) = render("whatsapp", agent).messages
    assert reply["text"]["body"] == "Support team: Hello, Sam here"  # once, labelled


def test_unknown_payload_is_reported_not_silently_dropped() -> None:
    out = render("messenger", {"custom": {"type": "mystery"}})
    assert out.messages == [] and out.dropped == ["custom payload 'mystery'"]
    out = render("messenger", {"custom": {"type": "mystery", "text": "Still readable"}})
    assert out.messages == [{"text": "Still readable"}] and out.dropped == []


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("a" * 10, 20) == "a" * 10
    cut = shorten("The quick brown fox jumps over the lazy dog", 20)
    assert len(cut) <= 20 and cut.endswith("…") and cut.startswith("The quick brown")


def test_widget_markdown_becomes_the_platforms_own() -> None:
    text = "**Electric Kettle**: *great* for tea. See [the page](/products/P1) or [docs](https://x.example/d)."
    (m,) = render("messenger", {"text": text}, public_url=URL).messages
    assert m["text"] == (
        "Electric Kettle: great for tea. See the page (https://shop.example/products/P1) "
        "or docs (https://x.example/d)."
    )
    (w,) = render("whatsapp", {"text": text}).messages
    assert w["text"]["body"].startswith("*Electric Kettle*: *great* for tea. See the page or docs")
    (lst,) = render("instagram", {"text": "* one\n* two"}).messages
    assert lst["text"] == "* one\n* two"  # list bullets are not italics


def test_a_payload_repeating_the_turns_text_is_not_sent_twice() -> None:
    notice = "I'm handing this conversation to a member of our support team."
    payload = {"custom": {"type": "handoff", "state": "requested", "text": notice}}
    assert render("messenger", payload, already_said=[notice]).messages == []
    assert render("messenger", payload).messages == [{"text": notice}]
    # the message's own text is always sent
    assert render("messenger", {"text": notice}, already_said=[notice]).messages == [
        {"text": notice}
    ]
