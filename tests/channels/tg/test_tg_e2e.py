"""Telegram and WhatsApp (Twilio) end to end: the real Rasa server and action server behind
the connectors, with local fakes of the Telegram Bot API and Twilio's Messages API
(tests/channels/tg/fakes.py) that send correctly signed webhooks and record every call the
connectors make back.

One stack for the module (loading the model takes ~30 s). Per channel: a product question, an
identified order status (Telegram: the shop's signed deep link; WhatsApp: the dialogue's own
identification), a hand-off whose agent reply reaches the platform user, option buttons or
numbers, and refused requests without / with a wrong signature.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.console import handoff
from bot.console.ingest import ingest_new_events
from bot.db import models as m
from bot.db.session import Database
from bot.safety.customer_token import sign_link_token
from tests.channels.tg.fakes import FakeTelegram, FakeTwilio, telegram_press, telegram_text
from tests.conftest import REDIS_TEST_URL, TEST_CUSTOMER_TOKEN_SECRET

pytestmark = pytest.mark.e2e

BOT_TOKEN = "123456:test-bot-token"
SECRET = "tg-webhook-secret_0123456789"
PUBLIC_URL = "https://shop.example"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-auth-token-0123456789"
SHOP_NUMBER = "whatsapp:+14155238886"
_chats = itertools.count(int(time.time()) % 10_000_000 * 100)


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(BOT_TOKEN, SECRET)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def tg_stack(
    stack_database_url: str,
    fake_telegram: FakeTelegram,
    fake_twilio: FakeTwilio,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig

    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    config = StackConfig(
        database_url=stack_database_url,
        redis_url=REDIS_TEST_URL,
        log_dir=tmp_path_factory.mktemp("tg-stack-logs"),
        with_web=False,
        extra_env={
            "SHOPBOT_CUSTOMER_TOKEN_SECRET": TEST_CUSTOMER_TOKEN_SECRET,
            "SHOPBOT_IDENTIFY_MAX_CLIENT_FAILURES": "100000",
            "SHOPBOT_IDENTIFY_MAX_FAILURES": "100000",
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_SECRET_TOKEN": SECRET,
            "TELEGRAM_API_URL": fake_telegram.url,
            "SHOPBOT_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_NUMBER": SHOP_NUMBER,
            "TWILIO_API_URL": fake_twilio.url,
        },
    )
    stack = Stack(config)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def shop(tg_stack: Any) -> Iterator[Database]:
    database = Database(tg_stack.config.database_url)
    yield database
    database.dispose()


class Chat:
    """One Telegram private chat with the shop's bot."""

    def __init__(self, stack: Any, fake: FakeTelegram) -> None:
        self.chat_id = next(_chats)
        self.fake = fake
        self.webhook = f"{stack.rasa_url}/webhooks/telegram/webhook"

    @property
    def sender_id(self) -> str:
        return f"telegram:{self.chat_id}"

    def say(self, text: str) -> list[tuple[str, dict[str, Any]]]:
        mark = self.fake.mark()
        response = self.fake.post_update(self.webhook, telegram_text(self.chat_id, text))
        assert response.status_code == 200, response.text
        return self.fake.sent(mark)

    def press(self, data: str) -> list[tuple[str, dict[str, Any]]]:
        mark = self.fake.mark()
        response = self.fake.post_update(self.webhook, telegram_press(self.chat_id, data))
        assert response.status_code == 200, response.text
        return self.fake.sent(mark)


def _shown(calls: list[tuple[str, dict[str, Any]]]) -> str:
    return "\n".join(str(p.get("text") or p.get("caption") or "") for _, p in calls)


