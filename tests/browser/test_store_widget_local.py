"""The widget in a real Chromium on the real storefront (SQLite shop), talking Socket.IO to a
scripted server that speaks Rasa's socketio channel protocol.

These tests pin the widget's own behaviour (rendering, persistence, reconnection, keyboard,
XSS, token metadata) without a trained model; ``test_store_chat.py`` runs the same journey
against the real Rasa + action server.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import socketio
from pydantic import SecretStr
from store_browser import DESKTOP, PHONE, DialogWatch, chromium, free_port, screenshot, serve

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from store_fixtures import TOKEN_SECRET, build_store_app, seed_small_shop  # noqa: E402

from bot import schema
from bot.db.session import Database  # noqa: E402
from bot.safety.customer_token import verify_customer_token  # noqa: E402
from bot.web.storefront import StoreConfig  # noqa: E402

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
CARDS = {
    "type": "product_cards",
    "products": [
        {
            "id": "SB-P0001",
            "name": "Trail Running Shoe",
            "price": "89.50",
            "currency": "USD",
            "available": True,
            "url": "/products/SB-P0001",
            "image": "/img/products/SB-P0001.svg",
            "brand": "Acme",
            "summary": "A light shoe for muddy trails.",
        },
        {
            "id": "SB-P0003",
            "name": "Sold Out Kettle",
            "price": "30.00",
            "currency": "USD",
            "available": False,
            "url": "/products/SB-P0003",
            "image": "/img/products/SB-P0003.svg",
            "brand": "",
            "summary": "",
        },
    ],
}


@dataclass
class ScriptedRasa:
    """Answers like Rasa's socketio output channel would; records what the widget sent."""

    received: list[dict[str, Any]] = field(default_factory=list)
    session_requests: list[Any] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    def app(self) -> Any:
        sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[])

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            self.session_requests.append(data)
            # Like rasa_addons/session_ids.py: a signed id is kept, otherwise one is issued.
            session_id = (data or {}).get("session_id") or (
                "sb_" + secrets.token_hex(16) + "." + secrets.token_hex(16)
            )
            self.issued.append(session_id)
            entered = sio.enter_room(sid, session_id)
            if inspect.isawaitable(entered):
                await entered
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: dict[str, Any]) -> None:
            self.received.append(data)
            room = data.get("session_id")
            if not room:
                return
            if data.get("message") == "slow order please":
                await asyncio.sleep(1.5)  # long enough to see the typing indicator
            # Like Rasa: '/greet{"language": "zh"}' is the intent /greet with an entity.
            raw = str(data.get("message", ""))
            payload = re.fullmatch(r"(/[\w-]+)(\{.*\})", raw)
            message = payload.group(1) if payload else raw
            entities = json.loads(payload.group(2)) if payload else {}
            prior = entities.get("language") or (data.get("metadata") or {}).get("lang")
            for reply in self.replies(message, prior):
                await sio.emit("bot_uttered", reply, room=room)

        return socketio.ASGIApp(sio, socketio_path="socket.io")

    @staticmethod
    def replies(message: str, prior: str | None = None) -> list[dict[str, Any]]:
        if message == "/greet" and prior == "zh":
            return [
                {
                    "text": "您好！我是店铺的智能客服。",
                    "quick_replies": [
                        {
                            "content_type": "text",
                            "title": "我的订单到哪了？",
                            "payload": "/track_order",
                        }
                    ],
                }
            ]
        if re.search("[\u4e00-\u9fff]", message):
            if "人工" in message:
                return [
                    {"text": "好的，正在为您转接人工客服。"},
                    {"type": "handoff", "state": "agent_joined", "text": ""},
                ]
            return [{"text": "好的，请提供您的订单号。"}]
        if message == "/greet":
            return [
                {
                    "text": "Hi! I'm the **shop assistant**.",
                    "quick_replies": [
                        {
                            "content_type": "text",
                            "title": "Where is my order?",
                            "payload": "/track_order",
                        },
                        {
                            "content_type": "text",
                            "title": "Find a product",
                            "payload": "/search_product",
                        },
                    ],
                }
            ]
        if message == "agent please":  # a person is awaited, then writes (bot/console/handoff.py)
            return [
                {"type": "handoff", "state": "requested", "text": ""},
                {"type": "agent_message", "text": "Hi, Sam here.", "from": "Support team"},
            ]
        if message == "/contact_human_agent":
            return [
                {"text": "I'm handing you over to a person."},
                {"type": "handoff", "state": "agent_joined", "text": ""},
            ]
        if "trail shoes" in message.lower() or message == "/search_product":
            return [{"text": "Here is what I found:"}, CARDS]
        if message == "slow order please":
            return [
                {
                    "type": "order_summary",
                    "order": {
                        "id": "#S1000001",
                        "status": "processed",
                        "total": "101.5",
                        "items": [
                            {
                                "name": "Trail Running Shoe",
                                "options": {"size": "42"},
                                "price": "89.5",
                            }
                        ],
                        "tracking_ids": ["TRK123"],
                    },
                }
            ]
        if message == "/track_order":
            return [{"text": "Sure. What's the order number?\n- it starts with #\n- then 7 digits"}]
        return [{"text": f"You said: {message}"}]


