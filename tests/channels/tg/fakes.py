"""Local stand-ins for the platforms' HTTP APIs (no internet in tests).

Each fake listens on 127.0.0.1, records what the connector sends and answers like the platform
would; it also signs the webhooks it sends to the connector the way the platform does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx


class _Recorder:
    """A threaded HTTP server that records every POST (path, parsed body)."""

    def __init__(self, answer: Callable[[str, Any], tuple[int, bytes, str]]) -> None:
        self.calls: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kind = self.headers.get("Content-Type") or ""
                if "json" in kind:
                    body: Any = json.loads(raw or b"null")
                else:
                    body = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
                with recorder._lock:
                    recorder.calls.append((self.path, body))
                status, data, content_type = answer(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def since(self, mark: int) -> list[tuple[str, Any]]:
        with self._lock:
            return list(self.calls[mark:])


class FakeTelegram(_Recorder):
    """The Bot API (``POST /bot<token>/<method>``) and Telegram's side of the webhook."""

    def __init__(self, token: str, secret: str) -> None:
        self.token, self.secret = token, secret
        super().__init__(self._answer)

    def _answer(self, path: str, body: Any) -> tuple[int, bytes, str]:
        if not path.startswith(f"/bot{self.token}/"):
            return 404, b'{"ok": false, "error_code": 404}', "application/json"
        return (
            200,
            json.dumps({"ok": True, "result": {"message_id": 1}}).encode(),
            "application/json",
        )

    def sent(self, mark: int) -> list[tuple[str, dict[str, Any]]]:
        """(method, params) the connector called since ``mark``."""
        return [(path.rsplit("/", 1)[-1], body) for path, body in self.since(mark)]

    def texts(self, mark: int) -> str:
        return "\n".join(str(p.get("text") or p.get("caption") or "") for _, p in self.sent(mark))

    def post_update(
        self, webhook_url: str, update: Mapping[str, Any], secret: str | None = "default"
    ) -> httpx.Response:
        """Deliver an update as Telegram does (with the secret token header)."""
        headers = {}
        secret = self.secret if secret == "default" else secret
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return httpx.post(webhook_url, json=dict(update), headers=headers, timeout=120)


def telegram_text(chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    return {
        "update_id": update_id or int(time.time() * 1000) % 2**31,
        "message": {
            "message_id": 1,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def telegram_press(chat_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": int(time.time() * 1000) % 2**31,
        "callback_query": {
            "id": f"cb{time.time_ns()}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 2, "chat": {"id": chat_id, "type": "private"}},
            "data": data,
        },
    }


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's X-Twilio-Signature: base64 HMAC-SHA1 of the URL + sorted key/value pairs."""
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class FakeTwilio(_Recorder):
    """Twilio's Messages API (``POST /2010-04-01/Accounts/<sid>/Messages.json``, basic auth)
    and Twilio's side of the WhatsApp webhook (signed form posts)."""

    def __init__(self, sid: str, auth_token: str) -> None:
        self.sid, self.auth_token = sid, auth_token
        super().__init__(self._answer)

    def _answer(self, path: str, body: Any) -> tuple[int, bytes, str]:
        if path != f"/2010-04-01/Accounts/{self.sid}/Messages.json":
            return 404, b'{"code": 20404}', "application/json"
        return (
            201,
            json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}).encode(),
            ("application/json"),
        )

    def bodies(self, mark: int, to: str | None = None) -> list[str]:
        """Message bodies sent since ``mark`` (to one WhatsApp number when given)."""
        return [
            str(form.get("Body") or "")
            for _, form in self.since(mark)
            if to is None or form.get("To") == f"whatsapp:{to}"
        ]

    def post_message(
        self, webhook_url: str, phone: str, body: str, signed_for: str | None = "default"
    ) -> httpx.Response:
        """Deliver an incoming WhatsApp message as Twilio does (signed with the auth token)."""
        params = {
            "MessageSid": f"SM{time.time_ns():032d}"[:34],
            "AccountSid": self.sid,
            "From": f"whatsapp:{phone}",
            "To": "whatsapp:+14155238886",
            "Body": body,
            "NumMedia": "0",
        }
        headers = {}
        if signed_for is not None:
            token = self.auth_token if signed_for == "default" else signed_for
            headers["X-Twilio-Signature"] = twilio_signature(token, webhook_url, params)
        return httpx.post(webhook_url, data=params, headers=headers, timeout=120)
