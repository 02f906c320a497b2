"""Telegram as a Rasa input channel (``telegram``): webhook in, Bot API calls out.

Configuration comes from the environment only; credentials.yml names the variables, so the
Rasa server starts without them (``${VAR}`` in credentials.yml would make Rasa refuse to
start when one is unset) and the channel stays off, answering 404, until both are set:

- ``TELEGRAM_BOT_TOKEN``: the bot's token from @BotFather (never logged).
- ``TELEGRAM_SECRET_TOKEN``: the ``secret_token`` given to ``setWebhook``; every update must
  carry it in ``X-Telegram-Bot-Api-Secret-Token`` or is refused (403, logged).
- ``TELEGRAM_API_URL`` (default ``https://api.telegram.org``): tests point it at a fake.
- ``SHOPBOT_PUBLIC_URL``: the shop's public address, for product links.

Webhook: ``POST /webhooks/telegram/webhook``. Rendering and parsing are in
``bot/channels/telegram.py``; the sender id is ``telegram:<chat id>``. The output channel is
also what ``output_channel=telegram`` / ``latest`` on Rasa's HTTP API uses, so a staff
member's hand-off reply reaches the Telegram chat.

credentials.yml::

    rasa_addons.channels.telegram.TelegramChannel:
      token_env: TELEGRAM_BOT_TOKEN
      secret_env: TELEGRAM_SECRET_TOKEN
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import telegram as tg
from bot.channels.plaintext import unsupported_text
from rasa_addons import session_ids
from rasa_addons.channels.dedup import SeenIds
from rasa_addons.channels.options import last_buttons
from rasa_addons.channels.whole_message import WholeMessageOutput
from rasa_addons.input_limits import InputGuard
from rasa_addons.settings import current

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
TIMEOUT_S = 15.0


class TelegramOutput(WholeMessageOutput):
    """Sends our bot messages to a Telegram chat through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return tg.CHANNEL

    def __init__(self, token: str, api_url: str, public_url: str | None) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.public_url = public_url
        self.messages: list[dict[str, Any]] = []  # what was sent (InputGuard checks silence)

    async def call(self, method: str, params: dict[str, Any]) -> bool:
        """One Bot API call; failures are logged (without the token) and reported as False."""
        url = f"{self.api_url}/bot{self._token}/{method}"
        try:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, json=params) as reply,
            ):
                if reply.status >= 400:
                    log.warning("telegram %s failed: HTTP %s", method, reply.status)
                    return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("telegram %s failed: %s", method, type(exc).__name__)
            return False
        return True

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        chat_id = tg.chat_id_of(recipient_id)
        if chat_id is None:
            log.warning("telegram output asked to send to a non-Telegram sender; dropped")
            return
        self.messages.append(message)
        for api_call in tg.render(chat_id, message, self.public_url):
            await self.call(api_call.method, api_call.params)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})


@lru_cache(maxsize=4)
def _say_off_once(reason: str) -> None:
    log.warning("Telegram channel is off: %s", reason)


class TelegramChannel(InputChannel):
    """``telegram`` input: secret-checked webhook updates → shopper messages."""

    @classmethod
    def name(cls) -> str:
        return tg.CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            token_env=str(credentials.get("token_env") or "TELEGRAM_BOT_TOKEN"),
            secret_env=str(credentials.get("secret_env") or "TELEGRAM_SECRET_TOKEN"),
        )

    def __init__(
        self, token_env: str = "TELEGRAM_BOT_TOKEN", secret_env: str = "TELEGRAM_SECRET_TOKEN"
    ) -> None:
        settings = current()
        self.token = settings.named(token_env)
        self.secret = settings.named(secret_env)
        self.api_url = settings.telegram_api_url or DEFAULT_API_URL
        self.public_url = settings.public_url
        if not self.token or not self.secret:
            _say_off_once(f"{token_env} and {secret_env} must both be set")
        elif not tg.SECRET_TOKEN.fullmatch(self.secret):
            _say_off_once(f"{secret_env} must be 1-256 characters from A-Z a-z 0-9 _ -")
            self.secret = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.secret)

    def get_output_channel(self) -> OutputChannel | None:
        if not self.enabled:
            return None
        return TelegramOutput(self.token, self.api_url, self.public_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = InputGuard().wrap(on_new_message)
        seen = SeenIds()
        hook = Blueprint("shop_telegram_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": "telegram channel is not configured"}, status=404)
            if not tg.secret_ok(request.headers.get(tg.SECRET_HEADER), self.secret):
                log.warning(
                    "telegram webhook refused: missing or wrong secret token (from %s)",
                    session_ids.request_ip(request) or "?",
                )
                return response.json({"error": "forbidden"}, status=403)
            try:
                update = request.json
            except Exception:  # Sanic raises on a body that is not JSON
                update = None
            incoming = tg.parse_update(update)
            if incoming is not None and not seen.first_time(update.get("update_id")):
                log.info("telegram update delivered again; handled once")
                return response.json({"ok": True})
            if incoming is None:
                return response.json({"ok": True})  # acknowledged, nothing to answer
            out = self.get_output_channel()
            assert isinstance(out, TelegramOutput)
            if incoming.callback_query_id:  # stops the button's progress indicator
                await out.call(
                    "answerCallbackQuery", {"callback_query_id": incoming.callback_query_id}
                )
            if not incoming.supported:
                await out.send_text_message(incoming.sender_id, unsupported_text())
                return response.json({"ok": True})
            text = incoming.text
            if text.startswith("#") or text.strip().isdigit():
                buttons = await last_buttons(incoming.sender_id)
                bare = len(buttons) > tg.LIMITS["inline_buttons"]  # shown as numbered lines
                text = (
                    tg.option_payload(text if not bare else f"#{text.strip().lstrip('#')}", buttons)
                    or text
                )
            message = UserMessage(
                text,
                out,
                incoming.sender_id,
                input_channel=self.name(),
                metadata=dict(incoming.metadata),
            )
            await guarded(message)
            return response.json({"ok": True})

        return hook
