"""Run by tests/channels/meta/test_meta_connector.py with the Rasa environment's Python.

Serves the three connectors on a real Sanic server (WhatsApp without its access token) and
prints one JSON line with what it saw: an unconfigured connector answers 404 and has no
output channel; a retried delivery is handled once and a huge one refused; numbered options
map back to their payloads; a reply for another channel's conversation is not sent.
"""

import asyncio
import json
import os
import socket

import aiohttp
import rasa.shared.utils.common  # noqa: F401  (Rasa must be imported before our package)
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

os.environ.update(
    {
        "SHOPBOT_META_APP_SECRET": "s" * 40,
        "SHOPBOT_META_VERIFY_TOKEN": "vt",
        "SHOPBOT_MESSENGER_ACCESS_TOKEN": "tok",
        "SHOPBOT_META_GRAPH_URL": "http://127.0.0.1:9",  # nothing listens: sends fail quietly
    }
)
os.environ.pop("SHOPBOT_WHATSAPP_ACCESS_TOKEN", None)
os.environ["SHOPBOT_WHATSAPP_PHONE_NUMBER_ID"] = "PN1"  # half configured: off, with a warning

from bot.channels.meta import SIGNATURE_HEADER, sign  # noqa: E402
from rasa_addons.channels import meta  # noqa: E402


async def main() -> dict:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    messenger = meta.MessengerInput.from_credentials(None)
    whatsapp = meta.WhatsAppInput.from_credentials(None)
    app = Sanic("check_meta")
    for channel in (messenger, whatsapp):
        app.blueprint(
            channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}"
        )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    out: dict = {}
    base = f"http://127.0.0.1:{port}/webhooks"
    async with aiohttp.ClientSession() as http:
        for platform in ("messenger", "whatsapp"):
            async with http.get(
                f"{base}/{platform}/webhook",
                params={"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "7"},
            ) as r:
                out[f"{platform}_verify"] = [r.status, await r.text()]
            async with http.post(f"{base}/{platform}/webhook", data=b"{}") as r:
                out[f"{platform}_unsigned"] = r.status
        delivery = json.dumps(
            {
                "object": "page",
                "entry": [
                    {
                        "id": "PAGE1",
                        "messaging": [
                            {"sender": {"id": "77"}, "message": {"mid": "m.1", "text": "hi"}}
                        ],
                    }
                ],
            }
        ).encode()
        headers = {SIGNATURE_HEADER: sign("s" * 40, delivery)}
        statuses = []
        for _ in range(2):  # Meta retrying the same delivery
            async with http.post(f"{base}/messenger/webhook", data=delivery, headers=headers) as r:
                statuses.append(r.status)
        async with http.post(
            f"{base}/messenger/webhook",
            data=b" " * 1_000_001,
            headers={SIGNATURE_HEADER: sign("s" * 40, b" " * 1_000_001)},
        ) as r:
            statuses.append(r.status)
        out["deliveries"] = statuses
        await asyncio.sleep(1.0)
        out["received"] = [(m.sender_id, m.text, m.input_channel) for m in received]
    server.close()
    await server.wait_closed()
    out["whatsapp_enabled"] = whatsapp.enabled
    out["whatsapp_output"] = whatsapp.get_output_channel() is None
    out["messenger_output"] = type(messenger.get_output_channel()).__name__
    out["chosen"] = []
    for answer in ("2", " 3. ", "4", "two", "0"):
        meta.OPTIONS.put("messenger:1", ["/a", "/b", "/c"])
        out["chosen"].append(meta.MetaInput._chosen("messenger:1", answer))
    out["chosen_later"] = meta.MetaInput._chosen("messenger:1", "2")  # options consumed
    output = messenger.get_output_channel()
    out["other_channel"] = output.user_id("whatsapp:1")
    out["own_channel"] = output.user_id("messenger:42")
    return out


print(json.dumps(asyncio.run(main())))
