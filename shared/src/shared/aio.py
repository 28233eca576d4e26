"""Small asyncio helpers the services' background loops share."""

from __future__ import annotations

import asyncio


async def wait_until_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` or ``seconds``, whichever comes first; True if it was set.

    Not ``asyncio.wait_for``: on Python 3.11 it can swallow a cancellation that arrives as the event is set
    (gh-86296), and a background loop that misses its cancellation keeps a service from ever stopping.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