@pytest.fixture
def local_store(tmp_path: Path) -> Iterator[tuple[str, ScriptedRasa]]:
    from bot.catalog.keyword import ensure_search_indexes

    db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    schema.create_all(db)
    ensure_search_indexes(db)
    seed_small_shop(db)
    rasa = ScriptedRasa()
    rasa_port = free_port()
    config = StoreConfig(
        database=db,
        widget_server=f"http://127.0.0.1:{rasa_port}",
        customer_token_secret=SecretStr(TOKEN_SECRET),
        demo_sign_in=True,
    )
    with serve(rasa.app(), rasa_port), serve(build_store_app(config)) as web_url:
        yield web_url, rasa
    db.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def bot_texts(page: Any) -> list[str]:
    return page.locator(".sb-bot .sb-bubble").all_inner_texts()


def wait_bot(page: Any, text: str, timeout: float = 15000) -> None:
    page.locator(".sb-bot .sb-bubble", has_text=text).last.wait_for(timeout=timeout)


def open_chat(page: Any) -> None:
    page.locator(".sb-launcher").click()
    page.locator(".sb-panel").wait_for(state="visible")
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)


def test_chat_journey_cards_quick_replies_reload_handoff_and_xss(
    local_store: tuple[str, ScriptedRasa], browser: Any
) -> None:
    web_url, rasa = local_store
    page = browser.new_page(viewport=DESKTOP)
    dialogs = DialogWatch(page)
    page.goto(web_url + "/")
    assert page.locator("script[src='/static/widget/widget.js']").count() == 1
    open_chat(page)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    assert page.locator(".sb-bot strong").first.inner_text() == "shop assistant"
    assert rasa.received[0]["message"] == '/greet{"language":"en"}'
    # Anonymous shopper: no token sent; the page's language is the first message's prior.
    assert rasa.received[0]["metadata"] == {"lang": "en"}
    assert rasa.session_requests[0] == {}  # the server issues the id
    session_id = rasa.issued[0]
    assert re.fullmatch(r"sb_[0-9a-f]{32}\.[0-9a-f]{32}", session_id)

    # Quick reply: sends its payload, shows its title, and the buttons go away.
    page.get_by_role("button", name="Where is my order?").click()
    page.get_by_text("What's the order number?").wait_for()
    assert rasa.received[-1]["message"] == "/track_order"
    assert page.locator(".sb-user .sb-bubble").last.inner_text() == "Where is my order?"
    assert page.locator(".sb-bot li").all_inner_texts() == ["it starts with #", "then 7 digits"]
    assert page.locator(".sb-quick-btn").count() == 0

    # Product search: a carousel of cards with image, price, availability, view, ask.
    page.locator(".sb-input").fill("Do you have trail shoes?")
    page.locator(".sb-input").press("Enter")
    cards = page.locator(".sb-carousel .sb-card")
    cards.first.wait_for()
    assert cards.count() == 2
    first = cards.nth(0)
    assert first.locator(".sb-card-name").inner_text() == "Trail Running Shoe"
    assert first.locator(".sb-card-price").inner_text() == "$89.50"
    assert first.locator(".sb-avail").inner_text() == "In stock"
    assert cards.nth(1).locator(".sb-avail").inner_text() == "Out of stock"
    assert first.locator(".sb-card-view").get_attribute("href") == "/products/SB-P0001"
    page.wait_for_function(
        "() => document.querySelector('#shopbot-widget').shadowRoot"
        ".querySelector('.sb-card-img').naturalWidth > 0"
    )
    screenshot(page, "store-local-desktop.png")
    first.locator(".sb-card-ask").click()
    wait_bot(page, "You said: Tell me more about Trail Running Shoe (SB-P0001)")

    # Hostile text from the shopper (and echoed back by the bot) stays text.
    page.locator(".sb-input").fill(XSS)
    page.locator(".sb-send").click()
    wait_bot(page, f"You said: {XSS}")
    assert page.locator(".sb-user .sb-bubble").last.inner_text() == XSS
    assert page.locator(".sb-log img[src='x']").count() == 0

    # "Talk to a person" shows the hand-off notice, then hides while a person holds the chat.
    page.get_by_role("button", name="Talk to a person").click()
    page.locator(".sb-handoff").wait_for()
    assert page.locator(".sb-handoff").inner_text() == "A person has joined the conversation."
    assert rasa.received[-1]["message"] == "/contact_human_agent"
    page.locator(".sb-human").wait_for(state="hidden")

    # Reload: same session, same conversation, chat still open.
    before = page.locator(".sb-msg").count()
    page.reload()
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)
    assert page.locator(".sb-msg").count() == before
    assert page.locator(".sb-card").count() == 2
    assert rasa.session_requests[-1]["session_id"] == session_id
    assert page.locator(".sb-human").is_hidden()  # the hand-off state survives the reload
    # Navigation to the product page from the card keeps it too.
    page.locator(".sb-card-view").first.click()
    page.wait_for_url("**/products/SB-P0001")
    page.locator(".sb-handoff").wait_for()
    assert page.locator("h1").inner_text() == "Trail Running Shoe"
    assert dialogs.messages == []