def _to_this_chat(chat: Chat, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert calls, "the connector sent nothing"
    for method, params in calls:
        if method != "answerCallbackQuery":
            assert params["chat_id"] == chat.chat_id, (method, params)
        if "text" in params:
            assert 0 < len(params["text"]) <= 4096


@pytest.fixture
def chat(tg_stack: Any, fake_telegram: FakeTelegram) -> Chat:
    return Chat(tg_stack, fake_telegram)


def test_start_and_a_product_question_get_cards_as_text_with_links(chat: Chat) -> None:
    greeting = chat.say("/start")
    _to_this_chat(chat, greeting)
    assert _shown(greeting).strip()
    calls = chat.say("do you have any backpacks?")
    _to_this_chat(chat, calls)
    links = [
        button["url"]
        for _, params in calls
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if "url" in button
    ]
    assert links and all(link.startswith(f"{PUBLIC_URL}/products/") for link in links)
    assert "$" in _shown(calls) and "backpack" in _shown(calls).lower()


def test_a_signed_deep_link_identifies_the_customer_for_an_order_status(
    chat: Chat, shop: Database
) -> None:
    with shop.session() as s:
        order = s.scalars(
            select(m.Order)
            .join(m.Customer, m.Customer.id == m.Order.customer_id)
            .where(func.length(m.Customer.id) <= 27, m.Order.status == "delivered")
            .order_by(m.Order.id)
            .limit(1)
        ).one()
        order_id, customer_id = order.id, order.customer_id
    token = sign_link_token(customer_id, TEST_CUSTOMER_TOKEN_SECRET, 600)
    _to_this_chat(chat, chat.say(f"/start {token}"))
    calls = chat.say(f"where is my order {order_id}?")
    _to_this_chat(chat, calls)
    shown = _shown(calls)
    assert order_id in shown and "delivered" in shown.lower(), shown


def test_without_a_link_the_order_question_asks_who_you_are(chat: Chat, shop: Database) -> None:
    with shop.session() as s:
        order_id = s.scalars(select(m.Order.id).order_by(m.Order.id).limit(1)).one()
    forged = sign_link_token("someone_else_12", "not-the-shop-secret-at-all", 600)
    chat.say(f"/start {forged}")
    calls = chat.say(f"where is my order {order_id}?")
    _to_this_chat(chat, calls)
    shown = _shown(calls)
    assert "delivered" not in shown.lower() and "email" in shown.lower(), shown


def test_handoff_agent_reply_reaches_the_telegram_chat(
    chat: Chat, tg_stack: Any, shop: Database
) -> None:
    chat.say("hi")
    _to_this_chat(chat, chat.say("I want to talk to a person please"))
    rasa = handoff.RasaEvents(tg_stack.rasa_url, tg_stack.config.rasa_token)
    deadline = time.time() + 30
    waiting: list[dict[str, Any]] = []
    while time.time() < deadline and not waiting:
        ingest_new_events(shop)
        waiting = [h for h in handoff.queue(shop) if h["sender_id"] == chat.sender_id]
        time.sleep(0.5)
    assert waiting, "the hand-off never reached the console queue"
    assert waiting[0]["channel"] == "telegram"
    mark = chat.fake.mark()
    handoff.take(shop, rasa, waiting[0]["id"], "agent@example.com")
    handoff.reply(
        shop, rasa, waiting[0]["id"], "agent@example.com", "Hi, this is Sam. Let me look."
    )
    sent = chat.fake.sent(mark)
    _to_this_chat(chat, sent)
    shown = _shown(sent)
    assert "Support team: Hi, this is Sam. Let me look." in shown
    # While the agent holds it the bot is silent; the shopper's words still arrive.
    assert chat.say("thanks, it's about a late parcel") == []
    handoff.finish(shop, rasa, waiting[0]["id"], "agent@example.com", to_bot=True)


def test_buttons_send_their_payload_or_a_reference_to_it(
    chat: Chat, tg_stack: Any, fake_telegram: FakeTelegram
) -> None:
    greeting = chat.say("hi")
    keyboard = [
        row[0]
        for _, p in greeting
        for row in (p.get("reply_markup") or {}).get("inline_keyboard", [])
    ]
    assert {"text": "Where is my order?", "callback_data": "/track_order"} in keyboard
    calls = chat.press("/track_order")  # a quick reply's callback data is its payload
    assert calls[0][0] == "answerCallbackQuery"  # the button stops spinning
    _to_this_chat(chat, calls)
    assert "email" in _shown(calls).lower()
    # A payload too long for callback_data travels as "#<n>": the n-th quick reply of the bot's
    # last message, looked up in the conversation (rasa_addons/channels/options.py).
    other = Chat(tg_stack, fake_telegram)
    other.say("hi")
    referenced = other.press("#1")
    assert "email" in _shown(referenced).lower()


def test_a_redelivered_update_is_answered_once(chat: Chat) -> None:
    update = telegram_text(chat.chat_id, "hi")
    mark = chat.fake.mark()
    for _ in range(2):
        assert chat.fake.post_update(chat.webhook, update).status_code == 200
    assert len([c for c in chat.fake.sent(mark) if c[0] == "sendMessage"]) == 1


def test_updates_without_the_secret_are_refused_and_logged(
    chat: Chat, fake_telegram: FakeTelegram, tg_stack: Any
) -> None:
    mark = fake_telegram.mark()
    for secret in (None, "wrong-secret"):
        response = fake_telegram.post_update(
            chat.webhook, telegram_text(chat.chat_id, "hi"), secret=secret
        )
        assert response.status_code == 403
    assert fake_telegram.sent(mark) == []
    deadline = time.time() + 5
    while "telegram webhook refused" not in tg_stack.tail("rasa", 200) and time.time() < deadline:
        time.sleep(0.2)
    assert "telegram webhook refused" in tg_stack.tail("rasa", 200)


# --- WhatsApp through Twilio ----------------------------------------------------------------
_phones = itertools.count(int(time.time()) % 1_000_000 * 1000)


class WhatsApp:
    """One WhatsApp user writing to the shop's Twilio number."""

    def __init__(self, stack: Any, fake: FakeTwilio) -> None:
        self.phone = f"+1555{next(_phones) % 10_000_000:07d}"
        self.fake = fake
        self.webhook = f"{stack.rasa_url}/webhooks/twilio_whatsapp/webhook"

    @property
    def sender_id(self) -> str:
        return f"twilio_whatsapp:{self.phone}"

    def say(self, text: str) -> list[str]:
        mark = self.fake.mark()
        response = self.fake.post_message(self.webhook, self.phone, text)
        assert response.status_code == 200, response.text
        assert response.text.startswith("<?xml") and "<Response>" in response.text
        bodies = self.fake.bodies(mark, to=self.phone)
        assert all(0 < len(body) <= 1600 for body in bodies), bodies
        assert len(bodies) == len(self.fake.since(mark)), "a message went to someone else"
        return bodies


@pytest.fixture
def whatsapp(tg_stack: Any, fake_twilio: FakeTwilio) -> WhatsApp:
    return WhatsApp(tg_stack, fake_twilio)


def test_whatsapp_numbered_options_and_the_number_reply(whatsapp: WhatsApp) -> None:
    greeting = "\n".join(whatsapp.say("hello"))
    assert "1. Where is my order?" in greeting and "2. " in greeting
    assert "email" in "\n".join(whatsapp.say("1")).lower()  # "1" is /track_order


def test_whatsapp_product_question_and_identified_order_status(
    whatsapp: WhatsApp, shop: Database
) -> None:
    products = "\n".join(whatsapp.say("do you have any backpacks?"))
    assert "$" in products and f"{PUBLIC_URL}/products/" in products
    with shop.session() as s:
        order, email = s.execute(
            select(m.Order.id, m.Customer.email)
            .join(m.Customer, m.Customer.id == m.Order.customer_id)
            .where(m.Order.status == "delivered")
            .order_by(m.Order.id.desc())
            .limit(1)
        ).one()
    asked = "\n".join(whatsapp.say(f"where is my order {order}?"))
    assert "email" in asked.lower() and "delivered" not in asked.lower()
    shown = "\n".join(whatsapp.say(email))
    assert order in shown and "delivered" in shown.lower(), shown


def test_whatsapp_handoff_agent_reply_reaches_the_phone(
    whatsapp: WhatsApp, tg_stack: Any, shop: Database
) -> None:
    whatsapp.say("hi")
    assert whatsapp.say("can I talk to a human please")
    rasa = handoff.RasaEvents(tg_stack.rasa_url, tg_stack.config.rasa_token)
    deadline = time.time() + 30
    waiting: list[dict[str, Any]] = []
    while time.time() < deadline and not waiting:
        ingest_new_events(shop)
        waiting = [h for h in handoff.queue(shop) if h["sender_id"] == whatsapp.sender_id]
        time.sleep(0.5)
    assert waiting and waiting[0]["channel"] == "twilio_whatsapp"
    mark = whatsapp.fake.mark()
    handoff.take(shop, rasa, waiting[0]["id"], "agent@example.com")
    handoff.reply(shop, rasa, waiting[0]["id"], "agent@example.com", "Hello from Sam.")
    assert "Support team: Hello from Sam." in whatsapp.fake.bodies(mark, to=whatsapp.phone)
    handoff.finish(shop, rasa, waiting[0]["id"], "agent@example.com", to_bot=True)


def test_whatsapp_unsigned_or_wrongly_signed_posts_are_refused_and_logged(
    whatsapp: WhatsApp, fake_twilio: FakeTwilio, tg_stack: Any
) -> None:
    mark = fake_twilio.mark()
    for signed_for in (None, "not-the-auth-token"):
        response = fake_twilio.post_message(whatsapp.webhook, whatsapp.phone, "hi", signed_for)
        assert response.status_code == 403
    assert fake_twilio.since(mark) == []
    deadline = time.time() + 5
    while "twilio webhook refused" not in tg_stack.tail("rasa", 200) and time.time() < deadline:
        time.sleep(0.2)
    assert "twilio webhook refused" in tg_stack.tail("rasa", 200)
