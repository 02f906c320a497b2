"""FastAPI application factory: storefront, widget assets, staff console, health.

Feature routers live in their own modules and are included when present, so the storefront
and the console can be developed and tested on their own.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.bootstrap import Services, services
from bot.settings import Settings
from bot.web.limits import RequestLimits

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"

# (module, attribute, mount prefix)
ROUTERS: list[tuple[str, str, str]] = [
    ("bot.web.storefront", "router", ""),
    ("bot.console.routes", "router", "/console"),
    ("bot.web.api", "router", "/api"),
]


def _origins(url: str) -> list[str]:
    """The http(s) and ws(s) origins of ``url`` (the widget polls and upgrades to Socket.IO)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    ws = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"]


def security_headers(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Headers for every response: (storefront and the rest, staff console).

    The storefront loads only our own scripts (widget.js and the vendored Socket.IO client) and
    talks to Rasa's URL; the widget adds its CSS as a <style> element, hence style 'unsafe-inline'.
    The console's templates still carry inline scripts and handlers, so its script-src allows
    them (autoescaped templates, staff only); moving them to files would let it drop that.
    """
    connect = " ".join(["'self'", *_origins(settings.public_rasa_url or settings.rasa_url)])
    common = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"connect-src {connect}; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    store = {**common, "Content-Security-Policy": f"{policy}; script-src 'self'"}
    console = {**common, "Content-Security-Policy": f"{policy}; script-src 'self' 'unsafe-inline'"}
    return store, console


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to every HTTP response it sees."""

    def __init__(self, app: ASGIApp, headers: tuple[dict[str, str], dict[str, str]]) -> None:
        self.app = app
        self.store = [(k.lower().encode(), v.encode()) for k, v in headers[0].items()]
        self.console = [(k.lower().encode(), v.encode()) for k, v in headers[1].items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = self.console if path == "/console" or path.startswith("/console/") else self.store

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(app_services: Services | None = None) -> FastAPI:
    """The web app over ``app_services`` (default: the process's, from the environment);
    routes and dependencies read them from ``app.state.services``."""
    app_services = app_services or services()
    app_services.configure_process()  # embedding and sentiment models of these settings
    # Refuses placeholder/short secrets outside the embedded default (bot/settings.py).
    settings = app_services.settings.require_secrets("web")
    docs = settings.api_docs  # /docs, /redoc, /openapi.json only when SHOPBOT_API_DOCS=1
    app = FastAPI(
        title="shopbot web app",
        version="0.1.0",
        description="Storefront demo with the chat widget, staff console and JSON API.",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.services = app_services
    app.add_middleware(  # body size + write rate per client (bot/web/limits.py)
        RequestLimits,
        max_body_bytes=settings.web_max_body_bytes,
        write_limit=settings.web_write_limit,
        window_s=settings.web_write_window_s,
        trusted_proxies=settings.trusted_proxies,
    )
    app.add_middleware(SecurityHeaders, headers=security_headers(settings))
    log.info("shopbot web app: %s", settings.describe_stores())

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness probe: the process answers."""
        return {"status": "ok"}

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        log.info("rejected invalid request to %s: %s", request.url.path, exc.errors()[:3])
        return JSONResponse(
            status_code=422,
            content={"error": "invalid_request", "message": "Some fields are missing or invalid."},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, StarletteHTTPException):
            raise exc
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(
            status_code=500,
            content={"error": "internal", "message": "Something went wrong on our side."},
        )

    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module, attr, prefix in ROUTERS:
        if importlib.util.find_spec(module) is None:
            continue
        router = getattr(importlib.import_module(module), attr)
        app.include_router(router, prefix=prefix)
    return app
