"""What the browser tests share: an app served over HTTP by uvicorn for the browser to load, Debian's Chromium
driven by Playwright and launched the same way everywhere, and the folder the tests leave their screenshots in."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO_ROOT / ".run" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def screenshot_path(name: str) -> Path:
    """Where a test saves screenshot ``name`` (e.g. ``"lapor.png"``): under ``.run/screenshots``."""
    return SCREENSHOTS / name


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A launched headless Chromium, closed on the way out."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def _listening_socket() -> socket.socket:
    """A socket already bound to a free localhost port, handed to uvicorn (no window for another process to
    take the port between choosing and binding it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def served_over_http(app: Any, *, start_within: float = 60, **config: Any) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free localhost port (``config``: more ``uvicorn.Config`` settings); yields
    the base URL once the server has started, and stops it on the way out."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{"log_level": "warning", **config}))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(start_within):
            while not server.started:
                if task.done():  # startup failed (the lifespan raised): show why
                    task.result()
                    pytest.fail("uvicorn stopped before it started")
                await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        async with asyncio.timeout(30):
            await task
        sock.close()
