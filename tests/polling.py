"""Waiting for consumers in tests: poll until a check holds (consumer-group joins take seconds on Tansu)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(check: Callable[[], Awaitable[Any]], what: str, within: float = 60) -> Any:
    """Poll ``check`` until it returns something truthy, and return that; fail the test after ``within`` s (a
    bound for a stuck test, not a speed check: with four workers side by side a Tansu group join can take tens of
    seconds)."""
    try:
        async with asyncio.timeout(within):
            while True:
                if result := await check():
                    return result
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
