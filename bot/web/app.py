"""FastAPI application factory: storefront, widget assets, staff console, health.

Feature routers live in their own modules and are included when present, so the storefront
and the console can be developed and tested on their own.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.settings import Settings, get_settings
from bot.web.limits import RequestLimits

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"

# (module, attribute, mount prefix)
ROUTERS: list[tuple[str, str, str]] = [
    ("bot.web.storefront", "router", ""),
    ("bot.console.routes", "router", "/console"),
    ("bot.web.api", "router", "/api"),
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="shopbot web app",
        version="0.1.0",
        description="Storefront demo with the chat widget, staff console and JSON API.",
    )
    app.state.settings = settings
    app.add_middleware(RequestLimits)  # body size + write rate per client (bot/web/limits.py)
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
