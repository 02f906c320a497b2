"""Messenger, Instagram and WhatsApp Cloud API connectors, and public comment replies.

Three Rasa input channels (``messenger``, ``instagram``, ``whatsapp``) on one shared base:
``GET /webhooks/<name>/webhook`` answers Meta's subscription check, ``POST`` checks
``X-Hub-Signature-256`` over the raw body and refuses (403, logged) anything unsigned or
wrongly signed, then acknowledges at once and handles the delivery in the background (Meta
retries a webhook that takes long to answer). Direct messages go through the shop's input
limits to Rasa as sender ``<channel>:<platform user id>``; replies are rendered by
bot/channels/meta_render.py and posted to the Graph API. ``get_output_channel`` makes Rasa's
HTTP API deliver appended bot events (a staff member's hand-off reply) to the platform user.

Public comments (Messenger's Page ``feed`` and Instagram's ``comments`` changes) are triaged by
bot/channels/comments.py with the intent of the loaded NLU model: a product or policy question
is answered publicly with the bot's own reply (its conversation ``<channel>_comment:<id>``,
never identified, so no order data can appear) shortened and PII-masked; an order or account
matter gets a private reply (the DM it opens continues as ``<channel>:<id>``); spam and abuse
get no reply and are recorded with ``comment_flag`` metadata, which the console shows as a tag.
Every comment is recorded in its conversation (channel ``<channel>_comments``).

Configuration comes from the environment only (docs/channels/meta.md). Rasa aborts at start-up
when a ``${VAR}`` in credentials.yml is unset, so the credentials entries carry no values and
each connector reads its variables itself; without them it logs once and answers 404.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import aiohttp
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import comments as triage_rules
from bot.channels.meta import (
    SIGNATURE_HEADER,
    Comment,
    Inbound,
    parse,
    parse_body,
    subscription_challenge,
    valid_signature,
)
from bot.channels.meta_render import LIMITS, from_markdown, render, unsupported_reply
from rasa_addons.channels.whole_message import WholeMessageOutput
from rasa_addons.input_limits import InputGuard, is_guard_reply
from rasa_addons.settings import current

log = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v19.0"
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.:=+/-]{1,512}")
_MEMORY = 20_000  # users whose numbered options / referral token are remembered per process


class _Remembered:
    """A bounded per-user memory in this process (numbered options, referral tokens)."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()

    def put(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > _MEMORY:
            self._items.popitem(last=False)

    def get(self, key: str) -> Any:
        return self._items.get(key)

    def pop(self, key: str) -> Any:
        return self._items.pop(key, None)


OPTIONS = _Remembered()
REFERRALS = _Remembered()
SEEN = _Remembered()  # message and comment ids handled (Meta retries a delivery it doubts)
MAX_BODY_BYTES = 1_000_000  # Meta's deliveries are a few kB


class MetaConfig:
    """One platform's settings from the environment (``SHOPBOT_<PLATFORM>_*``, with the app
    secret and verify token shared as ``SHOPBOT_META_*`` when the platform has none)."""

    def __init__(self, platform: str) -> None:
        p = platform.upper()
        s = current()
        self.platform = platform
        self.app_secret = s.named(f"SHOPBOT_{p}_APP_SECRET", "SHOPBOT_META_APP_SECRET")
        self.verify_token = s.named(f"SHOPBOT_{p}_VERIFY_TOKEN", "SHOPBOT_META_VERIFY_TOKEN")
        self.access_token = s.named(f"SHOPBOT_{p}_ACCESS_TOKEN")
        self.phone_number_id = s.named("SHOPBOT_WHATSAPP_PHONE_NUMBER_ID")
        self.graph_url = s.meta_graph_url or DEFAULT_GRAPH_URL
        self.graph_version = s.meta_graph_version or DEFAULT_GRAPH_VERSION
        self.public_url = s.public_shop_url
        self.comments = s.named(f"SHOPBOT_{p}_COMMENTS") not in ("0", "false", "off")

    def missing(self) -> list[str]:
        p = self.platform.upper()
        needed = {
            f"SHOPBOT_{p}_APP_SECRET or SHOPBOT_META_APP_SECRET": self.app_secret,
            f"SHOPBOT_{p}_VERIFY_TOKEN or SHOPBOT_META_VERIFY_TOKEN": self.verify_token,
            f"SHOPBOT_{p}_ACCESS_TOKEN": self.access_token,
        }
        if self.platform == "whatsapp":
            needed["SHOPBOT_WHATSAPP_PHONE_NUMBER_ID"] = self.phone_number_id
        return [name for name, value in needed.items() if not value]

    def api(self, path: str) -> str:
        return f"{self.graph_url.rstrip('/')}/{self.graph_version}/{path.lstrip('/')}"


class GraphClient:
    """POSTs to the Graph API with the access token in a header (never in a URL or log)."""

    def __init__(self, config: MetaConfig, timeout_s: float = 10.0) -> None:
        self.config = config
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def post(self, path: str, body: dict[str, Any]) -> bool:
        headers = {"Authorization": f"Bearer {self.config.access_token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.post(self.config.api(path), json=body, headers=headers) as r,
            ):
                if r.status < 400:
                    return True
                detail = (await r.text())[:300]
                log.warning(
                    "%s API refused a send to %s: HTTP %s %s",
                    self.config.platform,
                    path.split("/")[0] or path,
                    r.status,
                    detail,
                )
        # (Python 3.10: asyncio.TimeoutError is not the builtin yet)
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:  # noqa: UP041
            log.warning("%s API not reachable (%s)", self.config.platform, type(exc).__name__)
        return False


class MetaOutput(WholeMessageOutput):
    """Sends Rasa bot messages to one platform user, rendered within the platform's limits."""

    platform: ClassVar[str] = ""

    def __init__(self, config: MetaConfig) -> None:
        self.config = config
        self.client = GraphClient(config)
        self.said: list[str] = []  # texts of this turn (one output per incoming message)
        # what this turn sent: the input guard apologises when a turn sent nothing
        self.messages: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return cls.platform

    def user_id(self, recipient_id: str) -> str | None:
        """The platform user of a sender id of this channel (None for any other channel's)."""
        prefix = f"{self.platform}:"
        if not recipient_id.startswith(prefix) or len(recipient_id) == len(prefix):
            log.warning("%s cannot deliver to a conversation of another channel", self.platform)
            return None
        return recipient_id[len(prefix) :]

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        user = self.user_id(recipient_id)
        if user is None:
            return
        rendered = render(self.platform, message, self.config.public_url, self.said)
        if isinstance(message.get("text"), str):
            self.said.append(message["text"])
        self.messages.append(message)
        for what in rendered.dropped:
            log.warning("%s cannot show %s; sent what could be shown", self.platform, what)
        if rendered.options:
            OPTIONS.put(recipient_id, rendered.options)
        for part in rendered.messages:
            await self.send_platform_message(user, part)

    async def send_platform_message(self, user: str, part: dict[str, Any]) -> bool:
        body = {"recipient": {"id": user}, "messaging_type": "RESPONSE", "message": part}
        return await self.client.post("me/messages", body)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"attachment": attachment})