def test_phone_width_keyboard_and_reconnect_state(
    local_store: tuple[str, ScriptedRasa], browser: Any
) -> None:
    web_url, rasa = local_store
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(web_url + "/products/SB-P0001")
    # Keyboard only: tab to the launcher, open, type, send, escape closes and refocuses.
    launcher = page.locator(".sb-launcher")
    for _ in range(40):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    else:
        pytest.fail("the chat launcher cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)
    assert page.locator(".sb-input").evaluate("el => el.getRootNode().activeElement === el")
    page.keyboard.type("hello there")
    page.keyboard.press("Enter")
    wait_bot(page, "You said: hello there")
    # Typing indicator while the assistant works, then an order summary.
    page.locator(".sb-input").fill("slow order please")
    page.locator(".sb-input").press("Enter")
    page.locator(".sb-typing").wait_for(state="visible", timeout=1000)
    order = page.locator(".sb-order")
    order.wait_for(timeout=15000)
    assert page.locator(".sb-typing").is_hidden()
    assert order.locator(".sb-order-head").inner_text().split("\n")[0] == "Order #S1000001"
    assert order.locator(".sb-order-item").inner_text() == "Trail Running Shoe (size: 42)"
    assert order.locator(".sb-order-total").inner_text() == "Total $101.50"
    assert order.locator(".sb-order-tracking").inner_text() == "Tracking: TRK123"
    # The panel fills the phone screen and nothing scrolls sideways.
    box = page.locator(".sb-panel").bounding_box()
    assert box is not None and box["width"] == pytest.approx(375, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator(".sb-log").get_attribute("role") == "log"
    assert page.locator(".sb-log").get_attribute("aria-live") == "polite"
    screenshot(page, "store-local-phone.png")
    page.keyboard.press("Escape")
    page.locator(".sb-panel").wait_for(state="hidden")
    assert launcher.evaluate("el => el.getRootNode().activeElement === el")
    # "Ask the assistant" on the product page opens the chat and asks.
    page.get_by_role("button", name="Ask the assistant about this").click()
    wait_bot(page, "You said: Tell me about Trail Running Shoe (SB-P0001)")
    assert page.locator(".sb-status").inner_text() == "Online"


def test_reconnects_after_the_server_restarts(tmp_path: Path, browser: Any) -> None:
    from bot.catalog.keyword import ensure_search_indexes

    db = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    schema.create_all(db)
    ensure_search_indexes(db)
    seed_small_shop(db)
    rasa = ScriptedRasa()
    rasa_port = free_port()
    config = StoreConfig(database=db, widget_server=f"http://127.0.0.1:{rasa_port}")
    with serve(build_store_app(config)) as web_url:
        page = browser.new_page(viewport=DESKTOP)
        with serve(rasa.app(), rasa_port):
            page.goto(web_url + "/")
            open_chat(page)
            page.get_by_text("Hi! I'm the shop assistant.").wait_for()
        page.locator(".sb-status:not(.sb-online)").wait_for(timeout=15000)
        # Typed while offline: shown as sending, delivered once the server is back.
        page.locator(".sb-input").fill("are you there?")
        page.locator(".sb-input").press("Enter")
        page.locator(".sb-user.sb-pending").wait_for()
        with serve(rasa.app(), rasa_port):
            page.locator(".sb-status.sb-online").wait_for(timeout=20000)
            wait_bot(page, "You said: are you there?")
        assert page.locator(".sb-pending").count() == 0
    db.dispose()


def test_signed_in_shopper_token_travels_in_metadata(
    local_store: tuple[str, ScriptedRasa], browser: Any
) -> None:
    web_url, rasa = local_store
    page = browser.new_page(viewport=DESKTOP)
    page.goto(web_url + "/sign-in")
    page.locator("#email").fill("noah.brown7922@example.com")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Hi, Noah").wait_for()
    open_chat(page)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    token = rasa.received[-1]["metadata"]["customer_token"]
    assert verify_customer_token(token, TOKEN_SECRET) == "noah_brown_6181"
    page.locator(".sb-input").fill("where is my private order")
    page.locator(".sb-input").press("Enter")
    wait_bot(page, "You said: where is my private order")
    assert rasa.received[-1]["metadata"]["customer_token"] == token
    first_session = rasa.issued[-1]
    # Signing out starts a fresh conversation: the next shopper must not see this one.
    page.get_by_role("button", name="Sign out").click()
    page.locator(".sb-status.sb-online").wait_for(timeout=15000)
    page.get_by_text("Hi! I'm the shop assistant.").wait_for()
    assert "private order" not in page.locator(".sb-log").inner_text()
    assert rasa.session_requests[-1] == {} and rasa.issued[-1] != first_session
    assert rasa.received[-1]["metadata"] == {"lang": "en"}  # no token, the page's language


def test_widget_in_chinese_follows_the_conversation(
    local_store: tuple[str, ScriptedRasa], browser: Any
) -> None:
    """Issue 20: a Chinese page (ShopbotConfig.lang, like data-lang) labels the widget in
    Chinese and sends "zh" as the prior of the first message; when the bot answers in English
    the labels follow, and back to Chinese with the next Chinese reply."""
    web_url, rasa = local_store
    page = browser.new_page(viewport=DESKTOP)
    page.add_init_script("window.ShopbotConfig = { lang: 'zh-CN' };")
    page.goto(web_url + "/")
    assert page.locator(".sb-launcher").inner_text() == "咨询"
    open_chat(page)
    wait_bot(page, "您好！我是店铺的智能客服。")
    # The prior: a payload's language entity (Rasa reads payloads without the NLU) and metadata.
    assert rasa.received[0]["message"] == '/greet{"language":"zh"}'
    assert rasa.received[0]["metadata"] == {"lang": "zh"}
    assert page.locator(".sb-input").get_attribute("placeholder") == "请输入您的问题…"
    assert page.locator(".sb-status").inner_text() == "在线"
    assert page.get_by_role("button", name="转人工客服").is_visible()
    assert page.get_by_role("button", name="我的订单到哪了？").is_visible()

    # The shopper writes English and the bot answers in English: the labels follow.
    page.locator(".sb-input").fill("Do you have trail shoes?")
    page.locator(".sb-input").press("Enter")
    page.locator(".sb-carousel .sb-card").first.wait_for()
    assert "metadata" not in rasa.received[-1]  # the prior goes with the first message only
    assert page.locator(".sb-input").get_attribute("placeholder") == "Type your message…"
    assert page.get_by_role("button", name="Talk to a person").is_visible()
    assert page.locator(".sb-avail").first.inner_text() == "In stock"

    # Back to Chinese: the bot's Chinese reply switches the labels, and a hand-off notice
    # without text gets the widget's Chinese one.
    page.locator(".sb-input").fill("我要转人工")
    page.locator(".sb-input").press("Enter")
    page.locator(".sb-handoff-agent_joined").wait_for()
    page.locator(".sb-input").fill("我的订单号是 #S1000001")
    page.locator(".sb-input").press("Enter")
    wait_bot(page, "好的，请提供您的订单号。")
    assert page.locator(".sb-input").get_attribute("placeholder") == "请输入您的问题…"
    assert page.locator(".sb-status").inner_text() == "正在与您对话：人工客服"
    assert page.locator(".sb-handoff-agent_joined").inner_text() == "人工客服已加入对话。"
    assert page.locator(".sb-panel").get_attribute("lang") == "zh-CN"
