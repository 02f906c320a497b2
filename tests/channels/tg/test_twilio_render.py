"""WhatsApp through Twilio, the pure side: Twilio's signature, webhook forms → messages, our
replies → bodies of at most 1600 characters with numbered options (bot/channels/twilio.py)."""

from __future__ import annotations

from bot.channels import twilio
from bot.texts import t
from tests.channels.tg.fakes import twilio_signature

TOKEN = "twilio-auth-token-for-tests"
URL = "https://shop.example/webhooks/twilio_whatsapp/webhook"
FORM = {"From": "whatsapp:+15550001234", "To": "whatsapp:+14155238886", "Body": "hi there"}


def test_limits_are_the_documented_ones() -> None:
    assert twilio.LIMITS == {"body_chars": 1600}


def test_signature_matches_twilios_own_validator() -> None:
    # Twilio's documented example request; the expected value was computed with
    # twilio-python 8.2.2's RequestValidator.compute_signature (installed in .venv-rasa).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="


def test_only_a_correct_signature_for_this_url_and_form_passes() -> None:
    good = twilio_signature(TOKEN, URL, FORM)
    assert twilio.signature_ok(good, TOKEN, URL, FORM)
    assert not twilio.signature_ok(good, TOKEN, URL + "?x=1", FORM)
    assert not twilio.signature_ok(good, TOKEN, URL, {**FORM, "Body": "hi there!"})
    assert not twilio.signature_ok(good, "another-token", URL, FORM)
    assert not twilio.signature_ok(None, TOKEN, URL, FORM)
    assert not twilio.signature_ok(good, "", URL, FORM)


def test_forms_become_prefixed_sender_messages() -> None:
    incoming = twilio.parse_form(FORM)
    assert incoming is not None and incoming.text == "hi there"
    assert incoming.sender_id == "twilio_whatsapp:+15550001234"
    assert twilio.phone_of(incoming.sender_id) == "+15550001234"
    assert twilio.phone_of("telegram:5") is None
    media = twilio.parse_form({**FORM, "Body": "", "NumMedia": "1"})
    assert media is not None and not media.supported
    assert twilio.parse_form({**FORM, "From": "+15550001234"}) is None  # SMS, not WhatsApp
    assert twilio.parse_form({"MessageStatus": "delivered"}) is None  # a status callback
    # ... also when it names the user's number: never answered.
    status = {**FORM, "From": "whatsapp:+14155238886", "Body": "", "MessageStatus": "sent"}
    assert twilio.parse_form(status) is None


def test_buttons_are_numbered_and_the_number_maps_back_to_the_payload() -> None:
    buttons = [
        {"title": "Where is my order?", "payload": "/track_order"},
        {"title": "Return an item", "payload": "/return_item"},
    ]
    bodies = twilio.render({"text": "What can I do for you?", "buttons": buttons})
    assert bodies == [
        "What can I do for you?",
        f"1. Where is my order?\n2. Return an item\n{t('channel.numbered_hint')}",
    ]
    assert twilio.option_payload("2", buttons) == "/return_item"
    assert twilio.option_payload(" 1. ", buttons) == "/track_order"
    assert twilio.option_payload("3", buttons) is None
    assert twilio.option_payload("2 shirts", buttons) is None


def test_long_texts_and_cards_fit_1600_and_lose_nothing() -> None:
    text = " ".join(f"word{i}" for i in range(700))  # ~5,000 characters
    bodies = twilio.render({"text": text})
    assert len(bodies) == 4 and all(len(b) <= 1600 for b in bodies)
    assert " ".join(bodies).split() == text.split()
    card = {
        "id": "P1",
        "name": "Trail Runner",
        "price": "95.49",
        "currency": "USD",
        "available": False,
        "url": "/products/P1",
        "summary": "Light.",
    }
    shown = twilio.render(
        {"custom": {"type": "product_cards", "products": [card]}}, "https://shop.example"
    )
    assert shown == [
        f"Trail Runner: $95.49, {t('channel.card.out_of_stock')}\nLight.\n"
        "https://shop.example/products/P1"
    ]
    agent = twilio.render(
        {
            "text": "On it",
            "custom": {"type": "agent_message", "text": "On it", "from": "Support team"},
        }
    )
    assert agent == ["Support team: On it"]