class MessengerOutput(MetaOutput):
    platform = "messenger"


class InstagramOutput(MetaOutput):
    platform = "instagram"


class WhatsAppOutput(MetaOutput):
    platform = "whatsapp"

    async def send_platform_message(self, user: str, part: dict[str, Any]) -> bool:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": user}
        body.update(part)
        return await self.client.post(f"{self.config.phone_number_id}/messages", body)


class MetaInput(InputChannel):
    """The webhook of one Meta platform (subclasses name the platform and its output)."""

    platform: ClassVar[str] = ""
    output_class: ClassVar[type[MetaOutput]] = MetaOutput

    def __init__(self, config: MetaConfig | None = None) -> None:
        self.config = config or MetaConfig(self.platform)
        self.guard = InputGuard()
        settings = current()
        self.limiter = triage_rules.ReplyLimiter(
            per_post=settings.comment_replies_per_post,
            per_user=settings.comment_replies_per_user,
            window_s=settings.comment_window_s,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        missing = self.config.missing()
        self.enabled = not missing
        if missing:
            # half configured is a mistake worth a warning; not configured at all is a choice
            partial = bool(self.config.access_token or self.config.phone_number_id)
            log.log(
                logging.WARNING if partial else logging.INFO,
                "%s channel is off: %s not set",
                self.platform,
                ", ".join(missing),
            )
        else:
            log.info("%s channel is on (Graph API at %s)", self.platform, self.config.graph_url)

    @classmethod
    def name(cls) -> str:
        return cls.platform

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if credentials:
            log.warning(
                "%s: values in credentials.yml are ignored; set the environment variables "
                "(docs/channels/meta.md)",
                cls.platform,
            )
        return cls()

    def get_output_channel(self) -> OutputChannel | None:
        return self.output_class(self.config) if self.enabled else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint(f"{self.platform}_webhook", __name__)
        guarded = self.guard.wrap(on_new_message)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("not configured", status=404)
            challenge = subscription_challenge(request.args, self.config.verify_token)
            if challenge is None:
                log.warning("%s webhook verification refused", self.platform)
                return response.text("forbidden", status=403)
            return response.text(challenge)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("not configured", status=404)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                log.warning("%s webhook refused: %d bytes", self.platform, len(body))
                return response.text("too large", status=413)
            signature = request.headers.get(SIGNATURE_HEADER)
            if not valid_signature(self.config.app_secret, body, signature):
                log.warning(
                    "%s webhook refused: %s signature from %s",
                    self.platform,
                    "invalid" if signature else "no",
                    request.remote_addr or request.ip,
                )
                return response.text("invalid signature", status=403)
            data = parse_body(body)
            if data is None:
                return response.text("bad request", status=400)
            messages, new_comments = parse(self.platform, data)
            messages = [m for m in messages if self._first_time(m.message_id)]
            new_comments = [c for c in new_comments if self._first_time(c.comment_id)]
            agent = getattr(request.app.ctx, "agent", None)
            task = asyncio.create_task(self._handle(messages, new_comments, guarded, agent))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.text("EVENT_RECEIVED")

        return hook

    def _first_time(self, platform_id: str) -> bool:
        """False for a message or comment already handled (a retried delivery)."""
        if not platform_id:
            return True
        key = f"{self.platform}:{platform_id}"
        if SEEN.get(key):
            log.info("%s delivery of %s seen before; skipped", self.platform, platform_id)
            return False
        SEEN.put(key, True)
        return True

    # -- direct messages ----------------------------------------------------------------
    async def _handle(
        self,
        messages: list[Inbound],
        new_comments: list[Comment],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        for inbound in messages:
            try:
                await self._message(inbound, on_new_message)
            except Exception:
                log.exception("%s message handling failed", self.platform)
        for comment in new_comments if self.config.comments else []:
            try:
                await self._comment(comment, on_new_message, agent)
            except Exception:
                log.exception("%s comment handling failed", self.platform)

    async def _message(
        self, inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        sender = f"{self.platform}:{inbound.user_id}"
        output = self.output_class(self.config)
        if inbound.kind == "unsupported":
            await output.send_text_message(sender, unsupported_reply())
            return
        ref = inbound.metadata.get("referral", "")
        if ref and TOKEN_CHARS.fullmatch(ref):
            REFERRALS.put(sender, ref)  # a signed customer token from the shop's m.me link
        metadata: dict[str, Any] = {"platform_message_id": inbound.message_id}
        token = REFERRALS.get(sender)
        if token:
            metadata["customer_token"] = token  # verified (or ignored) by the identify form
        await on_new_message(
            UserMessage(
                self._chosen(sender, inbound.text),
                output,
                sender,
                input_channel=self.name(),
                metadata=metadata,
            )
        )

    @staticmethod
    def _chosen(sender: str, text: str) -> str:
        """A bare number answers the numbered options shown in the bot's last turn (only
        that one: later, "2" may be a quantity)."""
        options = OPTIONS.pop(sender)
        stripped = text.strip().rstrip(".")
        if options and stripped.isdigit() and 1 <= int(stripped) <= len(options):
            return options[int(stripped) - 1]
        return text

    # -- public comments ----------------------------------------------------------------
    async def _comment(
        self,
        comment: Comment,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        if agent is None or not comment.text.strip():
            return
        parsed = await agent.parse_message(comment.text)
        intent = (parsed.get("intent") or {}).get("name")
        confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
        decision = triage_rules.triage(comment.text, intent, confidence)
        sender = f"{self.platform}_comment:{comment.comment_id}"
        channel = f"{self.platform}_comments"
        meta = {
            "comment": {
                "id": comment.comment_id,
                "post_id": comment.post_id,
                "author_id": comment.author_id,
                "decision": decision.decision,
                "reason": decision.reason,
            }
        }
        log.info(
            "%s comment %s: %s (%s)",
            self.platform,
            comment.comment_id,
            decision.decision,
            decision.reason,
        )
        if decision.decision in triage_rules.FLAGS:
            meta[triage_rules.FLAG_KEY] = decision.decision
            await self._record(agent, sender, channel, comment.text, parsed, meta)
            return
        if decision.decision == "ignore":
            await self._record(agent, sender, channel, comment.text, parsed, meta)
            return
        if not self.limiter.allow(comment.post_id, comment.author_id):
            meta["comment"]["decision"] = "limited"
            log.info("%s comment %s: reply limit reached", self.platform, comment.comment_id)
            await self._record(agent, sender, channel, comment.text, parsed, meta)
            return
        if decision.decision == "public":
            answer = await self._public_answer(
                agent, sender, channel, comment, meta, on_new_message
            )
            if answer:
                await self._reply_publicly(comment, answer)
                return
            # the bot needs something personal (a form started): continue in private
        await self._reply_privately(agent, sender, channel, comment, parsed, meta)

    async def _public_answer(
        self,
        agent: Any,
        sender: str,
        channel: str,
        comment: Comment,
        meta: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> str:
        collector = CollectingOutputChannel()
        await on_new_message(
            UserMessage(comment.text, collector, sender, input_channel=channel, metadata=meta)
        )
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is not None and tracker.active_loop_name:
            return ""  # it asks for an order number, an e-mail...: never in public
        texts = [
            m.get("text") or ""
            for m in collector.messages
            # the guard's apologies (limits, outages) are for a DM, never for a public reply
            if not is_guard_reply(str(m.get("text") or ""))
        ]
        for m in collector.messages:
            custom = m.get("custom")
            if isinstance(custom, dict) and isinstance(custom.get("text"), str):
                texts.append(custom["text"])
        plain = [from_markdown(x, self.platform, self.config.public_url) for x in texts]
        return triage_rules.public_reply(plain)

    async def _reply_publicly(self, comment: Comment, answer: str) -> None:
        client = GraphClient(self.config)
        if self.platform == "instagram":
            await client.post(f"{comment.comment_id}/replies", {"message": answer})
        else:
            await client.post(f"{comment.comment_id}/comments", {"message": answer})

    async def _reply_privately(
        self,
        agent: Any,
        sender: str,
        channel: str,
        comment: Comment,
        parsed: dict[str, Any],
        meta: dict[str, Any],
    ) -> None:
        text = triage_rules.private_reply()
        meta["comment"]["decision"] = "private"
        body = {"recipient": {"comment_id": comment.comment_id}, "message": {"text": text}}
        sent = await GraphClient(self.config).post("me/messages", body)
        await self._record(agent, sender, channel, comment.text, parsed, meta, text if sent else "")

    @staticmethod
    async def _record(
        agent: Any,
        sender: str,
        channel: str,
        text: str,
        parsed: dict[str, Any],
        metadata: dict[str, Any],
        reply: str = "",
    ) -> None:
        """Keep the comment (and our private reply) in its conversation for the console."""
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.get_or_create_tracker(sender)
            tracker.update(
                UserUttered(
                    text,
                    parsed.get("intent"),
                    parsed.get("entities") or [],
                    parse_data=parsed,
                    input_channel=channel,
                    metadata=metadata,
                )
            )
            if reply:
                tracker.update(BotUttered(reply, metadata={"comment_reply": "private"}))
            await agent.tracker_store.save(tracker)


class MessengerInput(MetaInput):
    """Facebook Messenger (Page) direct messages and comments on the Page's posts."""

    platform = "messenger"
    output_class = MessengerOutput


class InstagramInput(MetaInput):
    """Instagram direct messages and comments on the account's media."""

    platform = "instagram"
    output_class = InstagramOutput


class WhatsAppInput(MetaInput):
    """WhatsApp Cloud API messages (no public comments on WhatsApp)."""

    platform = "whatsapp"
    output_class = WhatsAppOutput


__all__ = ["InstagramInput", "MessengerInput", "WhatsAppInput", "LIMITS"]
