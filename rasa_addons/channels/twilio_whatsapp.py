"""WhatsApp through Twilio as a Rasa input channel (``twilio_whatsapp``).

Configuration comes from the environment only; credentials.yml names the variables, so the
Rasa server starts without them and the channel stays off (404) until all are set:

- ``TWILIO_ACCOUNT_SID`` and ``TWILIO_AUTH_TOKEN`` (the token signs every webhook and
  authenticates our API calls; never logged).
- ``TWILIO_WHATSAPP_NUMBER``: the shop's WhatsApp sender, ``whatsapp:+14155238886``.
- ``TWILIO_WEBHOOK_URL``: the public URL Twilio posts to (what it signs); without it the
  request's own URL is used, which is wrong behind a proxy that rewrites the host or scheme.
- ``TWILIO_API_URL`` (default ``https://api.twilio.com``): tests point it at a fake.
- ``SHOPBOT_PUBLIC_URL``: the shop's public address, for product links.

Webhook: ``POST /webhooks/twilio_whatsapp/webhook`` (form-encoded). A request without a valid
``X-Twilio-Signature`` is refused (403) and logged. Replies are sent with the Messages API
(``POST /2010-04-01/Accounts/<sid>/Messages.json``), not in the webhook's TwiML answer, so a
staff member's hand-off reply (``output_channel=latest``) takes the same way.

credentials.yml::

    rasa_addons.channels.twilio_whatsapp.TwilioWhatsAppChannel:
      sid_env: TWILIO_ACCOUNT_SID
      token_env: TWILIO_AUTH_TOKEN
      number_env: TWILIO_WHATSAPP_NUMBER
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

from bot.channels import twilio
from bot.channels.plaintext import unsupported_text
from rasa_addons import session_ids
from rasa_addons.channels.dedup import SeenIds
from rasa_addons.channels.options import last_buttons
from rasa_addons.channels.whole_message import WholeMessageOutput
from rasa_addons.input_limits import InputGuard
from rasa_addons.settings import current

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
TIMEOUT_S = 15.0
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioWhatsAppOutput(WholeMessageOutput):
    """Sends our bot messages to a WhatsApp user through Twilio's Messages API."""

    @classmethod
    def name(cls) -> str:
        return twilio.CHANNEL

    def __init__(
        self, sid: str, token: str, number: str, api_url: str, public_url: str | None
    ) -> None:
        self._sid, self._token, self.number = sid, token, number
        self.api_url = api_url.rstrip("/")
        self.public_url = public_url
        self.messages: list[dict[str, Any]] = []  # what was sent (InputGuard checks silence)

    async def send_body(self, phone: str, body: str) -> bool:
        url = f"{self.api_url}/2010-04-01/Accounts/{self._sid}/Messages.json"
        form = {"From": self.number, "To": f"{twilio.WHATSAPP_PREFIX}{phone}", "Body": body}
        try:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
            auth = aiohttp.BasicAuth(self._sid, self._token)
            async with (
                aiohttp.ClientSession(timeout=timeout, auth=auth) as session,
                session.post(url, data=form) as reply,
            ):
                if reply.status >= 400:
                    log.warning("twilio message failed: HTTP %s", reply.status)
                    return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("twilio message failed: %s", type(exc).__name__)
            return False
        return True

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        phone = twilio.phone_of(recipient_id)
        if phone is None:
            log.warning("twilio output asked to send to a non-WhatsApp sender; dropped")
            return
        self.messages.append(message)
        for body in twilio.render(message, self.public_url):
            await self.send_body(phone, body)


@lru_cache(maxsize=4)
def _say_off_once(reason: str) -> None:
    log.warning("WhatsApp (Twilio) channel is off: %s", reason)


class TwilioWhatsAppChannel(InputChannel):
    """``twilio_whatsapp`` input: signature-checked Twilio webhooks → shopper messages."""

    @classmethod
    def name(cls) -> str:
        return twilio.CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            sid_env=str(credentials.get("sid_env") or "TWILIO_ACCOUNT_SID"),
            token_env=str(credentials.get("token_env") or "TWILIO_AUTH_TOKEN"),
            number_env=str(credentials.get("number_env") or "TWILIO_WHATSAPP_NUMBER"),
        )

    def __init__(
        self,
        sid_env: str = "TWILIO_ACCOUNT_SID",
        token_env: str = "TWILIO_AUTH_TOKEN",
        number_env: str = "TWILIO_WHATSAPP_NUMBER",
    ) -> None:
        settings = current()
        self.sid = settings.named(sid_env)
        self.token = settings.named(token_env)
        self.number = settings.named(number_env)
        self.webhook_url = settings.twilio_webhook_url
        self.api_url = settings.twilio_api_url or DEFAULT_API_URL
        self.public_url = settings.public_url
        if not (self.sid and self.token and self.number):
            _say_off_once(f"{sid_env}, {token_env} and {number_env} must all be set")
        elif not self.number.startswith(twilio.WHATSAPP_PREFIX):
            _say_off_once(f"{number_env} must look like whatsapp:+14155238886")
            self.number = ""

    @property
    def enabled(self) -> bool:
        return bool(self.sid and self.token and self.number)

    def get_output_channel(self) -> OutputChannel | None:
        if not self.enabled:
            return None
        return TwilioWhatsAppOutput(
            self.sid, self.token, self.number, self.api_url, self.public_url
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = InputGuard().wrap(on_new_message)
        seen = SeenIds()
        hook = Blueprint("shop_twilio_whatsapp_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": "twilio channel is not configured"}, status=404)
            form = {name: values[0] for name, values in request.form.items() if values}
            url = self.webhook_url or request.url
            if not twilio.signature_ok(
                request.headers.get(twilio.SIGNATURE_HEADER), self.token, url, form
            ):
                log.warning(
                    "twilio webhook refused: missing or wrong X-Twilio-Signature (from %s)",
                    session_ids.request_ip(request) or "?",
                )
                return response.json({"error": "forbidden"}, status=403)
            incoming = twilio.parse_form(form)
            if incoming is not None and f"{twilio.WHATSAPP_PREFIX}{incoming.phone}" == self.number:
                incoming = None  # never a conversation with ourselves
            if incoming is not None and seen.first_time(form.get("MessageSid")):
                await self._handle(incoming, guarded)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return hook

    async def _handle(
        self, incoming: twilio.Incoming, guarded: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        out = self.get_output_channel()
        assert isinstance(out, TwilioWhatsAppOutput)
        if not incoming.supported:
            await out.send_text_message(incoming.sender_id, unsupported_text())
            return
        text = incoming.text
        if twilio.NUMBER_REPLY.match(text):  # "2": the 2nd numbered option, if one was shown
            text = twilio.option_payload(text, await last_buttons(incoming.sender_id)) or text
        await guarded(UserMessage(text, out, incoming.sender_id, input_channel=self.name()))
