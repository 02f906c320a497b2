"""A local stand-in for Meta's Graph API and webhook sender (tests run without internet).

It records every call a connector makes (path, headers, JSON) and sends correctly signed
webhook deliveries to the connector, the way Meta does.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from bot.channels.meta import SIGNATURE_HEADER, sign


@dataclass
class Call:
    path: str
    authorization: str
    body: dict[str, Any]


class FakeGraph:
    """Graph API on 127.0.0.1: ``POST /<version>/...`` is recorded and answered like Meta."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode(errors="replace")}
                with fake._lock:
                    fake.calls.append(Call(self.path, self.headers.get("Authorization", ""), body))
                answer = json.dumps({"recipient_id": "x", "message_id": f"m{len(fake.calls)}"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeGraph:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def wait_for(
        self, match: Callable[[Call], bool], count: int = 1, timeout_s: float = 90.0, after: int = 0
    ) -> list[Call]:
        """The calls (from index ``after``) that ``match``, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [c for c in self.snapshot()[after:] if match(c)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)


def deliver(
    webhook_url: str, app_secret: str, payload: dict[str, Any], signature: str | None = None
) -> httpx.Response:
    """POST a webhook delivery signed as Meta signs it (or with the ``signature`` given)."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    headers[SIGNATURE_HEADER] = sign(app_secret, body) if signature is None else signature
    return httpx.post(webhook_url, content=body, headers=headers, timeout=30)


def page_message(user: str, text: str, page: str = "PAGE1") -> dict[str, Any]:
    return {
        "object": "page",
        "entry": [
            {
                "id": page,
                "time": int(time.time() * 1000),
                "messaging": [
                    {
                        "sender": {"id": user},
                        "recipient": {"id": page},
                        "timestamp": int(time.time() * 1000),
                        "message": {"mid": f"mid.{time.time_ns()}", "text": text},
                    }
                ],
            }
        ],
    }


def instagram_message(user: str, text: str, account: str = "IG1") -> dict[str, Any]:
    payload = page_message(user, text, account)
    payload["object"] = "instagram"
    return payload


def page_comment(comment_id: str, author: str, text: str, post: str = "PAGE1_POST1") -> dict:
    return {
        "object": "page",
        "entry": [
            {
                "id": "PAGE1",
                "time": int(time.time()),
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": comment_id,
                            "post_id": post,
                            "parent_id": post,
                            "from": {"id": author, "name": "A Shopper"},
                            "message": text,
                            "created_time": int(time.time()),
                        },
                    }
                ],
            }
        ],
    }


def instagram_comment(comment_id: str, author: str, text: str, media: str = "M1") -> dict:
    return {
        "object": "instagram",
        "entry": [
            {
                "id": "IG1",
                "time": int(time.time()),
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": comment_id,
                            "text": text,
                            "media": {"id": media},
                            "from": {"id": author, "username": "shopper"},
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_message(phone: str, text: str, phone_number_id: str = "PN1") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": phone_number_id},
                            "contacts": [{"wa_id": phone, "profile": {"name": "Sam"}}],
                            "messages": [
                                {
                                    "from": phone,
                                    "id": f"wamid.{time.time_ns()}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_button(phone: str, reply_id: str, title: str) -> dict[str, Any]:
    """The shopper tapping a reply button (its id is the payload we sent)."""
    payload = whatsapp_message(phone, "")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message["type"] = "interactive"
    message["interactive"] = {
        "type": "button_reply",
        "button_reply": {"id": reply_id, "title": title},
    }
    return payload
