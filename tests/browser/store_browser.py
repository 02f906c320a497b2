"""Helpers for the storefront browser tests: Debian's Chromium, serving an ASGI app on a free
port in a thread, screenshots and the widget metrics file."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bot.runtime.stack import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WIDGET_JS = PROJECT_ROOT / "bot" / "web" / "static" / "widget" / "widget.js"
SOCKET_IO_JS = PROJECT_ROOT / "bot" / "web" / "static" / "widget" / "vendor" / "socket.io.min.js"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


@contextlib.contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


# The README pictures (docs/img) are refreshed only when asked (`make report` sets this), so a
# test run leaves the work tree as it found it.
UPDATE_DOC_IMAGES = os.environ.get("SHOPBOT_UPDATE_DOC_IMAGES") == "1"


def publish_doc_image(shot: Path, name: str) -> Path | None:
    """Copy a screenshot to docs/img/<name> when SHOPBOT_UPDATE_DOC_IMAGES=1; else do nothing."""
    if not UPDATE_DOC_IMAGES:
        return None
    target = PROJECT_ROOT / "docs" / "img" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, target)
    return target


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path


def widget_size() -> dict[str, int]:
    """Bytes of the widget script and its vendored Socket.IO client, raw and gzipped."""
    out: dict[str, int] = {}
    for label, path in (("widget_js", WIDGET_JS), ("socket_io_client", SOCKET_IO_JS)):
        raw = path.read_bytes()
        out[f"{label}_bytes"] = len(raw)
        out[f"{label}_gzip_bytes"] = len(gzip.compress(raw, compresslevel=9))
    return out


def record_metrics(name: str, values: dict[str, Any]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "widget-metrics.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = values
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
    return path


class DialogWatch:
    """Records every JavaScript dialog (alert/confirm/prompt): an XSS would open one."""

    def __init__(self, page: Any) -> None:
        self.messages: list[str] = []
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Any) -> None:
        self.messages.append(dialog.message)
        dialog.dismiss()
